# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Tables of hospital availability in crisis (tenant-owned: `samu_id`, the SAMU the hospital reports to, leads).

- `hospital_status`: one row per hospital: emergency department and facility status, plan-blanc level, version,
  time and author of the last update (EDXL-HAVE `LastUpdateTime`);
- `hospital_beds`: available and baseline beds per category (`model.BedType`); never negative;
- `hospital_status_history`: every state a hospital went through (append-only), by version, with its cause
  (a report, or an allocation confirmed by a regulator);
- `hospital_account`: which establishment a `hospital` account speaks for;
- `victim_allocation`: the destinations regulators confirmed, one per victim;
- `hospital_capacity`: free beds per hospital and specialty (the everyday figure the destination ranking of one
  file uses; before issue 16 it lived with the resources).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from sisamu.storage.tables import metadata

__all__ = [
    "hospital_account",
    "hospital_beds",
    "hospital_capacity",
    "hospital_status",
    "hospital_status_history",
    "victim_allocation",
]


def _ts(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


hospital_status = Table(
    "hospital_status",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("hospital_id", String(64), primary_key=True),  # `HospitalDef.key`
    Column("ed_status", String(12), nullable=False),
    Column("facility_status", String(12), nullable=False),
    Column("plan_blanc", SmallInteger, nullable=False),
    Column("version", Integer, nullable=False),
    _ts("updated_at"),
    Column("updated_by", Text, nullable=False),
    Column("updated_by_id", Uuid, nullable=True),
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_hospital_status_samu"),
)

hospital_beds = Table(
    "hospital_beds",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("hospital_id", String(64), primary_key=True),
    Column("bed_type", String(12), primary_key=True),
    Column("available", Integer, nullable=False),
    Column("baseline", Integer, nullable=True),
    CheckConstraint("available >= 0", name="available"),
    ForeignKeyConstraint(
        ["samu_id", "hospital_id"],
        ["hospital_status.samu_id", "hospital_status.hospital_id"],
        name="fk_hospital_beds_status",
    ),
)

hospital_status_history = Table(
    "hospital_status_history",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("hospital_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    _ts("at"),
    Column("author", Text, nullable=False),
    Column("author_id", Uuid, nullable=True),
    Column("cause", String(12), nullable=False),  # REPORT, ALLOCATION
    Column("state", JSONB, nullable=False),  # statuses and beds as they stood after the change
    ForeignKeyConstraint(
        ["samu_id", "hospital_id"],
        ["hospital_status.samu_id", "hospital_status.hospital_id"],
        name="fk_hospital_status_history_status",
    ),
)

hospital_account = Table(
    "hospital_account",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("samu_id", String(8), nullable=False),
    Column("hospital_id", String(64), nullable=False),
    ForeignKeyConstraint(["account_id"], ["account.account_id"], name="fk_hospital_account_account"),
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_hospital_account_samu"),
)

victim_allocation = Table(
    "victim_allocation",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("victim_id", String(40), primary_key=True),  # the SINUS bracelet number, or the registry's id
    Column("hospital_id", String(64), nullable=False),
    Column("bed_type", String(12), nullable=False),
    Column("triage", String(12), nullable=False),
    Column("travel_s", Float, nullable=True),
    Column("batch_id", Uuid, nullable=False),
    _ts("decided_at"),
    Column("decided_by", Text, nullable=False),
    Column("decided_by_id", Uuid, nullable=True),
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_victim_allocation_samu"),
    Index("ix_victim_allocation_hospital", "samu_id", "hospital_id", "decided_at"),
)

hospital_capacity = Table(
    "hospital_capacity",
    metadata,
    Column("samu_id", String(8), primary_key=True),  # the SAMU the hospital reports to
    Column("hospital_id", String(64), primary_key=True),  # `HospitalDef.key`
    Column("specialty", String(40), primary_key=True),
    Column("free_beds", Integer, nullable=False),
    Column("total_beds", Integer, nullable=True),
    _ts("updated_at"),
    Column("updated_by", Text, nullable=False),
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_hospital_capacity_samu"),
)
