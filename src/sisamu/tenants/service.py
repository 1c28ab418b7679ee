"""Use cases of the tenant registry: seeding SAMU rooms and demo accounts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from sisamu.security import audit, passwords
from sisamu.security.roles import Role
from sisamu.storage.tables import account, samu
from sisamu.storage.uow import UnitOfWork
from sisamu.tenants.registry import RoomDef

DEMO_PASSWORD = "Demo-sisamu-15"  # noqa: S105 - published on purpose: demo accounts only, never in production
ROOM_ROLES = (
    Role.ARM,
    Role.REGULATOR,
    Role.SUPERVISOR,
    Role.CREW,
    Role.TELEPHONY_GATEWAY,
    Role.HOSPITAL,
    Role.HUB_PARTNER,
    Role.ADMIN,
)
NATIONWIDE_DEMO = (Role.NATIONAL, Role.ANALYST, Role.ADMIN, Role.AUDITOR)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: Role
    samu_id: str | None
    display_name: str


def upsert_rooms(uow: UnitOfWork, rooms: Iterable[RoomDef], *, pilot_ids: set[str], now: datetime) -> int:
    count = 0
    for room in rooms:
        values = {
            "samu_id": room.crra_id,
            "hub_id": room.hub_id,
            "departement": room.departement,
            "name": room.name,
            "city_insee": room.city_insee,
            "timezone": room.timezone,
            "pilot": room.crra_id in pilot_ids,
        }
        stmt = insert(samu).values(**values, created_at=now)
        uow.execute(stmt.on_conflict_do_update(index_elements=["samu_id"], set_=values))
        count += 1
    return count


def demo_accounts(samu_ids: Iterable[str]) -> list[DemoAccount]:
    labels = {
        Role.ARM: "ARM",
        Role.REGULATOR: "Dr Régulateur",
        Role.SUPERVISOR: "Superviseur",
        Role.CREW: "Équipage SMUR",
        Role.TELEPHONY_GATEWAY: "Passerelle de téléphonie",
        Role.HOSPITAL: "Établissement de santé",
        Role.HUB_PARTNER: "Partenaire Hub Santé",
        Role.ADMIN: "Admin",
        Role.NATIONAL: "Opérateur national",
        Role.ANALYST: "Analyste",
        Role.AUDITOR: "Auditeur",
    }
    out = [
        DemoAccount(f"{role}.{sid}".lower(), role, sid, f"{labels[role]} {sid}")
        for sid in samu_ids
        for role in ROOM_ROLES
    ]
    out += [DemoAccount(str(role), role, None, labels[role]) for role in NATIONWIDE_DEMO]
    return out


def upsert_demo_accounts(uow: UnitOfWork, accounts: Sequence[DemoAccount], *, now: datetime) -> int:
    """Create the demo accounts that do not exist yet: one published password, no second factor (demo only)."""
    existing = set(uow.execute(select(account.c.username).where(account.c.demo)).scalars())
    digest = passwords.hash_password(DEMO_PASSWORD)  # one salted hash reused: same published password for all
    created = 0
    for acc in accounts:
        if acc.username in existing:
            continue
        account_id = uuid.uuid4()
        uow.execute(
            account.insert().values(
                account_id=account_id,
                username=acc.username,
                display_name=acc.display_name,
                role=str(acc.role),
                samu_id=acc.samu_id,
                password_hash=digest,
                totp_secret=None,
                totp_required=False,
                demo=True,
                created_at=now,
            )
        )
        audit.record(
            uow.conn,
            principal=None,
            samu_id=acc.samu_id,
            action="account.create",
            object_type="account",
            object_id=str(account_id),
            at=now,
            detail={"username": acc.username, "role": str(acc.role), "demo": True},
            actor="seed",
        )
        created += 1
    return created
