"""regulation file details carried by RS-EDA (caller, alert, address, place, what happened, patient, decision).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _jsonb(name: str) -> sa.Column[Any]:
    return sa.Column(name, postgresql.JSONB(astext_type=sa.Text()), nullable=True)


FILE_COLUMNS = (
    "caller_details",
    "received_at",
    "alert_notes",
    "location_details",
    "point_at",
    "fait",
    "risques",
    "origine",
    "intervention",
    "code_labels",
    "additional_information",
)


def upgrade() -> None:
    op.add_column("case_file", _jsonb("caller_details"))
    op.add_column("case_file", _ts("received_at"))
    op.add_column("case_file", _jsonb("alert_notes"))
    op.add_column("case_file", _jsonb("location_details"))
    op.add_column("case_file", _ts("point_at"))
    op.add_column("case_file", sa.Column("fait", sa.String(length=16), nullable=True))
    op.add_column(
        "case_file",
        sa.Column(
            "risques", postgresql.ARRAY(sa.String(length=8)), server_default=sa.text("'{}'"), nullable=False
        ),
    )
    op.add_column("case_file", sa.Column("origine", sa.String(length=16), nullable=True))
    op.add_column("case_file", sa.Column("intervention", sa.String(length=12), nullable=True))
    op.add_column("case_file", _jsonb("code_labels"))
    op.add_column("case_file", _jsonb("additional_information"))
    op.alter_column("case_file", "aml", existing_type=sa.Boolean(), nullable=True)
    op.add_column("case_patient", sa.Column("weight", sa.Float(), nullable=True))
    op.add_column("case_patient", sa.Column("height", sa.Float(), nullable=True))
    op.add_column("case_patient", _jsonb("hypothesis"))
    op.add_column("case_note", sa.Column("hub_id", sa.Text(), nullable=True))
    op.add_column("case_decision", sa.Column("comment", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("case_decision", "comment")
    op.drop_column("case_note", "hub_id")
    for column in ("hypothesis", "height", "weight"):
        op.drop_column("case_patient", column)
    op.execute("UPDATE case_file SET aml = false WHERE aml IS NULL")
    op.alter_column("case_file", "aml", existing_type=sa.Boolean(), nullable=False)
    for column in reversed(FILE_COLUMNS):
        op.drop_column("case_file", column)
