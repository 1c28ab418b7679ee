"""The ARM priority of a file is not pre-set: empty until the ARM chooses it (issue 13).

`case_file.priority` may be NULL: a file opened from a call has no priority until the ARM grades it; files already
recorded keep theirs. Downgrading sets the missing ones to P2 (the former default).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("case_file", "priority", existing_type=sa.String(2), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE case_file SET priority = 'P2' WHERE priority IS NULL")
    op.alter_column("case_file", "priority", existing_type=sa.String(2), nullable=False)
