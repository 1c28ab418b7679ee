"""The inbox: every received Hub message is parsed, validated, deduplicated, stored and applied in one transaction.

`Inbox.receive(body)` is what the consumer calls for each AMQP delivery, before `basic.ack`:
- larger than `max_body_bytes` (`SISAMU_HUB_MAX_BODY_BYTES`, 1 MiB by default): nothing parsed; stored `invalid`
  under `oversized:<sha256>` with its size and first bytes only → `nack` without requeue (an RS-ERROR 300 goes back
  when a `senderID` can be read from the first bytes with a bounded pattern);
- not JSON, or no `distributionID`: stored as `invalid` under `unparseable:<sha256>` → the consumer `nack`s it
  without requeue (an RS-ERROR 102 goes back when a `senderID` can be read);
- schema issues, or addressed to another client: stored `invalid`, RS-ERROR 300 back to the sender;
- `dateTimeExpires` passed: stored `expired`, not applied, RS-ERROR 500 back to the sender;
- a `distributionID` already stored for this SAMU: not applied again (`deliveries` counts the copies);
- otherwise the handler of its message type runs in the same transaction as the insert, and the functional Ack
  (RC-REF) is written to the outbox in that transaction too. Acks and error reports are never answered; an Ack
  counts only from the recipient of the acknowledged message, an error report only from it or the Hub.
The reply rows are relayed after commit like any outgoing message. An RS-ERROR carries a code and a short reason
(`replies.failure_cause` when a handler failed), never an exception's text: that goes to the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError

from sisamu.domain.clock import Clock, SystemClock
from sisamu.hubsante import outbox
from sisamu.hubsante.envelope import DistributionKind, EnvelopeError, HubMessage, parse_envelope
from sisamu.hubsante.message_types import RC_REF, RS_ERROR
from sisamu.hubsante.replies import HUB_SENDER, ErrorCode, build_ack, build_error, failure_cause
from sisamu.hubsante.tables import hub_inbox, hub_outbox
from sisamu.hubsante.validation import validate_envelope
from sisamu.platform.metrics import HUB_INBOX_MESSAGES
from sisamu.storage.uow import UnitOfWork

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, HubMessage], None]
UNANSWERED_KINDS = frozenset({DistributionKind.ACK, DistributionKind.ERROR})
_MAX_ERROR = 4000
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_PEEK_BYTES = 64 * 1024  # where the envelope's own fields are looked for in an oversized body
_KEPT_BYTES = 4 * 1024  # what is stored of an oversized body
# An envelope field with a plain string value (no escapes): read from an oversized body without parsing it.
_FIELD = re.compile(
    rb'"(senderID|distributionID|distributionKind|distributionStatus)"\s*:\s*"([^"\\]{1,256})"'
)
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")


class RejectMessageError(Exception):
    """Raised by a handler that refuses a valid message (e.g. 701 case already exists, 702 wrong sequence).

    The transaction is rolled back; the message is stored `invalid` and an RS-ERROR with `code` goes back.
    """

    def __init__(self, code: ErrorCode, cause: str) -> None:
        super().__init__(cause)
        self.code = code
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one delivery: `status` of the stored row, or `duplicate` for a copy already stored."""

    distribution_id: str
    status: str
    error: str | None = None
    reply_id: str | None = None
    nack: bool = False

    @property
    def applied(self) -> bool:
        return self.status == "applied"


def record_only(_uow: UnitOfWork, message: HubMessage) -> None:
    """The default handler: the inbox row is the record (business flows register their own handlers)."""
    log.info(
        "hub inbox: %s %s from %s recorded",
        message.message_type.schema,
        message.distribution_id,
        message.sender_id,
    )


