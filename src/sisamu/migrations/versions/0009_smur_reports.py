"""SMUR software role and crew reports (smur_client, smur_intervention, smur_bilan, smur_rpis, smur_document_link).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DIRECTION = "direction IN ('recorded', 'received')"


def _ts(name: str, *, nullable: bool = True, default_now: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.text("now()") if default_now else None,
    )


def _jsonb(name: str, comment: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, postgresql.JSONB(astext_type=sa.Text()), nullable=nullable, comment=comment)


def _samu(table: str) -> list[Any]:
    return [
        sa.Column("samu_id", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name=op.f(f"fk_{table}_samu_id_samu")),
    ]


def _report(key: str) -> list[Any]:
    """Columns every crew report shares: its key, direction, file, patient, mission, partner."""
    return [
        sa.Column(key, sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "direction",
            sa.String(length=8),
            nullable=False,
            comment="recorded: by a crew of ours; received: from a partner",
        ),
        sa.Column("number", sa.String(length=24), nullable=False, comment="local file"),
        sa.Column("patient_no", sa.Integer(), nullable=True),
        sa.Column("mission_id", sa.BigInteger(), nullable=True),
    ]


def _tail(table: str, key: str) -> list[Any]:
    return [
        sa.Column("recorded_by", sa.Text(), nullable=False),
        _ts("recorded_at", nullable=False, default_now=True),
        sa.CheckConstraint(_DIRECTION, name=op.f(f"ck_{table}_direction")),
        sa.PrimaryKeyConstraint("samu_id", key, name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "smur_client",
        *_samu("smur_client"),
        sa.Column("client_id", sa.Text(), nullable=False, comment="Hub client id of the SMUR software"),
        sa.Column(
            "rpis_recipient",
            sa.Text(),
            nullable=True,
            comment="Hub id receiving the RS-RPIS; the LRM when null",
        ),
        sa.Column(
            "finess_legal",
            sa.String(length=9),
            nullable=True,
            comment="FINESS juridique of the SMUR's establishment",
        ),
        sa.Column(
            "finess_geo",
            sa.String(length=9),
            nullable=True,
            comment="FINESS géographique of the SMUR or its antenna",
        ),
        sa.Column(
            "structure",
            sa.String(length=1),
            server_default=sa.text("'0'"),
            nullable=False,
            comment="0 SMUR général, 1 pédiatrique, 2 néonatal, 9 antenne",
        ),
        _ts("updated_at", nullable=False, default_now=True),
        sa.CheckConstraint("structure IN ('0', '1', '2', '9')", name=op.f("ck_smur_client_structure")),
        sa.PrimaryKeyConstraint("samu_id", name=op.f("pk_smur_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_smur_client_client_id")),
    )
    op.create_table(
        "smur_intervention",
        *_samu("smur_intervention"),
        sa.Column(
            "number", sa.String(length=24), nullable=False, comment="our local file carrying the LRM's case"
        ),
        sa.Column("case_id", sa.Text(), nullable=False, comment="the shared case id"),
        sa.Column("lrm", sa.Text(), nullable=False, comment="Hub id of the regulating LRM"),
        sa.Column("client_id", sa.Text(), nullable=False, comment="our SMUR client id the file was sent to"),
        _ts("received_at", nullable=False, default_now=True),
        sa.PrimaryKeyConstraint("samu_id", "number", name=op.f("pk_smur_intervention")),
    )
    op.create_index("ix_smur_intervention_case", "smur_intervention", ["samu_id", "case_id"], unique=False)
    op.create_table(
        "smur_bilan",
        *_samu("smur_bilan"),
        *_report("bilan_id"),
        sa.Column(
            "report_id",
            sa.Text(),
            nullable=False,
            comment="the SMUR software's bilan id; a revision keeps it",
        ),
        sa.Column(
            "partner",
            sa.Text(),
            nullable=True,
            comment="Hub id of the sender (received) or of the LRM (sent)",
        ),
        sa.Column("redactor_label", sa.Text(), nullable=True),
        sa.Column(
            "redactor_role", sa.String(length=16), nullable=False, comment="AMBULANCIER, INFIRMIER, MEDECIN…"
        ),
        _ts("written_at", nullable=False),
        _jsonb("patient", "the patient as the crew identified them (Hub words)"),
        _jsonb("evaluation", "history, treatment, diagnoses, acts, vital signs"),
        *_tail("smur_bilan", "bilan_id"),
    )
    op.create_index("ix_smur_bilan_number", "smur_bilan", ["samu_id", "number"], unique=False)
    op.create_table(
        "smur_rpis",
        *_samu("smur_rpis"),
        *_report("rpis_id"),
        sa.Column("partner", sa.Text(), nullable=True),
        _jsonb("entered", "what the crew entered (recorded)", nullable=True),
        _jsonb("rpis", "the RPIS as sent (null until sent) or as received", nullable=True),
        *_tail("smur_rpis", "rpis_id"),
    )
    op.create_index("ix_smur_rpis_number", "smur_rpis", ["samu_id", "number"], unique=False)
    op.create_table(
        "smur_document_link",
        *_samu("smur_document_link"),
        *_report("link_id"),
        sa.Column("partner", sa.Text(), nullable=True),
        sa.Column(
            "code", sa.Text(), nullable=True, comment="code opening the documents without a named login"
        ),
        _jsonb("documents", "[{documentType, url}]"),
        *_tail("smur_document_link", "link_id"),
    )
    op.create_index("ix_smur_document_link_number", "smur_document_link", ["samu_id", "number"], unique=False)


def downgrade() -> None:
    for table in ("smur_document_link", "smur_rpis", "smur_bilan"):
        op.drop_index(f"ix_{table}_number", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_smur_intervention_case", table_name="smur_intervention")
    op.drop_table("smur_intervention")
    op.drop_table("smur_client")
