"""Tables of this feature, registered on the platform's shared metadata (tenant-owned: `samu_id` leads each key).

- `resource`: one unit a SAMU can send (SMUR team and vehicle, private ambulance with its duty rota, fire-service
  VSAV as a partner unit, GP on duty), its crew level, base, availability, last known position and its crew's
  account (the crew terminal acts as that account);
- `mission`: a resource engaged on a regulation file, at a `HubSante.statutVecteur` status; `mission_status`
  keeps every status with its time (append-only);
- `resource_position`: the AVL history; `radio_message`: text messages between the room and the crew, kept on the
  file (append-only). (Free beds per hospital and specialty: `hospitals.capacity.tables.hospital_capacity`.)
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from sisamu.storage.tables import metadata

__all__ = [
    "metadata",
    "mission",
    "mission_status",
    "radio_message",
    "resource",
    "resource_position",
]


def _ts(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


resource = Table(
    "resource",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("resource_id", String(40), primary_key=True),  # call sign, stable: "250-SMUR-BESANCON-VLM1"
    Column("name", Text, nullable=False),
    Column(
        "resource_type", String(24), nullable=False
    ),  # HubSante.typeRessource (SMUR, TSU, SIS, LIBERAL.MG…)
    Column("vehicle", String(24), nullable=False),  # HubSante.typeVecteur (SMUR.VLM, TSU.AMB, SIS.VSAV…)
    Column("crew_level", String(8), nullable=False),  # MED, PARAMED, SECOURS
    Column("partner", Boolean, nullable=False, server_default=text("false")),  # fire service, not the SAMU's
    Column("company", Text, nullable=True),  # private ambulance company
    Column("base_id", String(64), nullable=True),  # smur_base.base_id, or a company's station
    Column("base_name", Text, nullable=True),
    Column("base_lat", Float, nullable=False),
    Column("base_lon", Float, nullable=False),
    Column("duty", JSONB, nullable=False, server_default=text("'[]'::jsonb")),  # rota; [] = always on duty
    Column("availability", String(12), nullable=False),  # AVAILABLE, ENGAGED, UNAVAILABLE
    Column("status", String(10), nullable=True),  # statutVecteur of its current mission
    Column("mission_id", BigInteger, nullable=True),  # current mission
    Column("lat", Float, nullable=True),  # last position
    Column("lon", Float, nullable=True),
    _ts("position_at"),
    Column("crew_account_id", Uuid, nullable=True),  # the crew terminal's account
    Column("team_name", Text, nullable=True),  # the crew's name as its organisation gives it (Hub team.name)
    Column("crew_phone", String(20), nullable=True),  # the crew's phone, +33… (Hub resource.contact)
    Column("version", Integer, nullable=False, server_default=text("1")),
    _ts("updated_at", nullable=False),
    ForeignKeyConstraint(["samu_id"], ["samu.samu_id"], name="fk_resource_samu"),
    ForeignKeyConstraint(["crew_account_id"], ["account.account_id"], name="fk_resource_crew_account"),
    Index("ix_resource_crew", "samu_id", "crew_account_id"),
)

mission = Table(
    "mission",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("mission_id", BigInteger, Identity(), primary_key=True),
    Column("resource_id", String(40), nullable=False),
    Column("file_number", String(19), nullable=False),
    Column("status", String(10), nullable=False),  # HubSante.statutVecteur
    _ts("status_at", nullable=False),
    Column("destination", Text, nullable=True),  # hospital key or FINESS, once oriented
    Column("engaged_by", Text, nullable=False),
    _ts("created_at", nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    ForeignKeyConstraint(
        ["samu_id", "resource_id"], ["resource.samu_id", "resource.resource_id"], name="fk_mission_resource"
    ),
    ForeignKeyConstraint(
        ["samu_id", "file_number"], ["case_file.samu_id", "case_file.number"], name="fk_mission_file"
    ),
    Index("ix_mission_resource", "samu_id", "resource_id", "created_at"),
    Index("ix_mission_file", "samu_id", "file_number"),
    Index("ix_mission_created_at", "created_at"),  # the activity rollups read by creation time (0017)
)

mission_status = Table(
    "mission_status",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("mission_id", BigInteger, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("status", String(10), nullable=False),
    _ts("at", nullable=False),  # when it happened (the terminal's time, else the platform's)
    _ts("recorded_at", nullable=False),
    Column("source", String(8), nullable=False),  # CONSOLE, CREW, MQTT
    Column("actor", Text, nullable=False),
    ForeignKeyConstraint(
        ["samu_id", "mission_id"], ["mission.samu_id", "mission.mission_id"], name="fk_mission_status_mission"
    ),
)

resource_position = Table(
    "resource_position",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("position_id", BigInteger, Identity(), primary_key=True),
    Column("resource_id", String(40), nullable=False),
    _ts("at", nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("speed_kmh", Float, nullable=True),
    Column("heading", Float, nullable=True),
    Column("source", String(8), nullable=False),
    ForeignKeyConstraint(
        ["samu_id", "resource_id"],
        ["resource.samu_id", "resource.resource_id"],
        name="fk_resource_position_resource",
    ),
    Index("ix_resource_position_track", "samu_id", "resource_id", "at"),
)

radio_message = Table(
    "radio_message",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("message_id", BigInteger, Identity(), primary_key=True),
    Column("file_number", String(19), nullable=False),
    Column("mission_id", BigInteger, nullable=False),
    Column("resource_id", String(40), nullable=False),
    Column("direction", String(12), nullable=False),  # ROOM_TO_CREW, CREW_TO_ROOM
    Column("body", Text, nullable=False),
    Column("author_id", Uuid, nullable=True),
    Column("author", Text, nullable=False),
    _ts("at", nullable=False),
    ForeignKeyConstraint(
        ["samu_id", "mission_id"], ["mission.samu_id", "mission.mission_id"], name="fk_radio_message_mission"
    ),
    Index("ix_radio_message_file", "samu_id", "file_number", "at"),
)
