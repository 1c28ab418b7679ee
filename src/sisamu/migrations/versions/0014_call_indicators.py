"""Activity indicators: hourly rollups of the calls (`call_hour`), how far they are final (`analytics_state`), and
an index on the calls' offer time that the rollups read by.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_COUNTS = (
    "offered",
    "answered",
    "answered_30",
    "answered_60",
    "abandoned",
    "lost",
    "overflow_out",
    "overflow_in",
)


def upgrade() -> None:
    op.create_table(
        "call_hour",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column(
            "hour",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="start of the hour (UTC) the calls were offered",
        ),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column(
            "wait_hist",
            postgresql.ARRAY(sa.Integer()),
            nullable=False,
            comment="answered calls by wait, 5 s buckets, last ≥ 600 s",
        ),
        sa.Column("lost_threshold_s", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("samu_id", "hour"),
    )
    op.create_table(
        "analytics_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("through", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ix_phone_call_offered_at", "phone_call", ["offered_at"])


def downgrade() -> None:
    op.drop_index("ix_phone_call_offered_at", table_name="phone_call")
    op.drop_table("analytics_state")
    op.drop_table("call_hour")
