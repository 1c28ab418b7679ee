"""Tables of this feature, registered on the platform's shared metadata (tenant-owned: `samu_id` leads each key).

A file is identified by its local number (`DRFR15…`), unique per SAMU and in fact nationwide since it embeds the
CRRA code. Notes, decisions and the status history are append-only (a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from sisamu.storage.tables import metadata

__all__ = [
    "case_decision",
    "case_file",
    "case_grant",
    "case_note",
    "case_number_seq",
    "case_patient",
    "case_status",
    "metadata",
]

_FILE_FK = ("samu_id", "number")
_FILE_REF = ("case_file.samu_id", "case_file.number")


def _ts(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


case_file = Table(
    "case_file",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("number", String(19), primary_key=True),  # DRFR15DDXAAJJJ00000
    Column("case_id", Text, nullable=False),  # shared id fr.health.samuXXX.<number>
    Column("state", String(8), nullable=False),  # HubSante.etat
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("call_id", Text, nullable=True),  # answered call that opened the file (telephony)
    _ts("created_at", nullable=False),
    Column("opened_by", Text, nullable=False),
    _ts("planned_at"),
    _ts("activated_at"),
    _ts("closed_at"),
    _ts("updated_at", nullable=False),
    Column("caller_name", Text, nullable=True),
    Column("caller_phone", String(20), nullable=True),  # normalised, +33…
    Column("callback_phone", String(20), nullable=True),
    Column("address", Text, nullable=True),
    Column("commune_insee", String(5), nullable=True),
    Column("commune_name", Text, nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("precision", String(8), nullable=True),
    Column("aml", Boolean, nullable=True, server_default=text("false")),  # NULL: a partner did not say
    Column("motif", String(16), nullable=True),  # HubSante.motif
    Column("lieu", String(16), nullable=True),  # HubSante.lieu
    Column("priority", String(2), nullable=True),  # HubSante.priorite; NULL until the ARM chooses (0016)
    Column("attribution", String(24), nullable=True),  # HubSante.attribution
    Column("step", String(10), nullable=False),  # QUALIFYING, QUEUED, DIRECT, HELD, REGULATED
    _ts("queued_at"),
    Column("holder_id", Uuid, nullable=True),
    Column("holder_name", Text, nullable=True),
    _ts("held_since"),
    # What the RS-EDA carries beyond the core (migration 0007); JSONB shapes: sisamu.cases.details, store.py.
    Column("caller_details", JSONB, nullable=True),  # names, type, language, communication, note
    _ts("received_at"),  # the alert's reception
    Column("alert_notes", JSONB, nullable=True),  # [{text, at}]
    Column("location_details", JSONB, nullable=True),  # number, street, name, directions, access, ids
    _ts("point_at"),
    Column("fait", String(16), nullable=True),  # HubSante.fait
    Column("risques", ARRAY(String(8)), nullable=False, server_default=text("'{}'")),  # HubSante.risque
    Column("origine", String(16), nullable=True),  # HubSante.origine
    Column("intervention", String(12), nullable=True),  # HubSante.intervention
    Column("code_labels", JSONB, nullable=True),  # {code: wording given}
    Column("additional_information", JSONB, nullable=True),  # [{key, value, label, freetext}]
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_case_file_samu"),
    Index("ix_case_file_queue", "samu_id", "step", "priority", "queued_at"),
    Index("ix_case_file_state_activated", "samu_id", "state", "activated_at"),
    Index("ix_case_file_state_closed", "samu_id", "state", "closed_at"),
    Index("ix_case_file_caller_phone", "samu_id", "caller_phone", "created_at"),
    Index("ix_case_file_callback_phone", "samu_id", "callback_phone", "created_at"),
    Index("ix_case_file_commune", "samu_id", "commune_insee", "created_at"),
    Index("ix_case_file_created", "samu_id", "created_at"),
    Index("ix_case_file_created_at", "created_at"),  # the activity rollups read by opening time (0017)
    Index("ix_case_file_case_id", "samu_id", "case_id", unique=True),
)

case_patient = Table(
    "case_patient",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("number", String(19), primary_key=True),
    Column("patient_no", Integer, primary_key=True, autoincrement=False),
    Column("last_name", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("birth_name", Text, nullable=True),
    Column("birth_date", Date, nullable=True),
    Column("age", String(5), nullable=True),  # P45Y, P6M…
    Column("sex", String(2), nullable=True),  # HubSante.sexe
    Column("care_level", String(2), nullable=True),  # HubSante.niveauSoin R1–R4
    _ts("care_level_at"),
    Column("care_level_by", Text, nullable=True),
    Column("search_name", Text, nullable=False, server_default=text("''")),  # folded names
    Column("weight", Float, nullable=True),  # kg
    Column("height", Float, nullable=True),  # cm
    Column("hypothesis", JSONB, nullable=True),  # {main: {code, label}, others: [...]} (CIM-10)
    ForeignKeyConstraint(_FILE_FK, _FILE_REF, name="fk_case_patient_file"),
    Index(
        "ix_case_patient_search_name",
        "samu_id",
        "search_name",
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    ),
)

case_note = Table(
    "case_note",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("number", String(19), primary_key=True),
    Column("note_no", Integer, primary_key=True, autoincrement=False),
    Column("patient_no", Integer, nullable=True),
    Column("body", Text, nullable=False),
    Column("author_id", Uuid, nullable=True),
    Column("author", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("corrects", Integer, nullable=True),  # note_no of the note this one corrects
    Column("hub_id", Text, nullable=True),  # a partner's medicalNoteId, kept
    _ts("created_at", nullable=False),
    ForeignKeyConstraint(_FILE_FK, _FILE_REF, name="fk_case_note_file"),
)

case_decision = Table(
    "case_decision",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("number", String(19), primary_key=True),
    Column("decision_no", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),  # HubSante.typeDecision
    Column("patient_no", Integer, nullable=True),
    Column("resource_type", String(24), nullable=True),  # HubSante.typeRessource
    Column("reflex", Boolean, nullable=False, server_default=text("false")),
    Column("orientation", String(12), nullable=True),  # HubSante.typeOrientation
    Column("destination", Text, nullable=True),
    Column("medical_transport", Boolean, nullable=True),
    Column("comment", Text, nullable=True),
    Column("author_id", Uuid, nullable=True),
    Column("author", Text, nullable=False),
    Column("role", String(16), nullable=False),
    _ts("created_at", nullable=False),
    ForeignKeyConstraint(_FILE_FK, _FILE_REF, name="fk_case_decision_file"),
)

case_status = Table(
    "case_status",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("number", String(19), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("state", String(8), nullable=False),
    _ts("at", nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    ForeignKeyConstraint(_FILE_FK, _FILE_REF, name="fk_case_status_file"),
)

case_number_seq = Table(
    "case_number_seq",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("day", Date, primary_key=True),  # the SAMU's local day
    Column("last", Integer, nullable=False),
)

case_grant = Table(
    "case_grant",
    metadata,
    Column("samu_id", String(8), primary_key=True),  # owner of the file
    Column("number", String(19), primary_key=True),
    Column("grantee_samu_id", String(8), primary_key=True),
    Column("reason", String(16), nullable=False),  # OVERFLOW, SHARED, CRISIS
    _ts("granted_at", nullable=False),
    Column("granted_by", Text, nullable=False),
    _ts("expires_at"),
    _ts("revoked_at"),
    ForeignKeyConstraint(_FILE_FK, _FILE_REF, name="fk_case_grant_file"),
    Index("ix_case_grant_grantee", "grantee_samu_id", "granted_at"),
)
