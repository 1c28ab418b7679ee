"""The `partner` role split by kind of partner: `telephony_gateway` (offers calls, hang-ups, CTI, AML),
`hospital` (reports its free beds), `hub_partner` (Hub Santé interoperability).

Roles grow to 32 characters (`account.role`, and `audit_event.role`, which names the actor's role in each entry;
widening a `varchar` rewrites nothing and changes no entry, so the chain's hashes hold).

Each existing `partner` account gets the role of what it did: one that reported a hospital's beds
(`hospital.capacity` in the trail) and never sent an AML location (`call.location.receive`) becomes `hospital`;
every other one `telephony_gateway` — the gateway is the partner account every room has, and calls must keep
arriving. No account becomes `hub_partner`: Hub Santé partners reach sisamu through the Hub, not with an account.
A hospital's account that also sent AML locations keeps the telephony only; an administrator gives the hospital an
account of its own (`sisamu accounts create --role hospital`).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

HOSPITALS = """
UPDATE account SET role = 'hospital'
 WHERE role = 'partner'
   AND account_id IN (SELECT actor_id FROM audit_event WHERE action = 'hospital.capacity')
   AND account_id NOT IN (
       SELECT actor_id FROM audit_event WHERE action = 'call.location.receive' AND actor_id IS NOT NULL
   )
"""


def upgrade() -> None:
    for table in ("account", "audit_event"):
        op.alter_column(
            table,
            "role",
            existing_type=sa.String(length=16),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
    op.execute(HOSPITALS)
    op.execute("UPDATE account SET role = 'telephony_gateway' WHERE role = 'partner'")


def downgrade() -> None:
    # The trail keeps its entries, and so the width of the roles they name; accounts go back to one role.
    op.execute(
        "UPDATE account SET role = 'partner' WHERE role IN ('telephony_gateway', 'hospital', 'hub_partner')"
    )
    op.alter_column(
        "account",
        "role",
        existing_type=sa.String(length=32),
        type_=sa.String(length=16),
        existing_nullable=False,
    )
