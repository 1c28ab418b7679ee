"""Tables of crises (private to this feature; other features use `queries` and `service`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from sisamu.storage.tables import metadata


def _ts(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


crisis = Table(
    "crisis",
    metadata,
    Column("crisis_id", BigInteger, Identity(), primary_key=True),
    Column("scope", String(12), nullable=False),
    Column("owner_samu_id", String(8), ForeignKey("samu.samu_id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("attribution", String(24), nullable=False),  # HubSante.attribution given to the crisis' files
    _ts("opened_at"),
    Column("opened_by", Text, nullable=False),
    _ts("closed_at", nullable=True),
    Column("closed_by", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("pooling_switched", Boolean, nullable=False, server_default=text("false")),
    # The head of the crisis log's chain, moved with each entry in the same transaction: a cut tail shows.
    Column("log_seq", Integer, nullable=False, server_default=text("0")),
    Column("log_hash", String(64), nullable=False, server_default=text("repeat('0', 64)")),
)

# The SAMUs a crisis involves; `released_at` is set when the crisis closes. One crisis open per SAMU at a time.
crisis_samu = Table(
    "crisis_samu",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), primary_key=True),
    _ts("attached_at"),
    Column("attached_by", Text, nullable=False),
    _ts("released_at", nullable=True),
    Index("uq_crisis_samu_open", "samu_id", unique=True, postgresql_where=text("released_at IS NULL")),
)

# Append-only (trigger `crisis_log_append_only`; the application's role may only read and insert).
crisis_log = Table(
    "crisis_log",
    metadata,
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    _ts("at"),
    Column("author_id", Uuid, nullable=True),  # None: written by the platform from a domain event
    Column("author", Text, nullable=False),
    Column("author_samu_id", String(8), nullable=True),
    Column("source", Text, nullable=False),
    Column("information", Text, nullable=False),
    Column("verification", String(16), nullable=False),
    Column("decision", Text, nullable=False, server_default=""),
    Column("action", Text, nullable=False, server_default=""),
    Column("owner", Text, nullable=False, server_default=""),
    _ts("due_at", nullable=True),
    Column("refers_to", Integer, nullable=True),
    Column("link_kind", String(16), nullable=True),
    Column("link_id", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    ForeignKeyConstraint(
        ["crisis_id", "refers_to"], ["crisis_log.crisis_id", "crisis_log.seq"], name="fk_crisis_log_refers_to"
    ),
)

# The files opened in a SAMU while it was in crisis, and the attribution they were given.
crisis_file = Table(
    "crisis_file",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), nullable=False, index=True),
    Column("attribution", String(24), nullable=False),
    _ts("attributed_at"),
)

# Reinforcements: people of other SAMUs who take part in the crisis while it lasts (revoked when it closes).
crisis_reinforcement = Table(
    "crisis_reinforcement",
    metadata,
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), primary_key=True),
    Column("account_id", Uuid, ForeignKey("account.account_id"), primary_key=True),
    Column("username", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("role", String(24), nullable=False),
    Column("home_samu_id", String(8), nullable=True),
    _ts("joined_at"),
    Column("added_by", Text, nullable=False),
    _ts("revoked_at", nullable=True),
    Column("revoked_by", Text, nullable=True),
)
