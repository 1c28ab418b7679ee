"""Regulation and SMUR indicators: hourly rollups of the files and missions (`activity_hour`), and indexes on the
files' opening and the missions' creation times that the rollups read by.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_COUNTS = (
    "files_opened",
    "files_p0",
    "files_p1",
    "files_p2",
    "files_p3",
    "files_nr",
    "files_dr",
    "files_drm",
    "files_regulated",
    "files_decided",
    "smur_missions",
)
_HISTS = ("to_regulation_hist", "to_decision_hist", "departure_hist", "on_scene_hist", "duration_hist")


def upgrade() -> None:
    op.create_table(
        "activity_hour",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column(
            "hour",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="start of the hour (UTC) the files were opened and the missions created",
        ),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        *(sa.Column(name, postgresql.ARRAY(sa.Integer()), nullable=False) for name in _HISTS),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("samu_id", "hour"),
    )
    op.create_index("ix_case_file_created_at", "case_file", ["created_at"])
    op.create_index("ix_mission_created_at", "mission", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_mission_created_at", table_name="mission")
    op.drop_index("ix_case_file_created_at", table_name="case_file")
    op.drop_table("activity_hour")
