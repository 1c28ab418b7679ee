"""a unit's crew as partners see it on Hub Santé: team name and phone (RS-RI team.name, contact).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the crew's name as its organisation gives it (Hub team.name)
    op.add_column("resource", sa.Column("team_name", sa.Text(), nullable=True))
    # the crew's phone in international form, +33… (Hub resource.contact)
    op.add_column("resource", sa.Column("crew_phone", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("resource", "crew_phone")
    op.drop_column("resource", "team_name")
