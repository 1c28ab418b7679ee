"""hub sante tables (outbox,inbox).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ts(
    name: str, *, nullable: bool = True, default_now: bool = False, comment: str | None = None
) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.text("now()") if default_now else None,
        comment=comment,
    )


def upgrade() -> None:
    op.create_table(
        "hub_outbox",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("distribution_id", sa.Text(), nullable=False),
        sa.Column("sender", sa.Text(), nullable=False, comment="our client id: the routing key"),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=8),
            nullable=False,
            comment="distributionKind: Report, Update, Cancel, Ack, Error",
        ),
        sa.Column("message_type", sa.String(length=32), nullable=False, comment="schema name, e.g. RS-EDA"),
        sa.Column(
            "body",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the whole EDXL-DE envelope",
        ),
        _ts("created_at", nullable=False, default_now=True),
        _ts("expires_at", nullable=False),
        _ts("next_attempt_at", nullable=False, default_now=True),
        _ts("sent_at"),
        _ts("dropped_at"),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("acked_at"),
        sa.Column("remote_error", sa.Text(), nullable=True, comment="RS-ERROR received about this message"),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name=op.f("fk_hub_outbox_samu_id_samu")),
        sa.PrimaryKeyConstraint("samu_id", "id", name=op.f("pk_hub_outbox")),
        sa.UniqueConstraint("samu_id", "distribution_id", name=op.f("uq_hub_outbox_distribution_id")),
    )
    op.create_index(
        "ix_hub_outbox_pending",
        "hub_outbox",
        ["samu_id", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL AND dropped_at IS NULL"),
    )
    op.create_table(
        "hub_inbox",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column(
            "distribution_id", sa.Text(), nullable=False, comment="unparseable input: 'unparseable:<sha256>'"
        ),
        sa.Column("sender", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("message_type", sa.String(length=32), nullable=True),
        sa.Column(
            "body",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the envelope as received, or {'raw': text}",
        ),
        _ts("received_at", nullable=False, default_now=True),
        _ts("applied_at"),
        _ts("acked_at", comment="when the functional Ack was written to the outbox"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("deliveries", sa.Integer(), server_default=sa.text("1"), nullable=False),
        _ts("last_delivery_at", nullable=False, default_now=True),
        sa.CheckConstraint(
            "status IN ('applied', 'invalid', 'duplicate', 'expired')", name=op.f("ck_hub_inbox_status")
        ),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name=op.f("fk_hub_inbox_samu_id_samu")),
        sa.PrimaryKeyConstraint("samu_id", "distribution_id", name=op.f("pk_hub_inbox")),
    )


def downgrade() -> None:
    op.drop_table("hub_inbox")
    op.drop_index("ix_hub_outbox_pending", table_name="hub_outbox")
    op.drop_table("hub_outbox")
