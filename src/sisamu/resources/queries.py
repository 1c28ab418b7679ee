# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Reads of units and missions for the other features (the Hub flows build RS-RI, RS-SR, GEO-POS, EMSI and the
crew's reports from them).

No access check: the callers act as the platform on its own state (a message to build after a change, a report to
send); what a person reads goes through `service` (checked, and audited where it names a patient). The store
stays private to this feature.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from sisamu.resources import store
from sisamu.resources.mission import Mission


def unit(conn: Connection, samu_id: str, resource_id: str) -> Row[Any] | None:
    """The SAMU's unit `resource_id` (vehicle, name, crew level, team, phone, position, status), or None."""
    return store.load_resource(conn, samu_id, resource_id, lock=False)


def mission(conn: Connection, samu_id: str, mission_id: int) -> Mission | None:
    """A mission with its status history, or None."""
    return store.load_mission(conn, samu_id, mission_id, lock=False)


def missions_of_file(conn: Connection, samu_id: str, number: str) -> list[Mission]:
    """Every mission of the SAMU's units on file `number`, with their status histories, oldest first."""
    rows = store.missions(conn, samu_id, file_number=number)
    loaded = [store.load_mission(conn, samu_id, row.mission_id, lock=False) for row in rows]
    return sorted((m for m in loaded if m is not None), key=lambda m: m.mission_id)


def activity_missions(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Missions created in [start, end) with their vehicle type and the first time of each status, for the
    activity indicators (`analytics.activity`): the same facts as the research export's, no crew or phone."""
    yield from store.research_missions(conn, start, end)


def first_mission_created_at(conn: Connection) -> datetime | None:
    return store.first_mission_created_at(conn)


def research_missions(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Missions created in [start, end) with their unit's vehicle type and the first time of each status (no unit
    name, crew or phone), for the research export (`analytics.research`, which pseudonymises them)."""
    yield from store.research_missions(conn, start, end)
