"""The SMUR's RPIS recipient leaves the database: it is the platform's setting (`SISAMU_HUB_RPIS_RECIPIENT`), no
longer an address a supervisor types into `smur_client.rpis_recipient`.

A value stored there was never checked against anything; it is dropped, not carried over. An installation that had
one sets `SISAMU_HUB_RPIS_RECIPIENT` (`docs/configuration.md`); until then an RPIS goes to the LRM of the file.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("smur_client", "rpis_recipient")


def downgrade() -> None:
    op.add_column(
        "smur_client",
        sa.Column(
            "rpis_recipient",
            sa.Text(),
            nullable=True,
            comment="Hub id receiving the RS-RPIS; the LRM when null",
        ),
    )
