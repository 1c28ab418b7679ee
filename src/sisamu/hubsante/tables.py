"""Tables of this feature, registered on the platform's shared metadata (tenant-owned: `samu_id` leads each key).

`hub_outbox`: messages to send, written in the business transaction and relayed after commit.
`hub_inbox`: messages received, one row per `distributionID` and receiving SAMU (the deduplication key).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from sisamu.storage.tables import metadata

NOW = text("now()")
INBOX_STATUSES = ("applied", "invalid", "duplicate", "expired")


def _ts(
    name: str, *, nullable: bool = True, default_now: bool = False, comment: str | None = None
) -> Column[object]:
    return Column(
        name,
        DateTime(timezone=True),
        nullable=nullable,
        server_default=NOW if default_now else None,
        comment=comment,
    )


hub_outbox = Table(
    "hub_outbox",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), nullable=False),
    Column("id", BigInteger, nullable=False, autoincrement=True),
    Column("distribution_id", Text, nullable=False),
    Column("sender", Text, nullable=False, comment="our client id: the routing key"),
    Column("recipient", Text, nullable=False),
    Column("kind", String(8), nullable=False, comment="distributionKind: Report, Update, Cancel, Ack, Error"),
    Column("message_type", String(32), nullable=False, comment="schema name, e.g. RS-EDA"),
    Column("body", JSONB, nullable=False, comment="the whole EDXL-DE envelope"),
    _ts("created_at", nullable=False, default_now=True),
    _ts("expires_at", nullable=False),
    _ts("next_attempt_at", nullable=False, default_now=True),
    _ts("sent_at"),
    _ts("dropped_at", nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    _ts("acked_at", nullable=True),
    Column("remote_error", Text, nullable=True, comment="RS-ERROR received about this message"),
    PrimaryKeyConstraint("samu_id", "id"),
    UniqueConstraint("samu_id", "distribution_id", name="uq_hub_outbox_distribution_id"),
    Index(
        "ix_hub_outbox_pending",
        "samu_id",
        "next_attempt_at",
        postgresql_where=text("sent_at IS NULL AND dropped_at IS NULL"),
    ),
)

hub_inbox = Table(
    "hub_inbox",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("distribution_id", Text, primary_key=True, comment="unparseable input: 'unparseable:<sha256>'"),
    Column("sender", Text, nullable=True),
    Column("kind", String(8), nullable=True),
    Column("message_type", String(32), nullable=True),
    Column("body", JSONB, nullable=False, comment="the envelope as received, or {'raw': text}"),
    _ts("received_at", nullable=False, default_now=True),
    _ts("applied_at"),
    _ts("acked_at", comment="when the functional Ack was written to the outbox"),
    Column("status", String(12), nullable=False),
    Column("error", Text, nullable=True),
    Column("deliveries", Integer, nullable=False, server_default=text("1")),
    _ts("last_delivery_at", nullable=False, default_now=True),
    CheckConstraint(f"status IN ({', '.join(repr(s) for s in INBOX_STATUSES)})", name="status"),
)

CASE_LINK_ROLES = ("shared", "received")
REQUEST_DIRECTIONS = ("sent", "received")
REQUEST_STATUSES = ("PENDING", "ACCEPTEE", "PARTIELLE", "REFUSEE", "DIFFEREE")

hub_case_link = Table(
    "hub_case_link",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True, comment="our SAMU"),
    Column("case_id", Text, primary_key=True, comment="the shared case id {orgId}.{senderCaseId}"),
    Column("partner", Text, primary_key=True, comment="the other party's Hub client id"),
    Column("number", String(24), nullable=False, comment="our local file (DRFR15…) carrying the shared id"),
    Column(
        "role", String(8), nullable=False, comment="shared: our file sent out; received: a partner's file"
    ),
    Column("owner", Text, nullable=False, comment="Hub id of the organisation in charge (RS-EDA owner)"),
    Column(
        "last_sent", JSONB, nullable=True, comment="createCaseHealth as last sent to the partner (MAJ diffs)"
    ),
    Column(
        "received", JSONB, nullable=True, comment="the partner's createCaseHealth merged with its updates"
    ),
    Column(
        "patient_map", JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Hub patientId → no"
    ),
    _ts("created_at", nullable=False, default_now=True),
    _ts("updated_at", nullable=False, default_now=True),
    CheckConstraint(f"role IN ({', '.join(repr(r) for r in CASE_LINK_ROLES)})", name="role"),
    Index("ix_hub_case_link_number", "samu_id", "number"),
)

hub_resource_request = Table(
    "hub_resource_request",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True, comment="our SAMU"),
    Column("request_id", Text, primary_key=True, comment="{orgId}.request.{id}"),
    Column("direction", String(8), nullable=False, comment="sent: we ask; received: a partner asks us"),
    Column("case_id", Text, nullable=False),
    Column("partner", Text, nullable=False),
    Column("number", String(24), nullable=True, comment="our local file, when we know it"),
    Column("request", JSONB, nullable=False, comment="the RS-DR `request` object"),
    Column("status", String(12), nullable=False, server_default=text("'PENDING'")),
    Column("response", JSONB, nullable=True, comment="the RS-RR `response` object"),
    Column("answered_by", Text, nullable=True),
    _ts("created_at", nullable=False, default_now=True),
    _ts("answered_at"),
    CheckConstraint(f"direction IN ({', '.join(repr(d) for d in REQUEST_DIRECTIONS)})", name="direction"),
    CheckConstraint(f"status IN ({', '.join(repr(s) for s in REQUEST_STATUSES)})", name="status"),
    Index("ix_hub_resource_request_pending", "samu_id", "direction", "status"),
)
