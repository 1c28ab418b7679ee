"""Finding files: by caller phone number, patient name (fuzzy, pg_trgm), commune, period, file number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from sisamu.cases.store import fold
from sisamu.cases.tables import case_file, case_patient
from sisamu.domain.codes import Etat, Priorite


@dataclass(frozen=True, slots=True)
class Criteria:
    phone: str | None = None  # normalised (+33…): caller or callback number
    name: str | None = None  # any of last, first or birth name, fuzzy
    commune_insee: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    number: str | None = None  # whole number or its beginning (`DRFR1525026025`)
    limit: int = 50

    def is_empty(self) -> bool:
        return not any((self.phone, self.name, self.commune_insee, self.since, self.until, self.number))


@dataclass(frozen=True, slots=True)
class FileSummary:
    number: str
    state: Etat
    priority: Priorite | None
    created_at: datetime
    motif: str | None
    commune_name: str | None
    caller_phone: str | None
    patients: list[str] = field(default_factory=list)
    score: float | None = None


def search(conn: Connection, samu_id: str, criteria: Criteria) -> list[FileSummary]:
    """Files of one SAMU matching every criterion given, best name match first, then newest first."""
    conditions: list[Any] = [case_file.c.samu_id == samu_id]
    if criteria.phone:
        conditions.append(
            or_(case_file.c.caller_phone == criteria.phone, case_file.c.callback_phone == criteria.phone)
        )
    if criteria.commune_insee:
        conditions.append(case_file.c.commune_insee == criteria.commune_insee)
    if criteria.since:
        conditions.append(case_file.c.created_at >= criteria.since)
    if criteria.until:
        conditions.append(case_file.c.created_at < criteria.until)
    if criteria.number:
        conditions.append(case_file.c.number.startswith(criteria.number, autoescape=True))
    score: Any = None
    if criteria.name:
        folded = fold(criteria.name)
        # `<%` is word_similarity above pg_trgm.word_similarity_threshold, served by the GIN trigram index.
        matching = (
            select(
                case_patient.c.number,
                func.max(func.word_similarity(folded, case_patient.c.search_name)).label("score"),
            )
            .where((case_patient.c.samu_id == samu_id) & case_patient.c.search_name.op("%>")(folded))
            .group_by(case_patient.c.number)
            .subquery()
        )
        score = matching.c.score
        query = select(case_file, score).join(
            matching, and_(matching.c.number == case_file.c.number, case_file.c.samu_id == samu_id)
        )
        order: list[Any] = [score.desc(), case_file.c.created_at.desc()]
    else:
        query = select(case_file)
        order = [case_file.c.created_at.desc()]
    rows = list(conn.execute(query.where(*conditions).order_by(*order).limit(criteria.limit)))
    names = _patient_names(conn, samu_id, [r.number for r in rows])
    return [
        FileSummary(
            number=r.number,
            state=Etat(r.state),
            priority=Priorite(r.priority) if r.priority else None,
            created_at=r.created_at,
            motif=r.motif,
            commune_name=r.commune_name,
            caller_phone=r.caller_phone,
            patients=names.get(r.number, []),
            score=float(r.score) if score is not None else None,
        )
        for r in rows
    ]


def _patient_names(conn: Connection, samu_id: str, numbers: list[str]) -> dict[str, list[str]]:
    if not numbers:
        return {}
    rows = conn.execute(
        select(case_patient.c.number, case_patient.c.last_name, case_patient.c.first_name)
        .where((case_patient.c.samu_id == samu_id) & case_patient.c.number.in_(numbers))
        .order_by(case_patient.c.number, case_patient.c.patient_no)
    )
    names: dict[str, list[str]] = {}
    for r in rows:
        label = " ".join(n for n in ((r.last_name or "").upper(), r.first_name or "") if n) or "?"
        names.setdefault(r.number, []).append(label)
    return names
