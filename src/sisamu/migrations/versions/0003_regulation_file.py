"""regulation file tables (files,patients,notes,decisions).

Written by hand (see `sisamu.cases.tables`): files, patients, append-only notes, decisions and status history,
the per-SAMU daily number sequence and access grants; fuzzy patient-name search with pg_trgm (+ btree_gin so the
trigram index can lead with `samu_id`).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FILE = ["samu_id", "number"]
_FILE_REF = ["case_file.samu_id", "case_file.number"]
_APPEND_ONLY = ("case_note", "case_decision", "case_status")


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _file_key() -> list[sa.Column[object]]:
    return [
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("number", sa.String(19), nullable=False),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.create_table(
        "case_file",
        *_file_key(),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("call_id", sa.Text(), nullable=True),
        _ts("created_at", nullable=False),
        sa.Column("opened_by", sa.Text(), nullable=False),
        _ts("planned_at"),
        _ts("activated_at"),
        _ts("closed_at"),
        _ts("updated_at", nullable=False),
        sa.Column("caller_name", sa.Text(), nullable=True),
        sa.Column("caller_phone", sa.String(20), nullable=True),
        sa.Column("callback_phone", sa.String(20), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("commune_insee", sa.String(5), nullable=True),
        sa.Column("commune_name", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("precision", sa.String(8), nullable=True),
        sa.Column("aml", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("motif", sa.String(16), nullable=True),
        sa.Column("lieu", sa.String(16), nullable=True),
        sa.Column("priority", sa.String(2), nullable=False),
        sa.Column("attribution", sa.String(24), nullable=True),
        sa.Column("step", sa.String(10), nullable=False),
        _ts("queued_at"),
        sa.Column("holder_id", sa.Uuid(), nullable=True),
        sa.Column("holder_name", sa.Text(), nullable=True),
        _ts("held_since"),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_case_file_samu"),
        sa.PrimaryKeyConstraint("samu_id", "number", name="pk_case_file"),
    )
    for name, columns, unique in (
        ("ix_case_file_queue", ["samu_id", "step", "priority", "queued_at"], False),
        ("ix_case_file_state_activated", ["samu_id", "state", "activated_at"], False),
        ("ix_case_file_state_closed", ["samu_id", "state", "closed_at"], False),
        ("ix_case_file_caller_phone", ["samu_id", "caller_phone", "created_at"], False),
        ("ix_case_file_callback_phone", ["samu_id", "callback_phone", "created_at"], False),
        ("ix_case_file_commune", ["samu_id", "commune_insee", "created_at"], False),
        ("ix_case_file_created", ["samu_id", "created_at"], False),
        ("ix_case_file_case_id", ["samu_id", "case_id"], True),
    ):
        op.create_index(name, "case_file", columns, unique=unique)

    op.create_table(
        "case_patient",
        *_file_key(),
        sa.Column("patient_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("birth_name", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("age", sa.String(5), nullable=True),
        sa.Column("sex", sa.String(2), nullable=True),
        sa.Column("care_level", sa.String(2), nullable=True),
        _ts("care_level_at"),
        sa.Column("care_level_by", sa.Text(), nullable=True),
        sa.Column("search_name", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.ForeignKeyConstraint(_FILE, _FILE_REF, name="fk_case_patient_file"),
        sa.PrimaryKeyConstraint("samu_id", "number", "patient_no", name="pk_case_patient"),
    )
    op.create_index(
        "ix_case_patient_search_name",
        "case_patient",
        ["samu_id", "search_name"],
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )

    op.create_table(
        "case_note",
        *_file_key(),
        sa.Column("note_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("patient_no", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        sa.ForeignKeyConstraint(_FILE, _FILE_REF, name="fk_case_note_file"),
        sa.PrimaryKeyConstraint("samu_id", "number", "note_no", name="pk_case_note"),
    )
    op.create_table(
        "case_decision",
        *_file_key(),
        sa.Column("decision_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("patient_no", sa.Integer(), nullable=True),
        sa.Column("resource_type", sa.String(24), nullable=True),
        sa.Column("reflex", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("orientation", sa.String(12), nullable=True),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("medical_transport", sa.Boolean(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _ts("created_at", nullable=False),
        sa.ForeignKeyConstraint(_FILE, _FILE_REF, name="fk_case_decision_file"),
        sa.PrimaryKeyConstraint("samu_id", "number", "decision_no", name="pk_case_decision"),
    )
    op.create_table(
        "case_status",
        *_file_key(),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        _ts("at", nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(_FILE, _FILE_REF, name="fk_case_status_file"),
        sa.PrimaryKeyConstraint("samu_id", "number", "seq", name="pk_case_status"),
    )
    op.create_table(
        "case_number_seq",
        sa.Column("samu_id", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("samu_id", "day", name="pk_case_number_seq"),
    )
    op.create_table(
        "case_grant",
        *_file_key(),
        sa.Column("grantee_samu_id", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        _ts("granted_at", nullable=False),
        sa.Column("granted_by", sa.Text(), nullable=False),
        _ts("expires_at"),
        _ts("revoked_at"),
        sa.ForeignKeyConstraint(_FILE, _FILE_REF, name="fk_case_grant_file"),
        sa.PrimaryKeyConstraint("samu_id", "number", "grantee_samu_id", name="pk_case_grant"),
    )
    op.create_index("ix_case_grant_grantee", "case_grant", ["grantee_samu_id", "granted_at"])
    for table in _APPEND_ONLY:  # sisamu_append_only() comes from 0001
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sisamu_append_only()"
        )


def downgrade() -> None:
    for table in _APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.drop_index("ix_case_grant_grantee", table_name="case_grant")
    for table in ("case_grant", "case_number_seq", "case_status", "case_decision", "case_note"):
        op.drop_table(table)
    op.drop_index("ix_case_patient_search_name", table_name="case_patient")
    op.drop_table("case_patient")
    for name in (
        "ix_case_file_queue",
        "ix_case_file_state_activated",
        "ix_case_file_state_closed",
        "ix_case_file_caller_phone",
        "ix_case_file_callback_phone",
        "ix_case_file_commune",
        "ix_case_file_created",
        "ix_case_file_case_id",
    ):
        op.drop_index(name, table_name="case_file")
    op.drop_table("case_file")
