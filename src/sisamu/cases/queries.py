"""Link-free reads of a regulation file for the other features (the Hub flows), one cheap query each.

No access check and no audit: they carry no patient data and serve the platform's own work (is a partner's message
about one of our files, may a note still be added to it). What a person reads goes through `service` (checked and
audited).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from sisamu.cases.tables import case_decision, case_file, case_patient
from sisamu.domain.codes import Etat


def file_state(conn: Connection, samu_id: str, number: str) -> Etat | None:
    """The life-cycle state of the SAMU's file `number`; None when the SAMU has no such file."""
    found = conn.execute(
        select(case_file.c.state).where((case_file.c.samu_id == samu_id) & (case_file.c.number == number))
    ).scalar_one_or_none()
    return Etat(found) if found is not None else None


def activity_facts(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Files opened in [start, end), oldest first, with what the activity indicators count (`analytics.activity`):
    SAMU, opening, hand-over to regulation, priority, attribution, first decision. Counts only, no patient data."""
    f, d = case_file.c, case_decision.c
    first_decision = (
        select(func.min(d.created_at))
        .where((d.samu_id == f.samu_id) & (d.number == f.number))
        .scalar_subquery()
    )
    query = (
        select(
            f.samu_id, f.created_at, f.queued_at, f.priority, f.attribution,
            first_decision.label("decided_at"),
        )
        .where(f.created_at >= start, f.created_at < end)
        .order_by(f.created_at)
    )  # fmt: skip
    for row in conn.execute(query.execution_options(yield_per=5_000)):
        yield row._asdict()


def first_file_created_at(conn: Connection) -> datetime | None:
    """When the oldest file on record was opened (where a rebuild of the activity indicators starts)."""
    return conn.execute(select(case_file.c.created_at).order_by(case_file.c.created_at).limit(1)).scalar()


# Research export: the raw facts of files opened in a period, without free text, names, phones or addresses. The
# only caller, `analytics.research`, replaces identifiers by keyed pseudonyms, generalises dates, ages and places
# until k-anonymity holds, and audits the export.


def research_files(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    c = case_file.c
    query = select(
        c.samu_id, c.number, c.created_at, c.queued_at, c.closed_at, c.commune_insee, c.motif, c.lieu, c.priority,
        c.attribution, c.state, c.aml, c.call_id,
    ).where(c.created_at >= start, c.created_at < end)  # fmt: skip
    for row in conn.execute(query.execution_options(yield_per=5_000)):
        yield row._asdict()


def research_patients(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    p, f = case_patient.c, case_file.c
    query = (
        select(
            p.samu_id, p.number, p.patient_no, p.birth_date, p.age, p.sex, p.care_level,
            p.hypothesis["main"]["code"].astext.label("hypothesis_code"), f.created_at, f.commune_insee,
        )
        .join(case_file, (f.samu_id == p.samu_id) & (f.number == p.number))
        .where(f.created_at >= start, f.created_at < end)
    )  # fmt: skip
    for row in conn.execute(query.execution_options(yield_per=5_000)):
        yield row._asdict()


def research_decisions(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    d, f = case_decision.c, case_file.c
    query = (
        select(
            d.samu_id, d.number, d.decision_no, d.kind, d.patient_no, d.resource_type, d.reflex, d.orientation,
            d.medical_transport, d.created_at, f.created_at.label("file_created_at"),
        )
        .join(case_file, (f.samu_id == d.samu_id) & (f.number == d.number))
        .where(f.created_at >= start, f.created_at < end)
    )  # fmt: skip
    for row in conn.execute(query.execution_options(yield_per=5_000)):
        yield row._asdict()
