# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Tables of the SMUR feature (tenant-owned: `samu_id` leads each key; migration 0009).

- `smur_client`: a SAMU's SMUR software on Hub Santé (its own client id, `fr.health.samu440.smur`), where its
  RPIS go, and the FINESS of the SMUR's establishment;
- `smur_intervention`: a file the SMUR software received from the regulating LRM (RS-EDA on the SMUR client);
- `smur_bilan`: the crew's assessments of a patient (RS-BPV), each revision kept (append-only), recorded by a
  crew of ours or received from a SMUR;
- `smur_rpis`: the summary of the SMUR's care for a patient (RS-RPIS), as the crew entered it and as sent, or as
  received;
- `smur_document_link`: links to documents (bilan, ECG, prescription…) about a file or a patient (RS-URL).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from sisamu.storage.tables import metadata

__all__ = ["smur_bilan", "smur_client", "smur_document_link", "smur_intervention", "smur_rpis"]

DIRECTIONS = ("recorded", "received")
STRUCTURES = ("0", "1", "2", "9")


def _ts(name: str, *, nullable: bool = True, default_now: bool = False) -> Column[object]:
    return Column(
        name,
        DateTime(timezone=True),
        nullable=nullable,
        server_default=text("now()") if default_now else None,
    )


def _direction() -> tuple[Column[str], CheckConstraint]:
    column = Column(
        "direction",
        String(8),
        nullable=False,
        comment="recorded: by a crew of ours; received: from a partner",
    )
    return column, CheckConstraint(
        f"direction IN ({', '.join(repr(d) for d in DIRECTIONS)})", name="direction"
    )


smur_client = Table(
    "smur_client",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("client_id", Text, nullable=False, unique=True, comment="Hub client id of the SMUR software"),
    Column("finess_legal", String(9), nullable=True, comment="FINESS juridique of the SMUR's establishment"),
    Column("finess_geo", String(9), nullable=True, comment="FINESS géographique of the SMUR or its antenna"),
    Column(
        "structure",
        String(1),
        nullable=False,
        server_default=text("'0'"),
        comment="0 SMUR général, 1 pédiatrique, 2 néonatal, 9 antenne",
    ),
    _ts("updated_at", nullable=False, default_now=True),
    CheckConstraint(f"structure IN ({', '.join(repr(s) for s in STRUCTURES)})", name="structure"),
)

smur_intervention = Table(
    "smur_intervention",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("number", String(24), primary_key=True, comment="our local file carrying the LRM's case"),
    Column("case_id", Text, nullable=False, comment="the shared case id"),
    Column("lrm", Text, nullable=False, comment="Hub id of the regulating LRM"),
    Column("client_id", Text, nullable=False, comment="our SMUR client id the file was sent to"),
    _ts("received_at", nullable=False, default_now=True),
    Index("ix_smur_intervention_case", "samu_id", "case_id"),
)

_bilan_direction, _bilan_check = _direction()
smur_bilan = Table(
    "smur_bilan",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("bilan_id", BigInteger, Identity(), primary_key=True),
    Column("report_id", Text, nullable=False, comment="the SMUR software's bilan id; a revision keeps it"),
    _bilan_direction,
    Column("number", String(24), nullable=False, comment="local file"),
    Column("patient_no", Integer, nullable=True),
    Column("mission_id", BigInteger, nullable=True),
    Column("partner", Text, nullable=True, comment="Hub id of the sender (received) or of the LRM (sent)"),
    Column("redactor_label", Text, nullable=True),
    Column("redactor_role", String(16), nullable=False, comment="AMBULANCIER, INFIRMIER, MEDECIN…"),
    _ts("written_at", nullable=False),
    Column("patient", JSONB, nullable=False, comment="the patient as the crew identified them (Hub words)"),
    Column("evaluation", JSONB, nullable=False, comment="history, treatment, diagnoses, acts, vital signs"),
    Column("recorded_by", Text, nullable=False),
    _ts("recorded_at", nullable=False, default_now=True),
    _bilan_check,
    Index("ix_smur_bilan_number", "samu_id", "number"),
)

_rpis_direction, _rpis_check = _direction()
smur_rpis = Table(
    "smur_rpis",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("rpis_id", BigInteger, Identity(), primary_key=True),
    _rpis_direction,
    Column("number", String(24), nullable=False, comment="local file"),
    Column("patient_no", Integer, nullable=True),
    Column("mission_id", BigInteger, nullable=True),
    Column("partner", Text, nullable=True),
    Column("entered", JSONB, nullable=True, comment="what the crew entered (recorded)"),
    Column("rpis", JSONB, nullable=True, comment="the RPIS as sent (null until sent) or as received"),
    Column("recorded_by", Text, nullable=False),
    _ts("recorded_at", nullable=False, default_now=True),
    _rpis_check,
    Index("ix_smur_rpis_number", "samu_id", "number"),
)

_doc_direction, _doc_check = _direction()
smur_document_link = Table(
    "smur_document_link",
    metadata,
    Column("samu_id", String(8), ForeignKey("samu.samu_id"), primary_key=True),
    Column("link_id", BigInteger, Identity(), primary_key=True),
    _doc_direction,
    Column("number", String(24), nullable=False, comment="local file"),
    Column("patient_no", Integer, nullable=True),
    Column("mission_id", BigInteger, nullable=True),
    Column("partner", Text, nullable=True),
    Column("code", Text, nullable=True, comment="code opening the documents without a named login"),
    Column("documents", JSONB, nullable=False, comment="[{documentType, url}]"),
    Column("recorded_by", Text, nullable=False),
    _ts("recorded_at", nullable=False, default_now=True),
    _doc_check,
    Index("ix_smur_document_link_number", "samu_id", "number"),
)
