"""Queries on victims, their triage history and the per-crisis counter (private to the crisis feature)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sisamu.crisis.victims.model import (
    AgeBand,
    Identity,
    PatientLink,
    Status,
    Triage,
    TriageChange,
    Vector,
    Victim,
)
from sisamu.crisis.victims.tables import crisis_victim, crisis_victim_counter, crisis_victim_triage

if TYPE_CHECKING:
    from sqlalchemy import Connection


def next_seq(conn: Connection, crisis_id: int) -> int:
    """The next number of the crisis' own sequence: registrations queue on the counter row until they commit."""
    conn.execute(
        pg_insert(crisis_victim_counter)
        .values(crisis_id=crisis_id, last_seq=0)
        .on_conflict_do_nothing(index_elements=["crisis_id"])
    )
    return int(
        conn.execute(
            update(crisis_victim_counter)
            .where(crisis_victim_counter.c.crisis_id == crisis_id)
            .values(last_seq=crisis_victim_counter.c.last_seq + 1)
            .returning(crisis_victim_counter.c.last_seq)
        ).scalar_one()
    )


def _values(v: Victim) -> dict[str, Any]:
    i = v.identity
    return {
        "triage": str(v.triage),
        "status": str(v.status),
        "last_name": i.last_name,
        "first_name": i.first_name,
        "sex": i.sex,
        "birth_date": i.birth_date,
        "age_band": str(i.age_band) if i.age_band else None,
        "nationality": i.nationality,
        "site": v.site,
        "pma": v.pma,
        "vector": str(v.vector) if v.vector else None,
        "destination": v.destination,
        "file_number": v.patient.file_number if v.patient else None,
        "patient_no": v.patient.patient_no if v.patient else None,
        "version": v.version,
        "updated_at": v.updated_at,
    }


def insert_victim(conn: Connection, v: Victim, allocated_seq: int | None) -> bool:
    """False when the number is already registered (in this crisis or another)."""
    done = conn.execute(
        pg_insert(crisis_victim)
        .values(
            number=v.number,
            crisis_id=v.crisis_id,
            allocated_seq=allocated_seq,
            created_at=v.created_at,
            created_by=v.created_by,
            created_by_id=v.created_by_id,
            **_values(v),
        )
        .on_conflict_do_nothing(index_elements=["number"])
        .returning(crisis_victim.c.number)
    ).first()
    return done is not None


def save(conn: Connection, v: Victim, expected_version: int) -> bool:
    """Write a changed victim if nobody changed it since `expected_version` (False: a stale edit)."""
    done = conn.execute(
        update(crisis_victim)
        .where(crisis_victim.c.number == v.number, crisis_victim.c.version == expected_version)
        .values(**_values(v))
        .returning(crisis_victim.c.number)
    ).first()
    return done is not None


def add_triage(conn: Connection, number: str, change: TriageChange) -> None:
    seq = select(func.coalesce(func.max(crisis_victim_triage.c.seq), 0) + 1).where(
        crisis_victim_triage.c.number == number
    )
    conn.execute(
        insert(crisis_victim_triage).values(
            number=number, seq=seq.scalar_subquery(), triage=str(change.triage), at=change.at, by=change.by
        )
    )


def _victim(row: Any, history: tuple[TriageChange, ...] = ()) -> Victim:
    return Victim(
        crisis_id=int(row.crisis_id),
        number=row.number,
        allocated=row.allocated_seq is not None,
        triage=Triage(row.triage),
        status=Status(row.status),
        identity=Identity(
            last_name=row.last_name,
            first_name=row.first_name,
            sex=row.sex,
            birth_date=row.birth_date,
            age_band=AgeBand(row.age_band) if row.age_band else None,
            nationality=row.nationality,
        ),
        site=row.site,
        pma=row.pma,
        vector=Vector(row.vector) if row.vector else None,
        destination=row.destination,
        patient=PatientLink(row.file_number, int(row.patient_no)) if row.file_number else None,
        version=int(row.version),
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_id=row.created_by_id,
        updated_at=row.updated_at,
        history=history,
    )


def history(conn: Connection, number: str) -> tuple[TriageChange, ...]:
    rows = conn.execute(
        select(crisis_victim_triage)
        .where(crisis_victim_triage.c.number == number)
        .order_by(crisis_victim_triage.c.seq)
    )
    return tuple(TriageChange(Triage(r.triage), r.at, r.by) for r in rows)


def get(conn: Connection, number: str, *, lock: bool = False) -> Victim | None:
    query = select(crisis_victim).where(crisis_victim.c.number == number)
    row = conn.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _victim(row, history(conn, number))


def of_crisis(conn: Connection, crisis_id: int) -> list[Victim]:
    """The crisis' victims with their triage histories, registration order."""
    rows = conn.execute(
        select(crisis_victim)
        .where(crisis_victim.c.crisis_id == crisis_id)
        .order_by(crisis_victim.c.created_at, crisis_victim.c.number)
    ).all()
    changes: dict[str, list[TriageChange]] = {}
    for h in conn.execute(
        select(crisis_victim_triage)
        .join(crisis_victim, crisis_victim.c.number == crisis_victim_triage.c.number)
        .where(crisis_victim.c.crisis_id == crisis_id)
        .order_by(crisis_victim_triage.c.number, crisis_victim_triage.c.seq)
    ):
        changes.setdefault(h.number, []).append(TriageChange(Triage(h.triage), h.at, h.by))
    return [_victim(r, tuple(changes.get(r.number, ()))) for r in rows]
