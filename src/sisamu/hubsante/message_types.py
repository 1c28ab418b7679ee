"""Hub Santé message types: schema name ↔ root key ↔ perimeter (from the model's `schemas.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MessageType:
    """One Hub Santé message type.

    `schema` names the JSON Schema file (`<schema>.schema.json`); `root_key` is the property that holds the body
    inside `message`; `header` tells whether the RC-DE header fields must accompany it.
    """

    schema: str
    root_key: str
    perimeter: str
    header: bool

    @property
    def schema_file(self) -> str:
        return f"{self.schema}.schema.json"


# Mirrors `schemas/schemas.yaml` of ansforge/SAMU-Hub-Modeles (checked by a unit test against the reference copy).
MESSAGE_TYPES: tuple[MessageType, ...] = (
    MessageType("TECHNICAL", "technical", "TECHNICAL", header=True),
    MessageType("TECHNICAL_NOREQ", "technicalNoreq", "TECHNICAL_NOREQ", header=False),
    MessageType("RC-DE", "distributionElement", "15-15", header=False),
    MessageType("RC-EDA", "createCase", "15-18", header=True),
    MessageType("RS-EDA", "createCaseHealth", "15-15", header=True),
    MessageType("RS-EDA-MAJ", "createCaseHealthUpdate", "15-MAJ", header=True),
    MessageType("RC-REF", "reference", "15-15", header=True),
    MessageType("EMSI", "emsi", "15-15", header=True),
    MessageType("RS-RI", "resourcesInfo", "15-15", header=True),
    MessageType("RC-RI", "resourcesInfoCisu", "15-18", header=True),
    MessageType("RS-ER", "resourcesEngagement", "15-SMUR", header=True),
    MessageType("RS-SR", "resourcesStatus", "15-15", header=True),
    MessageType("RS-DR", "resourcesRequest", "15-15", header=True),
    MessageType("RS-RR", "resourcesResponse", "15-15", header=True),
    MessageType("RS-RPIS", "rpis", "15-SMUR", header=True),
    MessageType("RS-BPV", "interventionReport", "15-SMUR", header=True),
    MessageType("RS-URL", "documentLink", "15-SMUR", header=True),
    MessageType("GEO-POS", "geoPositionsUpdate", "15-15", header=True),
    MessageType("GEO-REQ", "geoResourcesRequest", "15-15", header=True),
    MessageType("GEO-RES", "geoResourcesDetails", "15-15", header=True),
    MessageType("RS-SAS-RDV", "appointment", "15-SAS", header=True),
    MessageType("RS-ERROR", "error", "15-15", header=False),
    MessageType("customContent", "customContent", "15-15", header=False),
)

ENVELOPE_SCHEMA = "EDXL-DE-envelope-only"
FULL_ENVELOPE_SCHEMA = "EDXL-DE-full"

_BY_SCHEMA = {t.schema: t for t in MESSAGE_TYPES}
_BY_ROOT_KEY = {t.root_key: t for t in MESSAGE_TYPES}

ROOT_KEYS: frozenset[str] = frozenset(_BY_ROOT_KEY)

RS_EDA = _BY_SCHEMA["RS-EDA"]
RC_EDA = _BY_SCHEMA["RC-EDA"]
RC_REF = _BY_SCHEMA["RC-REF"]
RS_ERROR = _BY_SCHEMA["RS-ERROR"]


class UnknownMessageTypeError(KeyError):
    """Neither a schema name (`RS-EDA`) nor a root key (`createCaseHealth`) of a known message type."""


def message_type(type_or_root_key: str | MessageType) -> MessageType:
    """The message type named by its schema (`RS-EDA`) or its root key (`createCaseHealth`)."""
    if isinstance(type_or_root_key, MessageType):
        return type_or_root_key
    found = _BY_SCHEMA.get(type_or_root_key) or _BY_ROOT_KEY.get(type_or_root_key)
    if found is None:
        raise UnknownMessageTypeError(type_or_root_key)
    return found


def by_root_key(root_key: str) -> MessageType | None:
    return _BY_ROOT_KEY.get(root_key)
