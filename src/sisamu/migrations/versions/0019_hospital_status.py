"""Hospital availability in crisis and the allocation assistant (issue 16).

`hospital_status` (EDXL-HAVE: emergency department and facility status, plan-blanc level, last update),
`hospital_beds` (available and baseline beds per category, never negative), `hospital_status_history` (append-only),
`hospital_account` (the establishment a hospital's account speaks for) and `victim_allocation` (destinations
confirmed by a regulator, one per victim).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_HOSPITAL = ["samu_id", "hospital_id"]
_STATUS_REF = ["hospital_status.samu_id", "hospital_status.hospital_id"]
_SAMU = (["samu_id"], ["samu.samu_id"])


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "hospital_status",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("ed_status", sa.String(12), nullable=False),
        sa.Column("facility_status", sa.String(12), nullable=False),
        sa.Column("plan_blanc", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("updated_at"),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(*_SAMU, name="fk_hospital_status_samu"),
        sa.PrimaryKeyConstraint("samu_id", "hospital_id", name="pk_hospital_status"),
    )
    op.create_table(
        "hospital_beds",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("bed_type", sa.String(12), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Integer(), nullable=True),
        sa.CheckConstraint("available >= 0", name=op.f("ck_hospital_beds_available")),
        sa.ForeignKeyConstraint(_HOSPITAL, _STATUS_REF, name="fk_hospital_beds_status"),
        sa.PrimaryKeyConstraint("samu_id", "hospital_id", "bed_type", name="pk_hospital_beds"),
    )
    op.create_table(
        "hospital_status_history",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("cause", sa.String(12), nullable=False),
        sa.Column("state", sa.dialects.postgresql.JSONB(), nullable=False),
        sa.ForeignKeyConstraint(_HOSPITAL, _STATUS_REF, name="fk_hospital_status_history_status"),
        sa.PrimaryKeyConstraint("samu_id", "hospital_id", "version", name="pk_hospital_status_history"),
    )
    op.create_table(
        "hospital_account",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], name="fk_hospital_account_account"),
        sa.ForeignKeyConstraint(*_SAMU, name="fk_hospital_account_samu"),
        sa.PrimaryKeyConstraint("account_id", name="pk_hospital_account"),
    )
    op.create_table(
        "victim_allocation",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("victim_id", sa.String(40), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("bed_type", sa.String(12), nullable=False),
        sa.Column("triage", sa.String(12), nullable=False),
        sa.Column("travel_s", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        _ts("decided_at"),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(*_SAMU, name="fk_victim_allocation_samu"),
        sa.PrimaryKeyConstraint("samu_id", "victim_id", name="pk_victim_allocation"),
    )
    op.create_index(
        "ix_victim_allocation_hospital", "victim_allocation", ["samu_id", "hospital_id", "decided_at"]
    )
    # sisamu_append_only() comes from 0001: the history is never rewritten
    op.execute(
        "CREATE TRIGGER hospital_status_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON hospital_status_history FOR EACH STATEMENT EXECUTE FUNCTION sisamu_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS hospital_status_history_append_only ON hospital_status_history")
    op.drop_index("ix_victim_allocation_hospital", table_name="victim_allocation")
    op.drop_table("victim_allocation")
    op.drop_table("hospital_account")
    op.drop_table("hospital_status_history")
    op.drop_table("hospital_beds")
    op.drop_table("hospital_status")
