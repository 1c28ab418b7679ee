"""Telephony requests: the durable outbox of dials and file correlations sent to the telephony (`telephony_request`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = True, comment: str | None = None) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, comment=comment)


def upgrade() -> None:
    op.create_table(
        "telephony_request",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="the seat's SAMU"),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "body",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the port's request (DialRequest, FileCorrelation) and its why",
        ),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False, comment="not sent by then: expired (the ARM has moved on)"),
        _ts("next_attempt_at", nullable=False),
        sa.Column("state", sa.String(length=12), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("sent_at"),
        sa.CheckConstraint("kind IN ('dial', 'correlate')", name=op.f("ck_telephony_request_kind")),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'expired')", name=op.f("ck_telephony_request_state")
        ),
        sa.ForeignKeyConstraint(
            ["samu_id"], ["samu.samu_id"], name=op.f("fk_telephony_request_samu_id_samu")
        ),
        sa.PrimaryKeyConstraint("samu_id", "id", name=op.f("pk_telephony_request")),
    )
    op.create_index(
        "ix_telephony_request_due",
        "telephony_request",
        ["next_attempt_at"],
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_telephony_request_due", table_name="telephony_request")
    op.drop_table("telephony_request")
