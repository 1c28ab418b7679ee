"""Accounts, sessions, tokens: a TOTP code passes once, every bearer token expires.

- `account.totp_last_step`: the last TOTP time step an account used; a code of that step or an earlier one is
  refused (no replay).
- `api_token.expires_at` becomes mandatory: tokens issued without an expiry by earlier versions now expire 90 days
  after this upgrade (the default lifetime, `SISAMU_TOKEN_DEFAULT_DAYS`), time to issue their machines new ones.

TOTP secrets are encrypted at rest by the application (its key is not the database's to know): secrets stored in
clear are sealed at their account's next login, or all at once by `sisamu accounts seal-totp`.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "account",
        sa.Column(
            "totp_last_step",
            sa.BigInteger(),
            nullable=True,
            comment="last TOTP time step used: a code passes once",
        ),
    )
    op.execute("UPDATE api_token SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL")
    op.alter_column("api_token", "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    op.alter_column("api_token", "expires_at", existing_type=sa.DateTime(timezone=True), nullable=True)
    op.drop_column("account", "totp_last_step")
