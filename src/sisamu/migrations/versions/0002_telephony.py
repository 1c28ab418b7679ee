"""Telephony: calls, ARM seats, presentations, overflow agreements and pooling, call grants, callbacks, AML.

Written by hand (see `sisamu.calls.tables`); checked against the models by the calls integration tests.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _samu_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name=op.f(f"fk_{table}_samu_id_samu"))


def upgrade() -> None:
    op.create_table(
        "phone_call",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="owner of the file"),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column(
            "handling_samu_id",
            sa.String(length=8),
            nullable=False,
            comment="whose queue and seats serve the call",
        ),
        sa.Column("flux", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "seat_id",
            sa.String(length=32),
            nullable=True,
            comment="seat (of handling_samu_id) presented or answering",
        ),
        sa.Column("presentations", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("waited_s", sa.Float(), nullable=True),
        sa.Column("transfer_target", sa.String(length=16), nullable=True),
        sa.Column("transferred_to", sa.Text(), nullable=True),
        _ts("offered_at", nullable=False),
        _ts("queued_at"),
        _ts("presented_at"),
        _ts("answered_at"),
        _ts("transferred_at"),
        _ts("ended_at"),
        _ts("abandoned_at"),
        _ts("overflowed_at"),
        _ts("updated_at", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        _samu_fk("phone_call"),
        sa.PrimaryKeyConstraint("samu_id", "call_id", name=op.f("pk_phone_call")),
    )
    op.create_index("ix_phone_call_queue", "phone_call", ["handling_samu_id", "state", "offered_at"])
    op.create_index("ix_phone_call_number", "phone_call", ["samu_id", "caller_number", "offered_at"])
    op.create_index("ix_phone_call_offered", "phone_call", ["samu_id", "offered_at"])
    op.create_index(
        "uq_phone_call_busy_seat",
        "phone_call",
        ["handling_samu_id", "seat_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('presented', 'answered')"),
    )

    op.create_table(
        "arm_seat",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("seat_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column(
            "id_nat_ps",
            sa.String(length=32),
            nullable=True,
            comment="national id of the person logged in (CTI)",
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        _ts("since", nullable=False),
        _ts("idle_since"),
        sa.Column("fluxes", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column(
            "call_samu_id", sa.String(length=8), nullable=True, comment="owner of the call at the seat"
        ),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("pause_reason", sa.String(length=16), nullable=True),
        sa.Column("missed_presentations", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("after_call_work_s", sa.Integer(), server_default=sa.text("30"), nullable=False),
        _ts("after_call_work_until"),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.account_id"], name=op.f("fk_arm_seat_account_id_account")
        ),
        _samu_fk("arm_seat"),
        sa.PrimaryKeyConstraint("samu_id", "seat_id", name=op.f("pk_arm_seat")),
    )
    op.create_index("ix_arm_seat_state", "arm_seat", ["samu_id", "state"])
    op.create_index("ix_arm_seat_id_nat_ps", "arm_seat", ["samu_id", "id_nat_ps"])

    op.create_table(
        "call_presentation",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="owner of the call"),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("presentation", sa.Integer(), nullable=False),
        sa.Column("seat_samu_id", sa.String(length=8), nullable=False),
        sa.Column("seat_id", sa.String(length=32), nullable=False),
        _ts("presented_at", nullable=False),
        sa.Column(
            "outcome", sa.String(length=16), nullable=True, comment="answered, ring_timeout, withdrawn"
        ),
        _ts("closed_at"),
        sa.PrimaryKeyConstraint("samu_id", "call_id", "presentation", name=op.f("pk_call_presentation")),
    )
    op.create_index(
        "ix_call_presentation_seat", "call_presentation", ["seat_samu_id", "seat_id", "presented_at"]
    )

    op.create_table(
        "overflow_agreement",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="overflowing SAMU"),
        sa.Column(
            "partners",
            postgresql.ARRAY(sa.String(length=8)),
            nullable=False,
            comment="partner SAMUs, in order",
        ),
        sa.Column("wait_threshold_s", sa.Float(), nullable=False),
        sa.Column("queue_threshold", sa.Integer(), nullable=True),
        sa.Column(
            "hours",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
            comment="[[start, end], …]",
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _ts("updated_at", nullable=False),
        _samu_fk("overflow_agreement"),
        sa.PrimaryKeyConstraint("samu_id", name=op.f("pk_overflow_agreement")),
    )

    op.create_table(
        "overflow_pooling",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="'*' = national"),
        sa.Column("national_pooling", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("pooling_wait_s", sa.Float(), server_default=sa.text("0"), nullable=False),
        _ts("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("samu_id", name=op.f("pk_overflow_pooling")),
    )

    op.create_table(
        "call_grant",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="owner of the call and its file"),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("grantee_samu_id", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        _ts("granted_at", nullable=False),
        sa.PrimaryKeyConstraint("samu_id", "call_id", "grantee_samu_id", name=op.f("pk_call_grant")),
    )
    op.create_index("ix_call_grant_grantee", "call_grant", ["grantee_samu_id", "call_id"])

    op.create_table(
        "callback",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("callback_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column(
            "call_ids",
            postgresql.ARRAY(sa.String(length=64)),
            nullable=False,
            comment="the abandoned calls merged here, first first",
        ),
        _ts("first_abandoned_at", nullable=False),
        _ts("last_abandoned_at", nullable=False),
        sa.Column("longest_wait_s", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("seat_id", sa.String(length=32), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        _ts("started_at"),
        _ts("done_at"),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        _samu_fk("callback"),
        sa.PrimaryKeyConstraint("samu_id", "callback_id", name=op.f("pk_callback")),
    )
    op.create_index("ix_callback_state", "callback", ["samu_id", "state", "first_abandoned_at"])
    op.create_index(
        "uq_callback_open_number",
        "callback",
        ["samu_id", "caller_number"],
        unique=True,
        postgresql_where=sa.text("state <> 'done'"),
    )

    op.create_table(
        "aml_location",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("location_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("msisdn", sa.String(length=32), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("confidence_pct", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=1), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        _ts("positioned_at", nullable=False),
        _ts("received_at", nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        _samu_fk("aml_location"),
        sa.PrimaryKeyConstraint("samu_id", "location_id", name=op.f("pk_aml_location")),
    )
    op.create_index("ix_aml_location_msisdn", "aml_location", ["samu_id", "msisdn", "positioned_at"])
    op.create_index("ix_aml_location_call", "aml_location", ["samu_id", "call_id"])


def downgrade() -> None:
    for table in (
        "aml_location",
        "callback",
        "call_grant",
        "overflow_pooling",
        "overflow_agreement",
        "call_presentation",
        "arm_seat",
        "phone_call",
    ):
        op.drop_table(table)
