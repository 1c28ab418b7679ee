"""hub flows tables (hub_case_link, hub_resource_request).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = True, default_now: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.text("now()") if default_now else None,
    )


def _jsonb(name: str, comment: str, *, nullable: bool = True, default: str | None = None) -> sa.Column[Any]:
    return sa.Column(
        name,
        postgresql.JSONB(astext_type=sa.Text()),
        nullable=nullable,
        server_default=sa.text(default) if default else None,
        comment=comment,
    )


def upgrade() -> None:
    op.create_table(
        "hub_case_link",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="our SAMU"),
        sa.Column("case_id", sa.Text(), nullable=False, comment="the shared case id {orgId}.{senderCaseId}"),
        sa.Column("partner", sa.Text(), nullable=False, comment="the other party's Hub client id"),
        sa.Column(
            "number",
            sa.String(length=24),
            nullable=False,
            comment="our local file (DRFR15…) carrying the shared id",
        ),
        sa.Column(
            "role",
            sa.String(length=8),
            nullable=False,
            comment="shared: our file sent out; received: a partner's file",
        ),
        sa.Column(
            "owner", sa.Text(), nullable=False, comment="Hub id of the organisation in charge (RS-EDA owner)"
        ),
        _jsonb("last_sent", "createCaseHealth as last sent to the partner (MAJ diffs)"),
        _jsonb("received", "the partner's createCaseHealth merged with its updates"),
        _jsonb("patient_map", "Hub patientId → no", nullable=False, default="'{}'::jsonb"),
        _ts("created_at", nullable=False, default_now=True),
        _ts("updated_at", nullable=False, default_now=True),
        sa.CheckConstraint("role IN ('shared', 'received')", name=op.f("ck_hub_case_link_role")),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name=op.f("fk_hub_case_link_samu_id_samu")),
        sa.PrimaryKeyConstraint("samu_id", "case_id", "partner", name=op.f("pk_hub_case_link")),
    )
    op.create_index("ix_hub_case_link_number", "hub_case_link", ["samu_id", "number"], unique=False)
    op.create_table(
        "hub_resource_request",
        sa.Column("samu_id", sa.String(length=8), nullable=False, comment="our SAMU"),
        sa.Column("request_id", sa.Text(), nullable=False, comment="{orgId}.request.{id}"),
        sa.Column(
            "direction",
            sa.String(length=8),
            nullable=False,
            comment="sent: we ask; received: a partner asks us",
        ),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("partner", sa.Text(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True, comment="our local file, when we know it"),
        _jsonb("request", "the RS-DR `request` object", nullable=False),
        sa.Column("status", sa.String(length=12), server_default=sa.text("'PENDING'"), nullable=False),
        _jsonb("response", "the RS-RR `response` object"),
        sa.Column("answered_by", sa.Text(), nullable=True),
        _ts("created_at", nullable=False, default_now=True),
        _ts("answered_at"),
        sa.CheckConstraint(
            "direction IN ('sent', 'received')", name=op.f("ck_hub_resource_request_direction")
        ),
        sa.CheckConstraint(
            "status IN ('PENDING', 'ACCEPTEE', 'PARTIELLE', 'REFUSEE', 'DIFFEREE')",
            name=op.f("ck_hub_resource_request_status"),
        ),
        sa.ForeignKeyConstraint(
            ["samu_id"], ["samu.samu_id"], name=op.f("fk_hub_resource_request_samu_id_samu")
        ),
        sa.PrimaryKeyConstraint("samu_id", "request_id", name=op.f("pk_hub_resource_request")),
    )
    op.create_index(
        "ix_hub_resource_request_pending",
        "hub_resource_request",
        ["samu_id", "direction", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_hub_resource_request_pending", table_name="hub_resource_request")
    op.drop_table("hub_resource_request")
    op.drop_index("ix_hub_case_link_number", table_name="hub_case_link")
    op.drop_table("hub_case_link")
