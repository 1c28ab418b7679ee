"""The EDXL-DE envelope and its RC-DE header as typed values: parse, build, serialise back to JSON."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.hubsante.identifiers import distribution_id as new_distribution_id
from sisamu.hubsante.message_types import MessageType, by_root_key, message_type

HUB_ADDRESS_SCHEME = "hubex"
DEFAULT_LANGUAGE = "fr-FR"
DEFAULT_VALIDITY = timedelta(days=1)
_E = TypeVar("_E", bound=StrEnum)
HEADER_FIELDS = ("messageId", "sender", "sentAt", "kind", "status", "recipient")


class EnvelopeError(ValueError):
    """The document does not have the structure of a Hub Santé message (validate it first for details)."""


class DistributionKind(StrEnum):
    REPORT = "Report"
    UPDATE = "Update"
    CANCEL = "Cancel"
    ACK = "Ack"
    ERROR = "Error"


class Status(StrEnum):
    """`distributionStatus` (Actual, Exercise) and RC-DE `status` (which also allows System)."""

    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    SYSTEM = "System"


def _get(data: Mapping[str, Any], key: str, kind: type[Any], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise EnvelopeError(f"{where}{key}: {kind.__name__} expected, got {type(value).__name__}")
    return value


def _datetime(data: Mapping[str, Any], key: str, where: str) -> datetime:
    try:
        return parse_hub_datetime(_get(data, key, str, where))
    except ValueError as exc:
        raise EnvelopeError(f"{where}{key}: {exc}") from exc


def _enum(enum: type[_E], data: Mapping[str, Any], key: str, where: str) -> _E:
    try:
        return enum(_get(data, key, str, where))
    except ValueError as exc:
        raise EnvelopeError(f"{where}{key}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or recipient system in the RC-DE header (`name`, `URI` such as `hubex:fr.health.samu440`)."""

    name: str
    uri: str

    @classmethod
    def for_client(cls, client_id: str) -> Party:
        return cls(name=client_id, uri=f"{HUB_ADDRESS_SCHEME}:{client_id}")

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Party:
        if not isinstance(data, Mapping):
            raise EnvelopeError(f"{where}: object expected")
        return cls(name=_get(data, "name", str, f"{where}."), uri=_get(data, "URI", str, f"{where}."))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "URI": self.uri}


