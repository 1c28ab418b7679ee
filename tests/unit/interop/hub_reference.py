"""Where the official Hub Santé reference data lives (`tests/data/hubsante`, see `tests/data/PROVENANCE.md`), and
the file lists the tests are parametrised over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import DATA

HUBSANTE = DATA / "hubsante"
EXAMPLES = HUBSANTE / "examples"
MODELES = HUBSANTE / "edxl-samples" / "modeles"
SCHEMAS = HUBSANTE / "schemas"

assert HUBSANTE.is_dir(), f"Hub Santé reference data not found at {HUBSANTE}"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*.json"))


def valid_samples() -> list[Path]:
    return sorted(MODELES.glob("valid/*/*.json"))


def failing_samples() -> list[Path]:
    return sorted(MODELES.glob("failing/*/*.json"))


def ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def is_envelope(document: Any) -> bool:
    return isinstance(document, dict) and "content" in document


_MESSAGE = "content[0].jsonContent.embeddedJsonContent.message"


def expected_paths(errors_file: Path) -> set[str]:
    """The property paths named in a `.errors` file, in the layer's path syntax.

    Sections: `Issues found on the envelope:` (paths `$.x.y`, relative to the document) and `Issues found on the
    $.content[0]…message header|content:` (paths relative to `message`); plus the two message-type diagnostics.
    The Hub says "Could not detect any schemas" whenever the RC-DE header is invalid (it detects the type through
    the schema's `oneOf`); sisamu detects the type from the root key and names the header fields instead, so that
    line is expected as an issue on `message` only when it is the sole diagnostic about the message.
    """
    paths: set[str] = set()
    prefix = ""
    no_schema = False
    for line in errors_file.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("Issues found on the envelope"):
            prefix = ""
        elif text.startswith("Issues found on the $."):
            prefix = text.removeprefix("Issues found on the $.").split(" ")[0] + "."
        elif text.startswith("Could not detect any schemas"):
            no_schema = True
        elif text.startswith("embeddedJsonContent: should be valid to one and only one schema"):
            paths.add(_MESSAGE.removesuffix(".message"))
        elif text.startswith("- "):
            name = text.removeprefix("- ").split(": ")[0].removeprefix("$.")
            paths.add(prefix + name)
    if no_schema and not any(path.startswith(_MESSAGE) for path in paths):
        paths.add(_MESSAGE)
    return paths
