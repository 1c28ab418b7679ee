"""Replies to a received message: the functional Ack (RC-REF) and the error report (RS-ERROR).

An RS-ERROR goes to another organisation: its `errorCause` is a short reason chosen by category (`failure_cause`),
never the text of an exception (which may carry SQL, its parameters, paths or patient data); the detail stays in
our log.
"""

from __future__ import annotations

import copy
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from sisamu.domain.errors import DomainError
from sisamu.hubsante.envelope import DistributionKind, HubMessage, Status, new_message
from sisamu.hubsante.message_types import RC_REF, RS_ERROR

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

UNAVAILABLE_DISTRIBUTION_ID = "UNAVAILABLE"
HUB_SENDER = "fr.health.hub"  # the Hub's own client id: its error reports come from it


class ErrorCode(IntEnum):
    """The Hub's error codes (`errorCode.statusCode`; `statusString` is the member name).

    1xx set-up, 2xx authorisation, 3xx message content, 4xx/5xx delivery, 6xx conversion, 7xx client side.
    """

    DELIVERY_MODE_INCONSISTENCY = 100
    NOT_ALLOWED_CONTENT_TYPE = 101
    UNRECOGNIZED_MESSAGE_FORMAT = 102
    SENDER_INCONSISTENCY = 200
    INVALID_MESSAGE = 300
    SCHEMA_NOT_FOUND = 301
    EXPIRED_MESSAGE_BEFORE_ROUTING = 400
    DEAD_LETTER_QUEUED = 500
    UNROUTABLE_MESSAGE = 501
    MESSAGE_CONVERSION_ERROR = 600
    INTERNAL_CLIENT_ERROR = 700
    CASE_ALREADY_EXISTS = 701
    WRONG_MESSAGE_SEQUENCE = 702
    UNKNOWN_SENDER = 703
    INSUFFICIENT_DATA = 704

    @property
    def status_string(self) -> str:
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return {"statusCode": int(self), "statusString": self.status_string}


# What a partner is told when applying its message failed, by category of failure (the detail is logged).
STORAGE_FAILED = "internal error: the message could not be recorded"
RULE_REFUSED = "the message could not be applied: refused by the receiving software's rules"
CONTENT_UNEXPECTED = "the message could not be applied: unexpected content"
INTERNAL_FAILURE = "internal error while applying the message"


def failure_cause(exc: BaseException) -> str:
    """The short reason an RS-ERROR gives for a failure to apply a message: a fixed sentence by category of `exc`,
    never its text."""
    if isinstance(exc, SQLAlchemyError):
        return STORAGE_FAILED
    if isinstance(exc, DomainError):
        return RULE_REFUSED
    if isinstance(exc, (KeyError, IndexError, TypeError, ValueError)):
        return CONTENT_UNEXPECTED
    return INTERNAL_FAILURE


def build_ack(
    received: HubMessage, *, sent_at: datetime, sender_id: str | None = None, unique_id: str | None = None
) -> HubMessage:
    """The functional acknowledgement of `received`, addressed back to its sender (never acknowledge an Ack).

    The sender is the recipient of `received` unless `sender_id` (our client id) is given.
    """
    if received.kind is DistributionKind.ACK:
        raise ValueError("an Ack is never acknowledged")
    return new_message(
        RC_REF,
        {"distributionID": received.distribution_id},
        sender_id=sender_id or received.recipient_id,
        recipient_id=received.sender_id,
        recipient=received.header.sender if received.header else None,
        sent_at=sent_at,
        kind=DistributionKind.ACK,
        status=received.status,
        unique_id=unique_id,
    )


def build_error(
    received: HubMessage | Mapping[str, Any],
    code: ErrorCode,
    cause: str,
    *,
    sender_id: str,
    sent_at: datetime,
    unique_id: str | None = None,
) -> HubMessage:
    """An RS-ERROR report about `received` (a parsed message, or the raw envelope when it could not be parsed)."""
    source = received.to_envelope() if isinstance(received, HubMessage) else copy.deepcopy(dict(received))
    referenced = source.get("distributionID")
    recipient_id = source.get("senderID")
    if not isinstance(recipient_id, str):
        raise ValueError("cannot address an error report: the received message has no senderID")  # noqa: TRY004
    body: dict[str, Any] = {
        "errorCode": code.to_dict(),
        "errorCause": cause,
        "sourceMessage": source,
        "referencedDistributionID": referenced
        if isinstance(referenced, str)
        else UNAVAILABLE_DISTRIBUTION_ID,
    }
    status = source.get("distributionStatus")
    return new_message(
        RS_ERROR,
        body,
        sender_id=sender_id,
        recipient_id=recipient_id,
        sent_at=sent_at,
        kind=DistributionKind.ERROR,
        status=Status(status) if status in {Status.ACTUAL, Status.EXERCISE} else Status.ACTUAL,
        unique_id=unique_id,
    )
