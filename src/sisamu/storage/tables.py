"""SQLAlchemy tables of the foundation: tenants, reference data, accounts, sessions, audit trail.

Every tenant-owned table leads its primary key with `samu_id`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

NOW = text("now()")


def _ts(name: str, *, nullable: bool = False, default_now: bool = False) -> Column[object]:
    return Column(
        name, DateTime(timezone=True), nullable=nullable, server_default=NOW if default_now else None
    )


samu = Table(
    "samu",
    metadata,
    Column("samu_id", String(8), primary_key=True, comment="CRRA id, e.g. 250"),
    Column("hub_id", String(64), nullable=False, unique=True, comment="Hub Santé id, e.g. fr.health.samu250"),
    Column("departement", String(3), nullable=False),
    Column("name", Text, nullable=False),
    Column("city_insee", String(5), nullable=False),
    Column("timezone", Text, nullable=False),
    Column("pilot", Boolean, nullable=False, server_default=text("false")),
    _ts("created_at", default_now=True),
)

hospital = Table(
    "hospital",
    metadata,
    Column("hospital_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("departement", String(3), nullable=False, index=True),
    Column("city_insee", String(5), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("finess", String(9), nullable=True),
    Column("specialties", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("beds", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)

smur_base = Table(
    "smur_base",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("base_id", String(64), primary_key=True),
    Column("hospital_id", String(64), ForeignKey("hospital.hospital_id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("helismur", Boolean, nullable=False, server_default=text("false")),
)

account = Table(
    "account",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("username", String(120), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), nullable=True, index=True),
    Column("password_hash", Text, nullable=True),
    Column("totp_secret", Text, nullable=True),
    Column("totp_required", Boolean, nullable=False, server_default=text("true")),
    Column(
        "totp_last_step", BigInteger, nullable=True, comment="last TOTP time step used: a code passes once"
    ),
    Column("oidc_subject", Text, nullable=True, unique=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("demo", Boolean, nullable=False, server_default=text("false")),
    _ts("created_at", default_now=True),
)

web_session = Table(
    "web_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "account_id", Uuid, ForeignKey("account.account_id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("csrf_token", String(64), nullable=False),
    _ts("created_at", default_now=True),
    _ts("expires_at"),
    Column("ip", Text, nullable=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("token_id", Uuid, primary_key=True),
    Column(
        "account_id", Uuid, ForeignKey("account.account_id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    _ts("created_at", default_now=True),
    _ts("expires_at"),
    _ts("revoked_at", nullable=True),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("attempt_id", BigInteger, primary_key=True, autoincrement=True),
    Column("username", String(120), nullable=False),
    Column("ip", Text, nullable=False),
    Column("success", Boolean, nullable=False),
    _ts("at", default_now=True),
    Index("ix_login_attempt_username_at", "username", "at"),
    Index("ix_login_attempt_ip_at", "ip", "at"),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("samu_id", String(8), primary_key=True, comment="tenant whose data was touched; '*' = platform"),
    Column("seq", BigInteger, primary_key=True),
    _ts("at"),
    Column("actor_id", Uuid, nullable=True),
    Column("actor", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", Text, nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_event_object", "samu_id", "object_type", "object_id"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

room_note = Table(
    "room_note",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("note_id", Integer, primary_key=True, autoincrement=False),
    Column("author_id", Uuid, ForeignKey("account.account_id"), nullable=False),
    Column("author", Text, nullable=False),
    Column("body", Text, nullable=False),
    _ts("created_at", default_now=True),
)
