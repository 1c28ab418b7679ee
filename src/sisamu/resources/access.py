# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Who may act on a SAMU's units and missions: room staff by role × tenant, a crew on its own unit only."""

from __future__ import annotations

from uuid import UUID

from sisamu.resources.mission import Source
from sisamu.security.access import authorize_object
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal, Role


def reporter(principal: Principal, samu_id: str, crew_account_id: UUID | None) -> Source:
    """May `principal` report statuses, positions or radio messages for a unit of `samu_id` whose crew account
    is `crew_account_id`? Room staff (ARM, regulator) act from the console; a crew only for its own unit.
    Another SAMU's unit is reported missing (404)."""
    if principal.role is Role.CREW:
        authorize_object(principal, Permission.MISSION_REPORT, samu_id)
        if crew_account_id is None or crew_account_id != principal.account_id:
            raise Forbidden(f"{principal.username}: a crew reports for its own unit only")
        return Source.CREW
    authorize_object(principal, Permission.PATIENT_WRITE, samu_id)
    return Source.CONSOLE


def status_reporter(principal: Principal, samu_id: str, crew_account_id: UUID | None) -> Source:
    """May `principal` report a mission's status? As `reporter`, and also the room's supervisor, who moves a
    mission on when its crew reports by radio (reporting a status writes no patient data)."""
    if principal.role is Role.SUPERVISOR:
        authorize_object(principal, Permission.ROOM_WRITE, samu_id)
        return Source.CONSOLE
    return reporter(principal, samu_id, crew_account_id)


def reader(principal: Principal, samu_id: str, crew_account_id: UUID | None) -> None:
    """May `principal` read a mission of a unit of `samu_id` (its history, its radio log)?"""
    if principal.role is Role.CREW:
        reporter(principal, samu_id, crew_account_id)
        return
    authorize_object(principal, Permission.PATIENT_READ, samu_id)


def room_or_crew(principal: Principal, samu_id: str) -> None:
    """Coarse check for routes (before the body is read): staff who may write, or a crew, of that SAMU."""
    permission = Permission.MISSION_REPORT if principal.role is Role.CREW else Permission.PATIENT_WRITE
    authorize_object(principal, permission, samu_id)


def room_or_crew_status(principal: Principal, samu_id: str) -> None:
    """Coarse check for the status routes: as `room_or_crew`, and the room's supervisor."""
    if principal.role is Role.SUPERVISOR:
        authorize_object(principal, Permission.ROOM_WRITE, samu_id)
        return
    room_or_crew(principal, samu_id)


def room_or_crew_reader(principal: Principal, samu_id: str) -> None:
    permission = Permission.MISSION_REPORT if principal.role is Role.CREW else Permission.PATIENT_READ
    authorize_object(principal, permission, samu_id)