@dataclass(frozen=True, slots=True)
class RcDeHeader:
    """The RC-DE fields that accompany the body inside `message`."""

    message_id: str
    sender: Party
    sent_at: datetime
    kind: DistributionKind
    status: Status
    recipients: tuple[Party, ...]

    @classmethod
    def from_message(cls, message: Mapping[str, Any], where: str = "message.") -> RcDeHeader:
        recipients = _get(message, "recipient", list, where)
        return cls(
            message_id=_get(message, "messageId", str, where),
            sender=Party.from_dict(message.get("sender"), f"{where}sender"),
            sent_at=_datetime(message, "sentAt", where),
            kind=_enum(DistributionKind, message, "kind", where),
            status=_enum(Status, message, "status", where),
            recipients=tuple(Party.from_dict(r, f"{where}recipient[{i}]") for i, r in enumerate(recipients)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "messageId": self.message_id,
            "sender": self.sender.to_dict(),
            "sentAt": format_hub_datetime(self.sent_at),
            "kind": self.kind.value,
            "status": self.status.value,
            "recipient": [r.to_dict() for r in self.recipients],
        }


@dataclass(frozen=True, slots=True)
class EmbeddedMessage:
    """One `content[i].jsonContent.embeddedJsonContent.message`: optional RC-DE header, typed root key, body.

    `body` is the JSON object under the root key, kept as a dict; `extra` holds any other property of `message`
    (RC-DE allows additional properties) so that nothing is lost on the way back.
    """

    message_type: MessageType
    body: dict[str, Any]
    header: RcDeHeader | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def root_key(self) -> str:
        return self.message_type.root_key

    @classmethod
    def from_message(
        cls, message: Any, where: str = "message", *, require_header: bool = True
    ) -> EmbeddedMessage:
        """Read a `message` object; the RC-DE header is required when its type asks for it (`require_header`)."""
        if not isinstance(message, Mapping):
            raise EnvelopeError(f"{where}: object expected")
        keys = [key for key in message if by_root_key(key) is not None]
        if len(keys) != 1:
            raise EnvelopeError(f"{where}: exactly one message type expected, found {keys or 'none'}")
        kind = message_type(keys[0])
        body = message[kind.root_key]
        if not isinstance(body, Mapping):
            raise EnvelopeError(f"{where}.{kind.root_key}: object expected")
        has_header = all(name in message for name in HEADER_FIELDS)
        if require_header and kind.header and not has_header:
            raise EnvelopeError(f"{where}: the RC-DE header is required for {kind.schema}")
        header = RcDeHeader.from_message(message, f"{where}.") if has_header else None
        skipped = {kind.root_key, *(HEADER_FIELDS if header else ())}
        extra = {key: copy.deepcopy(value) for key, value in message.items() if key not in skipped}
        return cls(message_type=kind, body=copy.deepcopy(dict(body)), header=header, extra=extra)

    def to_message(self) -> dict[str, Any]:
        message = self.header.to_dict() if self.header else {}
        message[self.root_key] = copy.deepcopy(self.body)
        message.update(copy.deepcopy(self.extra))
        return message

    def to_document(self) -> dict[str, Any]:
        """The bare body document `{"<rootKey>": {...}}`, as in the official examples."""
        return {self.root_key: copy.deepcopy(self.body)}


def parse_document(document: Any) -> EmbeddedMessage:
    """Read a bare body document `{"<rootKey>": {...}}` (message type detected from the root key)."""
    return EmbeddedMessage.from_message(document, where="$", require_header=False)


@dataclass(frozen=True, slots=True)
class HubMessage:
    """A whole Hub Santé message: the EDXL-DE envelope with one explicit recipient and its content."""

    distribution_id: str
    sender_id: str
    sent_at: datetime
    expires_at: datetime
    status: Status
    kind: DistributionKind
    recipient_id: str
    contents: tuple[EmbeddedMessage, ...]
    address_scheme: str = HUB_ADDRESS_SCHEME
    language: str = DEFAULT_LANGUAGE

    @property
    def content(self) -> EmbeddedMessage:
        """`content[0]`: the message proper (the Hub sends one)."""
        return self.contents[0]

    @property
    def message_type(self) -> MessageType:
        return self.content.message_type

    @property
    def body(self) -> dict[str, Any]:
        return self.content.body

    @property
    def header(self) -> RcDeHeader | None:
        return self.content.header

    def to_envelope(self) -> dict[str, Any]:
        return {
            "distributionID": self.distribution_id,
            "senderID": self.sender_id,
            "dateTimeSent": format_hub_datetime(self.sent_at),
            "dateTimeExpires": format_hub_datetime(self.expires_at),
            "distributionStatus": self.status.value,
            "distributionKind": self.kind.value,
            "descriptor": {
                "language": self.language,
                "explicitAddress": {
                    "explicitAddressScheme": self.address_scheme,
                    "explicitAddressValue": self.recipient_id,
                },
            },
            "content": [
                {"jsonContent": {"embeddedJsonContent": {"message": item.to_message()}}}
                for item in self.contents
            ],
        }


def _message_of(item: Any, index: int) -> Any:
    where = f"content[{index}]"
    for step in ("jsonContent", "embeddedJsonContent"):
        if not isinstance(item, Mapping) or not isinstance(item.get(step), Mapping):
            raise EnvelopeError(f"{where}.{step}: object expected")
        item, where = item[step], f"{where}.{step}"
    return item.get("message")


def parse_envelope(envelope: Any) -> HubMessage:
    """Read an EDXL-DE message into a `HubMessage` (structure only; use `validate_envelope` for the schemas)."""
    if not isinstance(envelope, Mapping):
        raise EnvelopeError("envelope: object expected")
    descriptor = _get(envelope, "descriptor", Mapping, "")
    address = _get(descriptor, "explicitAddress", Mapping, "descriptor.")
    content = _get(envelope, "content", list, "")
    if not content:
        raise EnvelopeError("content: at least one item expected")
    prefix = "content[{}].jsonContent.embeddedJsonContent.message"
    return HubMessage(
        distribution_id=_get(envelope, "distributionID", str, ""),
        sender_id=_get(envelope, "senderID", str, ""),
        sent_at=_datetime(envelope, "dateTimeSent", ""),
        expires_at=_datetime(envelope, "dateTimeExpires", ""),
        status=_enum(Status, envelope, "distributionStatus", ""),
        kind=_enum(DistributionKind, envelope, "distributionKind", ""),
        recipient_id=_get(address, "explicitAddressValue", str, "descriptor.explicitAddress."),
        address_scheme=_get(address, "explicitAddressScheme", str, "descriptor.explicitAddress."),
        language=_get(descriptor, "language", str, "descriptor."),
        contents=tuple(
            EmbeddedMessage.from_message(_message_of(item, i), prefix.format(i))
            for i, item in enumerate(content)
        ),
    )


def new_message(
    type_or_root_key: str | MessageType,
    body: Mapping[str, Any],
    *,
    sender_id: str,
    recipient_id: str,
    sent_at: datetime,
    kind: DistributionKind = DistributionKind.REPORT,
    status: Status = Status.ACTUAL,
    expires_at: datetime | None = None,
    unique_id: str | None = None,
    recipient: Party | None = None,
) -> HubMessage:
    """Build a message from `sender_id` (our client id, the routing key) to one recipient, with its RC-DE header.

    `distributionID` = `messageId` = `{senderID}_{uniqueId}` (a random UUID unless given); the message expires
    `DEFAULT_VALIDITY` after `sent_at` unless `expires_at` is given.
    """
    kind_of_body = message_type(type_or_root_key)
    identifier = new_distribution_id(sender_id, unique_id)
    sent_at = sent_at.replace(microsecond=0)
    header = RcDeHeader(
        message_id=identifier,
        sender=Party.for_client(sender_id),
        sent_at=sent_at,
        kind=kind,
        status=status,
        recipients=(recipient or Party.for_client(recipient_id),),
    )
    return HubMessage(
        distribution_id=identifier,
        sender_id=sender_id,
        sent_at=sent_at,
        expires_at=expires_at or sent_at + DEFAULT_VALIDITY,
        status=status,
        kind=kind,
        recipient_id=recipient_id,
        contents=(EmbeddedMessage(message_type=kind_of_body, body=copy.deepcopy(dict(body)), header=header),),
    )
