"""Tables of this feature, registered on the platform's shared metadata (tenant-owned: `samu_id` leads each key).

- `phone_call`: one row per call, owned by the SAMU whose number was called (`samu_id`); `handling_samu_id` is
  the SAMU whose queue and seats serve it (the partner after an overflow). Every timestamp is kept.
- `arm_seat`: one row per ARM seat (agent) of a SAMU, with the account logged in at it.
- `call_presentation`: every ring of a call at a seat (the assignment log), with its outcome.
- `overflow_agreement` (per overflowing SAMU) and `overflow_pooling` (platform row `samu_id='*'`).
- `call_grant`: a partner SAMU's access to one overflowed call of another SAMU.
- `callback`: the callback list (one open entry per number: repeated lost calls merge).
- `aml_location`: caller locations received by AML, attached to a call when one matches.
- `call_recording`: the recording of an answered call (a WAV file under the recordings folder, by relative path).
- `telephony_request`: the durable outbox of requests to the telephony (dial a number, correlate a file with its
  call), written in the transaction that decided them and sent after commit by `cti.relay`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from sisamu.storage.tables import metadata

__all__ = [
    "aml_location",
    "arm_seat",
    "call_grant",
    "call_presentation",
    "callback",
    "metadata",
    "overflow_agreement",
    "overflow_pooling",
    "phone_call",
    "telephony_request",
]

BUSY_STATES_SQL = "state IN ('presented', 'answered')"


def _ts(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


phone_call = Table(
    "phone_call",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True, comment="owner of the file"),
    Column("call_id", String(64), primary_key=True),
    Column("handling_samu_id", String(8), nullable=False, comment="whose queue and seats serve the call"),
    Column("flux", String(8), nullable=False),
    Column("priority", String(2), nullable=False),
    Column("caller_number", String(32), nullable=True),
    Column("state", String(16), nullable=False),
    Column("seat_id", String(32), nullable=True, comment="seat (of handling_samu_id) presented or answering"),
    Column("presentations", Integer, nullable=False, server_default=text("0")),
    Column("waited_s", Float, nullable=True),
    Column("transfer_target", String(16), nullable=True),
    Column("transferred_to", Text, nullable=True),
    _ts("offered_at", nullable=False),
    _ts("queued_at"),
    _ts("presented_at"),
    _ts("answered_at"),
    _ts("transferred_at"),
    _ts("ended_at"),
    _ts("abandoned_at"),
    _ts("overflowed_at"),
    _ts("updated_at", nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_phone_call_queue", "handling_samu_id", "state", "offered_at"),
    Index("ix_phone_call_number", "samu_id", "caller_number", "offered_at"),
    Index("ix_phone_call_offered", "samu_id", "offered_at"),
    # The activity indicators read every SAMU's calls of an hour; offered_at never changes (updates stay HOT).
    Index("ix_phone_call_offered_at", "offered_at"),
    Index(
        "uq_phone_call_busy_seat",
        "handling_samu_id",
        "seat_id",
        unique=True,
        postgresql_where=text(BUSY_STATES_SQL),
    ),
)

arm_seat = Table(
    "arm_seat",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("seat_id", String(32), primary_key=True),
    Column("account_id", Uuid, ForeignKey("account.account_id"), nullable=True),
    Column("id_nat_ps", String(32), nullable=True, comment="national id of the person logged in (CTI)"),
    Column("state", String(16), nullable=False),
    _ts("since", nullable=False),
    _ts("idle_since"),
    Column("fluxes", ARRAY(String(8)), nullable=False),
    Column("languages", ARRAY(String(8)), nullable=False),
    Column("call_samu_id", String(8), nullable=True, comment="owner of the call at the seat"),
    Column("call_id", String(64), nullable=True),
    Column("pause_reason", String(16), nullable=True),
    Column("missed_presentations", Integer, nullable=False, server_default=text("0")),
    Column("after_call_work_s", Integer, nullable=False, server_default=text("30")),
    _ts("after_call_work_until"),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_arm_seat_state", "samu_id", "state"),
    Index("ix_arm_seat_id_nat_ps", "samu_id", "id_nat_ps"),
)

call_presentation = Table(
    "call_presentation",
    metadata,
    Column("samu_id", String(8), primary_key=True, comment="owner of the call"),
    Column("call_id", String(64), primary_key=True),
    Column("presentation", Integer, primary_key=True),
    Column("seat_samu_id", String(8), nullable=False),
    Column("seat_id", String(32), nullable=False),
    _ts("presented_at", nullable=False),
    Column("outcome", String(16), nullable=True, comment="answered, ring_timeout, withdrawn"),
    _ts("closed_at"),
    Index("ix_call_presentation_seat", "seat_samu_id", "seat_id", "presented_at"),
)

overflow_agreement = Table(
    "overflow_agreement",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True, comment="overflowing SAMU"),
    Column("partners", ARRAY(String(8)), nullable=False, comment="partner SAMUs, in order"),
    Column("wait_threshold_s", Float, nullable=False),
    Column("queue_threshold", Integer, nullable=True),
    Column("hours", JSONB, nullable=False, server_default=text("'[]'::jsonb"), comment="[[start, end], …]"),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    _ts("updated_at", nullable=False),
)

overflow_pooling = Table(
    "overflow_pooling",
    metadata,
    Column("samu_id", String(8), primary_key=True, comment="'*' = national"),
    Column("national_pooling", Boolean, nullable=False, server_default=text("false")),
    Column("pooling_wait_s", Float, nullable=False, server_default=text("0")),
    _ts("updated_at", nullable=False),
)

call_grant = Table(
    "call_grant",
    metadata,
    Column("samu_id", String(8), primary_key=True, comment="owner of the call and its file"),
    Column("call_id", String(64), primary_key=True),
    Column("grantee_samu_id", String(8), primary_key=True),
    Column("reason", String(16), nullable=False),
    _ts("granted_at", nullable=False),
    Index("ix_call_grant_grantee", "grantee_samu_id", "call_id"),
)

callback = Table(
    "callback",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("callback_id", BigInteger, Identity(), primary_key=True),
    Column("caller_number", String(32), nullable=False),
    Column(
        "call_ids", ARRAY(String(64)), nullable=False, comment="the abandoned calls merged here, first first"
    ),
    _ts("first_abandoned_at", nullable=False),
    _ts("last_abandoned_at", nullable=False),
    Column("longest_wait_s", Float, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("outcome", String(24), nullable=True),
    Column("note", Text, nullable=True),
    Column("seat_id", String(32), nullable=True),
    Column("account_id", Uuid, nullable=True),
    _ts("started_at"),
    _ts("done_at"),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_callback_state", "samu_id", "state", "first_abandoned_at"),
    Index(
        "uq_callback_open_number",
        "samu_id",
        "caller_number",
        unique=True,
        postgresql_where=text("state <> 'done'"),
    ),
)

aml_location = Table(
    "aml_location",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("location_id", BigInteger, Identity(), primary_key=True),
    Column("call_id", String(64), nullable=True),
    Column("msisdn", String(32), nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("radius_m", Float, nullable=True),
    Column("confidence_pct", Float, nullable=True),
    Column("method", String(1), nullable=False),
    Column("transport", String(8), nullable=False),
    _ts("positioned_at", nullable=False),
    _ts("received_at", nullable=False),
    Column("raw", Text, nullable=False),
    Index("ix_aml_location_msisdn", "samu_id", "msisdn", "positioned_at"),
    Index("ix_aml_location_call", "samu_id", "call_id"),
)

call_recording = Table(
    "call_recording",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("call_id", String(64), primary_key=True),
    Column("path", Text, nullable=False, comment="relative to the recordings folder: <samu>/<call id>.wav"),
    _ts("started_at", nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    _ts("recorded_at", nullable=False),
    Index("ix_call_recording_started", "started_at"),
)

TELEPHONY_REQUEST_KINDS = ("dial", "correlate")
TELEPHONY_REQUEST_STATES = ("pending", "sent", "failed", "expired")

telephony_request = Table(
    "telephony_request",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True, comment="the seat's SAMU"),
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(12), nullable=False),
    Column(
        "body", JSONB, nullable=False, comment="the port's request (DialRequest, FileCorrelation) and its why"
    ),
    _ts("created_at", nullable=False),
    Column(
        "expires_at",
        DateTime(timezone=True),
        nullable=False,
        comment="not sent by then: expired (the ARM has moved on)",
    ),
    _ts("next_attempt_at", nullable=False),
    Column("state", String(12), nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    _ts("sent_at"),
    CheckConstraint(f"kind IN ({', '.join(repr(k) for k in TELEPHONY_REQUEST_KINDS)})", name="kind"),
    CheckConstraint(f"state IN ({', '.join(repr(s) for s in TELEPHONY_REQUEST_STATES)})", name="state"),
    Index("ix_telephony_request_due", "next_attempt_at", postgresql_where=text("state = 'pending'")),
)
