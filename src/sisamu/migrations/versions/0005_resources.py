"""resources tables (resources,missions,positions,radio_log,hospital_capacity).

Written by hand (see `sisamu.resources.tables`): resources with their crew account and last position, missions
and their append-only status history, the AVL track, the append-only radio log and hospital bed capacity.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_APPEND_ONLY = ("mission_status", "radio_message")
_RESOURCE = ["samu_id", "resource_id"]
_RESOURCE_REF = ["resource.samu_id", "resource.resource_id"]
_MISSION = ["samu_id", "mission_id"]
_MISSION_REF = ["mission.samu_id", "mission.mission_id"]


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "resource",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("resource_type", sa.String(24), nullable=False),
        sa.Column("vehicle", sa.String(24), nullable=False),
        sa.Column("crew_level", sa.String(8), nullable=False),
        sa.Column("partner", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("base_id", sa.String(64), nullable=True),
        sa.Column("base_name", sa.Text(), nullable=True),
        sa.Column("base_lat", sa.Float(), nullable=False),
        sa.Column("base_lon", sa.Float(), nullable=False),
        sa.Column("duty", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("availability", sa.String(12), nullable=False),
        sa.Column("status", sa.String(10), nullable=True),
        sa.Column("mission_id", sa.BigInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        _ts("position_at"),
        sa.Column("crew_account_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        _ts("updated_at", nullable=False),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_resource_samu"),
        sa.ForeignKeyConstraint(["crew_account_id"], ["account.account_id"], name="fk_resource_crew_account"),
        sa.PrimaryKeyConstraint("samu_id", "resource_id", name="pk_resource"),
    )
    op.create_index("ix_resource_crew", "resource", ["samu_id", "crew_account_id"])
    op.create_table(
        "mission",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("mission_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("file_number", sa.String(19), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _ts("status_at", nullable=False),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("engaged_by", sa.Text(), nullable=False),
        _ts("created_at", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(_RESOURCE, _RESOURCE_REF, name="fk_mission_resource"),
        sa.ForeignKeyConstraint(
            ["samu_id", "file_number"], ["case_file.samu_id", "case_file.number"], name="fk_mission_file"
        ),
        sa.PrimaryKeyConstraint("samu_id", "mission_id", name="pk_mission"),
    )
    op.create_index("ix_mission_resource", "mission", ["samu_id", "resource_id", "created_at"])
    op.create_index("ix_mission_file", "mission", ["samu_id", "file_number"])
    op.create_table(
        "mission_status",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("mission_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _ts("at", nullable=False),
        _ts("recorded_at", nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(_MISSION, _MISSION_REF, name="fk_mission_status_mission"),
        sa.PrimaryKeyConstraint("samu_id", "mission_id", "seq", name="pk_mission_status"),
    )
    op.create_table(
        "resource_position",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("position_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        _ts("at", nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(_RESOURCE, _RESOURCE_REF, name="fk_resource_position_resource"),
        sa.PrimaryKeyConstraint("samu_id", "position_id", name="pk_resource_position"),
    )
    op.create_index("ix_resource_position_track", "resource_position", ["samu_id", "resource_id", "at"])
    op.create_table(
        "radio_message",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("message_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("file_number", sa.String(19), nullable=False),
        sa.Column("mission_id", sa.BigInteger(), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("direction", sa.String(12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        _ts("at", nullable=False),
        sa.ForeignKeyConstraint(_MISSION, _MISSION_REF, name="fk_radio_message_mission"),
        sa.PrimaryKeyConstraint("samu_id", "message_id", name="pk_radio_message"),
    )
    op.create_index("ix_radio_message_file", "radio_message", ["samu_id", "file_number", "at"])
    op.create_table(
        "hospital_capacity",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("specialty", sa.String(40), nullable=False),
        sa.Column("free_beds", sa.Integer(), nullable=False),
        sa.Column("total_beds", sa.Integer(), nullable=True),
        _ts("updated_at", nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_hospital_capacity_samu"),
        sa.PrimaryKeyConstraint("samu_id", "hospital_id", "specialty", name="pk_hospital_capacity"),
    )
    for table in _APPEND_ONLY:  # sisamu_append_only() comes from 0001
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sisamu_append_only()"
        )


def downgrade() -> None:
    for table in _APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.drop_table("hospital_capacity")
    op.drop_index("ix_radio_message_file", table_name="radio_message")
    op.drop_table("radio_message")
    op.drop_index("ix_resource_position_track", table_name="resource_position")
    op.drop_table("resource_position")
    op.drop_table("mission_status")
    op.drop_index("ix_mission_file", table_name="mission")
    op.drop_index("ix_mission_resource", table_name="mission")
    op.drop_table("mission")
    op.drop_index("ix_resource_crew", table_name="resource")
    op.drop_table("resource")
