"""Call indicators by day: `call_day`, the hourly counts summed per SAMU and day in Europe/Paris (a year by day reads
365 rows per SAMU), filled from `call_hour` for the days already counted.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
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
        "call_day",
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="the day in Europe/Paris, summed from call_hour"),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column(
            "wait_hist", postgresql.ARRAY(sa.Integer()), nullable=False, comment="as call_hour's, summed"
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("samu_id", "day"),
    )
    counts = ", ".join(_COUNTS)
    sums = ", ".join(f"sum({name})" for name in _COUNTS)
    hist = ", ".join(f"sum(wait_hist[{i}])" for i in range(1, 122))
    # Constant column names only: nothing here comes from outside.
    insert = f"INSERT INTO call_day (samu_id, day, {counts}, wait_hist, computed_at) "
    select = (
        f"SELECT samu_id, (hour AT TIME ZONE 'Europe/Paris')::date, {sums}, ARRAY[{hist}]::integer[], now() "
    )
    op.execute(insert + select + "FROM call_hour GROUP BY 1, 2")


def downgrade() -> None:
    op.drop_table("call_day")
