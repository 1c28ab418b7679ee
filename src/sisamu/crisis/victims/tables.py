"""Tables of the victims registry (private to the crisis feature)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from sisamu.storage.tables import metadata

# The numbers sisamu gives victims whose bracelet was not read: one counter row per crisis, moved with
# UPDATE … RETURNING, so concurrent registrations queue on it and the sequence is dense.
crisis_victim_counter = Table(
    "crisis_victim_counter",
    metadata,
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

# One row per victim; the bracelet number is unique over every crisis (a bracelet is put on one person).
crisis_victim = Table(
    "crisis_victim",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("crisis_id", BigInteger, ForeignKey("crisis.crisis_id"), nullable=False, index=True),
    Column("allocated_seq", Integer, nullable=True),  # set when the number is sisamu's
    Column("triage", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("last_name", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("sex", String(2), nullable=True),
    Column("birth_date", Date, nullable=True),
    Column("age_band", String(8), nullable=True),
    Column("nationality", Text, nullable=True),
    Column("site", Text, nullable=True),
    Column("pma", Text, nullable=True),
    Column("vector", String(16), nullable=True),
    Column("destination", String(80), nullable=True),  # hospitals.directory key
    Column("file_number", String(32), nullable=True),  # the regulation file's patient (cases service)
    Column("patient_no", Integer, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_by_id", Uuid, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The triage history: every category given, by whom and when (the first is the registration's).
crisis_victim_triage = Table(
    "crisis_victim_triage",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("triage", String(12), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", Text, nullable=False),
    ForeignKeyConstraint(["number"], ["crisis_victim.number"], name="fk_crisis_victim_triage_number"),
)
