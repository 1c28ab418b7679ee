"""Hub Santé message layer: schemas, validation, EDXL-DE envelope model, replies, identifiers."""

from sisamu.hubsante.case_summary import CaseLocation, CaseSummary, Code, PatientSummary
from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.hubsante.envelope import (
    DistributionKind,
    EmbeddedMessage,
    EnvelopeError,
    HubMessage,
    Party,
    RcDeHeader,
    Status,
    new_message,
    parse_document,
    parse_envelope,
)
from sisamu.hubsante.identifiers import (
    case_id,
    distribution_id,
    local_case_number,
    parse_local_case_number,
    patient_id,
    resource_id,
    samu_org_id,
)
from sisamu.hubsante.message_types import (
    MESSAGE_TYPES,
    MessageType,
    UnknownMessageTypeError,
    message_type,
)
from sisamu.hubsante.replies import ErrorCode, build_ack, build_error
from sisamu.hubsante.validation import (
    ValidationIssue,
    validate_document,
    validate_envelope,
    validate_message,
)

__all__ = [
    "MESSAGE_TYPES",
    "CaseLocation",
    "CaseSummary",
    "Code",
    "DistributionKind",
    "EmbeddedMessage",
    "EnvelopeError",
    "ErrorCode",
    "HubMessage",
    "MessageType",
    "Party",
    "PatientSummary",
    "RcDeHeader",
    "Status",
    "UnknownMessageTypeError",
    "ValidationIssue",
    "build_ack",
    "build_error",
    "case_id",
    "distribution_id",
    "format_hub_datetime",
    "local_case_number",
    "message_type",
    "new_message",
    "parse_document",
    "parse_envelope",
    "parse_hub_datetime",
    "parse_local_case_number",
    "patient_id",
    "resource_id",
    "samu_org_id",
    "validate_document",
    "validate_envelope",
    "validate_message",
]
