"""Queries on the files waiting or open in a room: the regulation queue, the room board, files due for the
automatic life-cycle steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from sisamu.cases.model import PRIORITY_RANK, RegulationStep
from sisamu.cases.tables import case_file, case_patient
from sisamu.domain.codes import Etat, Priorite


def _key(table: Any, samu_id: str, number: Any) -> Any:
    return (table.c.samu_id == samu_id) & (table.c.number == number)


_RANK = case(
    {str(priority): rank for priority, rank in PRIORITY_RANK.items()}, value=case_file.c.priority, else_=9
)
_DIRECT_FIRST = case((case_file.c.step == str(RegulationStep.DIRECT), 0), else_=1)
_OPEN = [str(s) for s in (Etat.PROGRAM, Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE)]
_TO_REGULATE = [str(s) for s in (Etat.PROGRAM, Etat.ACTIF)]  # a finished file (ACHEVE…) waits for nobody


@dataclass(frozen=True, slots=True)
class QueueEntry:
    number: str
    state: Etat
    step: RegulationStep
    priority: Priorite | None
    motif: str | None
    commune_name: str | None
    queued_at: datetime
    patients: int


def regulation_queue(conn: Connection, samu_id: str, limit: int = 200) -> list[QueueEntry]:
    """Files waiting for a physician: P0 handed over directly first, then by priority, then by waiting time."""
    patients = select(func.count()).where(_key(case_patient, samu_id, case_file.c.number)).scalar_subquery()
    rows = conn.execute(
        select(
            case_file.c.number,
            case_file.c.state,
            case_file.c.step,
            case_file.c.priority,
            case_file.c.motif,
            case_file.c.commune_name,
            case_file.c.queued_at,
            patients.label("patients"),
        )
        .where(
            (case_file.c.samu_id == samu_id)
            & case_file.c.step.in_([str(RegulationStep.QUEUED), str(RegulationStep.DIRECT)])
            & case_file.c.state.in_(_TO_REGULATE)
        )
        .order_by(_DIRECT_FIRST, _RANK, case_file.c.queued_at, case_file.c.number)
        .limit(limit)
    )
    return [
        QueueEntry(
            r.number,
            Etat(r.state),
            RegulationStep(r.step),
            Priorite(r.priority) if r.priority else None,
            r.motif,
            r.commune_name,
            r.queued_at,
            int(r.patients),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class MyFile:
    number: str
    state: Etat
    step: RegulationStep
    priority: Priorite | None
    motif: str | None
    commune_name: str | None
    call_id: str | None
    created_at: datetime
    held_since: datetime | None
    held_by_me: bool


def my_files(
    conn: Connection, samu_id: str, account_id: Any, call_id: str | None = None, limit: int = 50
) -> list[MyFile]:
    """The open files a person works on: those they hold (a physician's "Mes dossiers") and the file opened from
    the call `call_id` (the ARM's call in hand), newest first."""
    mine: Any = case_file.c.holder_id == account_id if account_id is not None else None
    if call_id:
        by_call = case_file.c.call_id == call_id
        mine = by_call if mine is None else mine | by_call
    if mine is None:
        return []
    rows = conn.execute(
        select(case_file)
        .where((case_file.c.samu_id == samu_id) & case_file.c.state.in_(_OPEN) & mine)
        .order_by(case_file.c.created_at.desc())
        .limit(limit)
    )
    return [
        MyFile(
            r.number,
            Etat(r.state),
            RegulationStep(r.step),
            Priorite(r.priority) if r.priority else None,
            r.motif,
            r.commune_name,
            r.call_id,
            r.created_at,
            r.held_since,
            account_id is not None and r.holder_id == account_id,
        )
        for r in rows
    ]


def board(conn: Connection, samu_id: str, limit: int = 500) -> list[Any]:
    """Open files of the room without patient identity: number, state, step, priority, holder, times."""
    return list(
        conn.execute(
            select(
                case_file.c.number,
                case_file.c.state,
                case_file.c.step,
                case_file.c.priority,
                case_file.c.created_at,
                case_file.c.queued_at,
                case_file.c.holder_name,
                case_file.c.held_since,
                case_file.c.version,
            )
            .where((case_file.c.samu_id == samu_id) & case_file.c.state.in_(_OPEN))
            .order_by(_RANK, case_file.c.created_at)
            .limit(limit)
        )
    )


def due_for_automatic_step(
    conn: Connection, samu_id: str, *, close_before: datetime, classify_before: datetime, limit: int
) -> list[str]:
    """Numbers of files whose automatic step is due, locked for this transaction; rows another worker holds
    are skipped (`FOR UPDATE SKIP LOCKED`), so workers running at once never move a file twice."""
    auto_close = [str(s) for s in (Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE)]
    due = (case_file.c.state.in_(auto_close) & (case_file.c.activated_at <= close_before)) | (
        (case_file.c.state == str(Etat.CLOTURE)) & (case_file.c.closed_at <= classify_before)
    )
    rows = conn.execute(
        select(case_file.c.number)
        .where((case_file.c.samu_id == samu_id) & due)
        .order_by(case_file.c.number)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [r.number for r in rows]
