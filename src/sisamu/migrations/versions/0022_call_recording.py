"""Calls' recordings: `call_recording`, one row per recorded call (the WAV file's path under the recordings folder,
when the recording began, its length and size).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_recording",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column(
            "path",
            sa.Text(),
            nullable=False,
            comment="relative to the recordings folder: <samu>/<call id>.wav",
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"]),
        sa.PrimaryKeyConstraint("samu_id", "call_id"),
    )
    op.create_index("ix_call_recording_started", "call_recording", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_call_recording_started", table_name="call_recording")
    op.drop_table("call_recording")