class Inbox:
    """The receiving side of one Hub client (`client_id`, the SAMU `samu_id`)."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        samu_id: str,
        client_id: str,
        *,
        handlers: Mapping[str, Handler] | None = None,
        default_handler: Handler = record_only,
        clock: Clock | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.new_uow = new_uow  # `platform.uow`: units of work whose events reach the platform's bus
        self.samu_id = samu_id
        self.client_id = client_id
        self.clock = clock or SystemClock()
        self.max_body_bytes = max_body_bytes
        self.default_handler = default_handler
        self.handlers: dict[str, Handler] = {
            RC_REF.schema: self._on_ack,
            RS_ERROR.schema: self._on_error,
            **(handlers or {}),
        }

    def register(self, message_type: str, handler: Handler) -> None:
        self.handlers[message_type] = handler

    # --- entry point --------------------------------------------------------------------------------------------

    def receive(self, body: bytes) -> Outcome:
        """Handle one delivery; raises only on database failure (the consumer then requeues the delivery)."""
        if len(body) > self.max_body_bytes:
            outcome = self._oversized(body)
        else:
            try:
                outcome = self._read(body)
            except RecursionError:  # nested too deeply for the parser or the schemas: never a Hub message
                outcome = self._unparseable(body, None, "unparseable body: nested too deeply")
        HUB_INBOX_MESSAGES.labels(samu_id=self.samu_id, status=outcome.status).inc()
        return outcome

    def _read(self, body: bytes) -> Outcome:  # noqa: PLR0911 - one early return per rule
        try:
            document = json.loads(body)
        except UnicodeDecodeError:
            return self._unparseable(body, None, "unparseable body: not UTF-8 text")
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            return self._unparseable(body, None, f"unparseable body: not JSON ({exc.msg} at {where})")
        if not isinstance(document, dict) or not isinstance(document.get("distributionID"), str):
            return self._unparseable(body, document, "not a Hub message: no distributionID")
        if b"\\u0000" in body:  # PostgreSQL cannot store NUL in JSON text
            return self._unparseable(body, document, "NUL character in the message")
        issues = validate_envelope(document)
        if issues:
            cause = "; ".join(str(issue) for issue in issues)
            return self._invalid(document, cause, ErrorCode.INVALID_MESSAGE)
        try:
            message = parse_envelope(document)
        except EnvelopeError as exc:
            return self._invalid(document, str(exc), ErrorCode.INVALID_MESSAGE)
        if message.recipient_id != self.client_id:
            cause = f"addressed to {message.recipient_id}, received by {self.client_id}"
            return self._invalid(document, cause, ErrorCode.INVALID_MESSAGE, message)
        now = self.clock.now()
        if message.expires_at <= now:
            cause = f"expired at {message.expires_at.isoformat()}, received at {now.isoformat()}"
            return self._store_rejected(document, message, "expired", cause, ErrorCode.DEAD_LETTER_QUEUED)
        return self._apply(document, message)

    # --- outcomes -----------------------------------------------------------------------------------------------

    def _apply(self, document: dict[str, Any], message: HubMessage) -> Outcome:
        handler = self.handlers.get(message.message_type.schema, self.default_handler)
        try:
            with self.new_uow() as uow:
                now = self.clock.now()
                # The Ack is written below in this same transaction (or nothing is): the row says so at once,
                # which spares an UPDATE per message on the inbox's serial path (benchmarks/hub.py).
                answered = message.kind not in UNANSWERED_KINDS
                acked_at = now if answered else None
                if not self._insert(uow.conn, document, message, "applied", None, now, acked_at=acked_at):
                    return self._duplicate(uow.conn, message.distribution_id)
                handler(uow, message)
                reply_id = None
                if answered:
                    ack = build_ack(message, sent_at=now, sender_id=self.client_id)
                    outbox.enqueue(uow, ack, samu_id=self.samu_id)
                    reply_id = ack.distribution_id
                return Outcome(message.distribution_id, "applied", reply_id=reply_id)
        except RejectMessageError as exc:
            return self._store_rejected(document, message, "invalid", exc.cause, exc.code)
        except (OperationalError, InterfaceError):
            raise  # the database is unavailable: the consumer requeues the delivery
        except Exception as exc:
            log.exception("hub inbox: handler failed on %s", message.distribution_id)
            cause = failure_cause(exc)  # the partner's answer: never the exception's text (SQL, parameters…)
            kept = f"{cause} ({type(exc).__name__}; see the log)"
            return self._store_rejected(
                document, message, "invalid", cause, ErrorCode.INTERNAL_CLIENT_ERROR, kept=kept
            )

    def _invalid(
        self, document: dict[str, Any], cause: str, code: ErrorCode, message: HubMessage | None = None
    ) -> Outcome:
        return self._store_rejected(document, message, "invalid", cause, code)

    def _store_rejected(
        self,
        document: dict[str, Any],
        message: HubMessage | None,
        status: str,
        cause: str,
        code: ErrorCode,
        *,
        kept: str | None = None,
    ) -> Outcome:
        """Store the message with `status` and `kept` (else `cause`); send an RS-ERROR `code` with `cause` unless it
        is an Ack or an error."""
        distribution_id = str(document["distributionID"])
        with self.new_uow() as uow:
            now = self.clock.now()
            if not self._insert(uow.conn, document, message, status, kept or cause, now):
                return self._duplicate(uow.conn, distribution_id)
            reply_id = self._send_error(uow, document, code, cause, now)
        log.warning("hub inbox: %s %s (%s)", distribution_id, status, (kept or cause)[:300])
        return Outcome(distribution_id, status, error=kept or cause, reply_id=reply_id)

    def _oversized(self, body: bytes) -> Outcome:
        """A body over the limit: never parsed; its size and first bytes stored, RS-ERROR 300 to a readable
        sender, `nack` without requeue."""
        key = "oversized:" + hashlib.sha256(body).hexdigest()
        cause = f"message too large: {len(body)} bytes, the limit is {self.max_body_bytes}"
        envelope = _peek_envelope(body[:_PEEK_BYTES])
        head = body[:_KEPT_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        stored: dict[str, Any] = {"size": len(body), "head": head}
        with self.new_uow() as uow:
            now = self.clock.now()
            if not self._insert(uow.conn, stored, None, "invalid", cause, now, key=key, document=envelope):
                self._duplicate(uow.conn, key)
                return Outcome(key, "duplicate", error=cause, nack=True)
            reply_id = None
            if "senderID" in envelope:
                reply_id = self._send_error(uow, envelope, ErrorCode.INVALID_MESSAGE, cause, now)
        log.warning("hub inbox: oversized delivery stored as %s (%s)", key, cause)
        return Outcome(key, "invalid", error=cause, reply_id=reply_id, nack=True)

    def _unparseable(self, body: bytes, document: Any, cause: str) -> Outcome:
        key = "unparseable:" + hashlib.sha256(body).hexdigest()
        stored: dict[str, Any] = {"raw": body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")}
        with self.new_uow() as uow:
            now = self.clock.now()
            if not self._insert(uow.conn, stored, None, "invalid", cause, now, key=key, document=document):
                self._duplicate(uow.conn, key)
                return Outcome(key, "duplicate", error=cause, nack=True)
            reply_id = None
            if isinstance(document, dict) and isinstance(document.get("senderID"), str):
                reply_id = self._send_error(uow, document, ErrorCode.UNRECOGNIZED_MESSAGE_FORMAT, cause, now)
        log.warning("hub inbox: unparseable delivery stored as %s (%s)", key, cause)
        return Outcome(key, "invalid", error=cause, reply_id=reply_id, nack=True)

    def _duplicate(self, conn: Connection, distribution_id: str) -> Outcome:
        self._set(conn, distribution_id, deliveries=hub_inbox.c.deliveries + 1, last_delivery_at=func.now())
        log.info("hub inbox: duplicate delivery of %s ignored", distribution_id)
        return Outcome(distribution_id, "duplicate")

    # --- storage helpers ----------------------------------------------------------------------------------------

    def _insert(
        self,
        conn: Connection,
        stored: dict[str, Any],
        message: HubMessage | None,
        status: str,
        error: str | None,
        now: datetime,
        *,
        key: str | None = None,
        document: Any = None,
        acked_at: datetime | None = None,
    ) -> bool:
        """`INSERT … ON CONFLICT DO NOTHING` on (samu_id, distribution_id): False when already stored."""
        source = document if isinstance(document, dict) else stored
        sender = message.sender_id if message else source.get("senderID")
        kind = message.kind.value if message else source.get("distributionKind")
        values = {
            "samu_id": self.samu_id,
            "distribution_id": key or str(stored["distributionID"]),
            "sender": sender if isinstance(sender, str) else None,
            "kind": kind[:8] if isinstance(kind, str) else None,
            "message_type": message.message_type.schema if message else None,
            "body": stored,
            "received_at": now,
            "applied_at": now if status == "applied" else None,
            "acked_at": acked_at,
            "status": status,
            "error": error[:_MAX_ERROR] if error else None,
        }
        inserted = conn.execute(
            insert(hub_inbox).values(**values).on_conflict_do_nothing().returning(hub_inbox.c.distribution_id)
        ).first()
        return inserted is not None

    def _set(self, conn: Connection, distribution_id: str, **values: Any) -> None:
        conn.execute(
            update(hub_inbox)
            .where(hub_inbox.c.samu_id == self.samu_id, hub_inbox.c.distribution_id == distribution_id)
            .values(**values)
        )

    def _send_error(
        self, uow: UnitOfWork, document: dict[str, Any], code: ErrorCode, cause: str, now: datetime
    ) -> str | None:
        """Queue an RS-ERROR to the sender; never about an Ack or an error report (no error loops)."""
        if document.get("distributionKind") in {k.value for k in UNANSWERED_KINDS}:
            return None
        if not isinstance(document.get("senderID"), str):
            return None
        report = build_error(document, code, cause[:_MAX_ERROR], sender_id=self.client_id, sent_at=now)
        try:
            outbox.enqueue(uow, report, samu_id=self.samu_id)
        except outbox.InvalidOutgoingMessageError as exc:  # e.g. a senderID that is no valid address
            log.warning(
                "hub inbox: no RS-ERROR can be sent about %s: %s", document.get("distributionID"), exc
            )
            return None
        return report.distribution_id

    # --- built-in handlers --------------------------------------------------------------------------------------

    def _recipient_of(self, conn: Connection, distribution_id: object) -> str | None:
        """The recipient of our message `distribution_id` (None: we never sent it)."""
        if not isinstance(distribution_id, str):
            return None
        found = conn.execute(
            select(hub_outbox.c.recipient).where(
                (hub_outbox.c.samu_id == self.samu_id) & (hub_outbox.c.distribution_id == distribution_id)
            )
        ).scalar_one_or_none()
        return str(found) if found is not None else None

    def _on_ack(self, uow: UnitOfWork, message: HubMessage) -> None:
        """RC-REF: the recipient acknowledged one of our messages (an Ack from anyone else counts for nothing)."""
        referenced = message.body.get("distributionID")
        recipient = self._recipient_of(uow.conn, referenced)
        if recipient is None:
            log.warning("hub inbox: Ack for unknown message %s", referenced)
        elif recipient != message.sender_id:
            log.warning(
                "hub inbox: Ack of %s from %s, not its recipient: ignored", referenced, message.sender_id
            )
        else:
            outbox.record_ack(uow.conn, self.samu_id, str(referenced), self.clock.now())

    def _on_error(self, uow: UnitOfWork, message: HubMessage) -> None:
        """RS-ERROR: the Hub or the recipient refused one of our messages; kept on the outbox row (from anyone else,
        only logged)."""
        referenced = message.body.get("referencedDistributionID")
        code = message.body.get("errorCode", {})
        cause = message.body.get("errorCause", "")
        text = f"{code.get('statusCode')} {code.get('statusString')}: {cause}"
        recipient = self._recipient_of(uow.conn, referenced)
        if recipient is not None and message.sender_id in {recipient, HUB_SENDER}:
            outbox.record_remote_error(uow.conn, self.samu_id, str(referenced), text)
        log.warning("hub inbox: RS-ERROR from %s about %s: %s", message.sender_id, referenced, text[:300])


def _peek_envelope(head: bytes) -> dict[str, str]:
    """The envelope fields an oversized body states plainly in its first bytes (a bounded pattern, no parsing):
    enough to address an RS-ERROR. The first occurrence of each counts; a `senderID` that is no client id, none."""
    found: dict[str, str] = {}
    for match in _FIELD.finditer(head):
        name = match.group(1).decode()
        try:
            value = match.group(2).decode("utf-8")
        except UnicodeDecodeError:
            continue
        found.setdefault(name, value)
    if not _CLIENT_ID.fullmatch(found.get("senderID", "")):
        found.pop("senderID", None)
    return found
