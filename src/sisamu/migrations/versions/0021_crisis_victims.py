"""The victims registry of a crisis (issue 16 part 3): victims by bracelet number, their triage history, and the
per-crisis counter of the numbers sisamu allocates when no bracelet was read.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_victim_counter",
        sa.Column("crisis_id", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crisis.crisis_id"], name=op.f("fk_crisis_victim_counter_crisis_id_crisis")
        ),
        sa.PrimaryKeyConstraint("crisis_id", name=op.f("pk_crisis_victim_counter")),
    )
    op.create_table(
        "crisis_victim",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("crisis_id", sa.BigInteger(), nullable=False),
        sa.Column("allocated_seq", sa.Integer(), nullable=True),
        sa.Column("triage", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("nationality", sa.Text(), nullable=True),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("pma", sa.Text(), nullable=True),
        sa.Column("vector", sa.String(length=16), nullable=True),
        sa.Column("destination", sa.String(length=80), nullable=True),
        sa.Column("file_number", sa.String(length=32), nullable=True),
        sa.Column("patient_no", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crisis.crisis_id"], name=op.f("fk_crisis_victim_crisis_id_crisis")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_crisis_victim")),
    )
    op.create_index(op.f("ix_crisis_victim_crisis_id"), "crisis_victim", ["crisis_id"], unique=False)
    op.create_table(
        "crisis_victim_triage",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("triage", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["number"], ["crisis_victim.number"], name="fk_crisis_victim_triage_number"),
        sa.PrimaryKeyConstraint("number", "seq", name=op.f("pk_crisis_victim_triage")),
    )


def downgrade() -> None:
    op.drop_table("crisis_victim_triage")
    op.drop_index(op.f("ix_crisis_victim_crisis_id"), table_name="crisis_victim")
    op.drop_table("crisis_victim")
    op.drop_table("crisis_victim_counter")
