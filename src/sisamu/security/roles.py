"""Roles and what each may do: pure rules, checked for every route by `sisamu.security.access`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID


class Role(StrEnum):
    ARM = "arm"
    REGULATOR = "regulator"
    SUPERVISOR = "supervisor"
    CREW = "crew"
    # The partners' machine accounts (bearer tokens), one role per kind of partner: what one is given cannot serve
    # another (a hospital's token offers no call). Accounts of the former `partner` role: migration 0012.
    TELEPHONY_GATEWAY = "telephony_gateway"
    HOSPITAL = "hospital"
    HUB_PARTNER = "hub_partner"
    NATIONAL = "national"
    ANALYST = "analyst"
    ADMIN = "admin"
    AUDITOR = "auditor"


ROLE_LABELS_FR: dict[Role, str] = {
    Role.ARM: "Assistant(e) de régulation médicale",
    Role.REGULATOR: "Médecin régulateur",
    Role.SUPERVISOR: "Superviseur",
    Role.CREW: "Équipage",
    Role.TELEPHONY_GATEWAY: "Passerelle de téléphonie",
    Role.HOSPITAL: "Établissement de santé",
    Role.HUB_PARTNER: "Partenaire Hub Santé",
    Role.NATIONAL: "Opérateur national",
    Role.ANALYST: "Analyste",
    Role.ADMIN: "Administrateur",
    Role.AUDITOR: "Auditeur",
}


class Permission(StrEnum):
    CONSOLE = "console"  # open the console of one's SAMU
    ROOM_READ = "room.read"  # room state: queues, staff, instructions (no patient identity)
    ROOM_WRITE = "room.write"  # post room instructions, open overflow
    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    REGULATE = "regulate"
    MISSION_REPORT = "mission.report"
    INDICATORS = "indicators.read"
    AUDIT_READ = "audit.read"
    ACCOUNTS_ADMIN = "accounts.admin"
    INTEROP = "interop"  # a Hub Santé partner's machine account
    CAPACITY = "capacity.report"  # a hospital reports its free beds
    CALL_HANDLE = "call.handle"  # take calls at an ARM seat: log in, pause, answer, transfer, end, call back
    TELEPHONY = "telephony"  # telephony gateway (machine, bearer token): offer calls, hang-ups, CTI, AML
    CRISIS = "crisis"  # take part in a crisis of one's SAMU: its log (main courante), its files, its banner
    CRISIS_MANAGE = "crisis.manage"  # open and close crises, attach SAMUs, add reinforcements
    RECORDING_LISTEN = "recording.listen"  # listen to a call's recording (regulator, supervisor; audited)


_ALL_ROOM = {Permission.CONSOLE, Permission.ROOM_READ}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ARM: frozenset(
        _ALL_ROOM
        | {Permission.PATIENT_READ, Permission.PATIENT_WRITE, Permission.CALL_HANDLE, Permission.CRISIS}
    ),
    Role.REGULATOR: frozenset(
        _ALL_ROOM
        | {
            Permission.PATIENT_READ,
            Permission.PATIENT_WRITE,
            Permission.REGULATE,
            Permission.CALL_HANDLE,
            Permission.CRISIS,
            Permission.RECORDING_LISTEN,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _ALL_ROOM
        | {
            Permission.ROOM_WRITE,
            Permission.PATIENT_READ,
            Permission.INDICATORS,
            Permission.CRISIS,
            Permission.CRISIS_MANAGE,
            Permission.RECORDING_LISTEN,
        }
    ),
    # Crews read the room's instructions (no patient identity there) besides their own missions.
    Role.CREW: frozenset(
        {Permission.CONSOLE, Permission.ROOM_READ, Permission.PATIENT_READ, Permission.MISSION_REPORT}
    ),
    Role.TELEPHONY_GATEWAY: frozenset({Permission.TELEPHONY}),
    # A hospital's account: its establishment's capacity page in the console, and the API (bearer token).
    Role.HOSPITAL: frozenset({Permission.CONSOLE, Permission.CAPACITY}),
    Role.HUB_PARTNER: frozenset({Permission.INTEROP}),
    # The national operator opens regional and national crises and takes part in every crisis.
    Role.NATIONAL: frozenset(
        {
            Permission.CONSOLE,
            Permission.ROOM_READ,
            Permission.INDICATORS,
            Permission.CRISIS,
            Permission.CRISIS_MANAGE,
        }
    ),
    Role.ANALYST: frozenset({Permission.CONSOLE, Permission.INDICATORS}),  # the dashboards, no patient data
    # Separation of duties: who manages the accounts does not review the trail of their own actions; the auditor
    # reads the trail and nothing else (no patient data, no room).
    Role.ADMIN: frozenset({Permission.CONSOLE, Permission.ROOM_READ, Permission.ACCOUNTS_ADMIN}),
    Role.AUDITOR: frozenset({Permission.CONSOLE, Permission.AUDIT_READ}),
}

# Roles whose reach is every SAMU (for the permissions they hold) rather than their home SAMU only.
NATIONWIDE_ROLES = frozenset({Role.NATIONAL, Role.ANALYST})
# Roles an account may hold with or without a home SAMU: without one, they reach every SAMU.
PLATFORM_OR_SAMU_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a person logged in by session or a machine by bearer token."""

    account_id: UUID
    username: str
    display_name: str
    role: Role
    samu_id: str | None
    via_token: bool = False

    @property
    def nationwide(self) -> bool:
        """National/analyst roles, and administrators or auditors without a home SAMU, reach every SAMU."""
        return self.role in NATIONWIDE_ROLES or (self.role in PLATFORM_OR_SAMU_ROLES and self.samu_id is None)


def allows(principal: Principal, permission: Permission, samu_id: str | None) -> bool:
    """Role × tenant: may `principal` use `permission` on data owned by `samu_id` (None = platform-level)?"""
    if permission not in ROLE_PERMISSIONS[principal.role]:
        return False
    if samu_id is None:
        return principal.nationwide or permission == Permission.CONSOLE
    return principal.nationwide or principal.samu_id == samu_id
