"""The file's location against the gazetteer: INSEE commune codes checked, commune names filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sisamu.cases.model import InvalidFile
from sisamu.geo import gazetteer


def with_commune(changes: Mapping[str, Any]) -> Mapping[str, Any]:
    """Check the location's INSEE code against the gazetteer and fill in the commune's name when missing."""
    location = changes.get("location")
    if not isinstance(location, Mapping) or not location.get("commune_insee"):
        return changes
    code = str(location["commune_insee"])
    try:
        found = gazetteer.commune(code)
    except KeyError as exc:
        raise InvalidFile(f"no commune with INSEE code {code!r}") from exc
    return {**changes, "location": {**location, "commune_name": location.get("commune_name") or found.name}}
