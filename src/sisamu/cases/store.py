"""Queries on regulation files: load and save the aggregate, number files, the queue, the room board, grants."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.cases.details import (
    Access,
    Street,
    access_of,
    alert_notes_of,
    as_json,
    custom_entries_of,
    external_ids_of,
    hypothesis_of,
    street_of,
)
from sisamu.cases.model import Decision as DecisionRow
from sisamu.cases.model import (
    DecisionRecorded,
    Holder,
    Note,
    NoteAdded,
    Patient,
    PatientSaved,
    RegulationFile,
    RegulationStep,
    StateChanged,
    StatusChange,
)
from sisamu.cases.numbering import file_number, local_day
from sisamu.cases.qualification import Location, Qualification
from sisamu.cases.tables import (
    case_decision,
    case_file,
    case_note,
    case_number_seq,
    case_patient,
    case_status,
)
from sisamu.domain.codes import Attribution, Etat, NiveauSoin, Priorite, TypeDecision, TypeRessource
from sisamu.domain.errors import DomainError
from sisamu.storage.tables import samu


class StaleVersion(DomainError):
    """The file changed since the version the client showed; reload and try again."""

    code = "VERSION_PERIMEE"
    summary_fr = "Le dossier a été modifié entre-temps : rechargez-le."


class UnknownSamu(DomainError):
    """No SAMU room of that id."""

    code = "SAMU_INCONNU"
    summary_fr = "SAMU inconnu."


def fold(text: str) -> str:
    """Lower case without accents, for trigram search: `Hélène Dupré` → `helene dupre`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def next_number(conn: Connection, samu_id: str, now: datetime) -> str:
    """The next local number of the SAMU's day. The counter row is updated in the caller's transaction, so
    concurrent openings queue on it and numbers stay unique and dense (a rolled-back opening frees its number)."""
    room = conn.execute(select(samu.c.departement, samu.c.timezone).where(samu.c.samu_id == samu_id)).first()
    if room is None:
        raise UnknownSamu(f"no SAMU {samu_id}")
    day = local_day(now, room.timezone)
    counter = (
        insert(case_number_seq)
        .values(samu_id=samu_id, day=day, last=1)
        .on_conflict_do_update(index_elements=["samu_id", "day"], set_={"last": case_number_seq.c.last + 1})
        .returning(case_number_seq.c.last)
    )
    sequence = int(conn.execute(counter).scalar_one())
    return file_number(samu_id, room.departement, day, sequence)


def _qualification(row: Any) -> Qualification:
    caller = row.caller_details or {}
    place = row.location_details or {}
    return Qualification(
        caller_name=row.caller_name,
        caller_phone=row.caller_phone,
        callback_phone=row.callback_phone,
        location=Location(
            address=row.address,
            commune_insee=row.commune_insee,
            commune_name=row.commune_name,
            lat=row.lat,
            lon=row.lon,
            precision=row.precision,
            aml=row.aml,
            number=place.get("number"),
            street=street_of(place.get("street")),
            name=place.get("name"),
            directions=place.get("directions"),
            access=access_of(place.get("access")),
            external_ids=external_ids_of(place.get("external_ids")),
            point_at=row.point_at,
        ),
        motif=row.motif,
        lieu=row.lieu,
        priority=Priorite(row.priority) if row.priority else None,
        attribution=Attribution(row.attribution) if row.attribution else None,
        caller_first_name=caller.get("first_name"),
        caller_last_name=caller.get("last_name"),
        caller_type=caller.get("type"),
        caller_language=caller.get("language"),
        caller_communication=caller.get("communication"),
        caller_note=caller.get("note"),
        received_at=row.received_at,
        alert_notes=alert_notes_of(row.alert_notes),
        fait=row.fait,
        risques=tuple(row.risques or ()),
        origine=row.origine,
        intervention=row.intervention,
        labels=dict(row.code_labels or {}),
        additional=custom_entries_of(row.additional_information),
    )


def _compact(values: dict[str, Any]) -> dict[str, Any] | None:
    kept = {k: v for k, v in values.items() if v not in (None, [], {})}
    return kept or None


def _details_values(q: Qualification) -> dict[str, Any]:
    loc = q.location
    street: Street | None = loc.street
    access: Access | None = loc.access
    return {
        "caller_details": _compact(
            {
                "first_name": q.caller_first_name,
                "last_name": q.caller_last_name,
                "type": q.caller_type,
                "language": q.caller_language,
                "communication": q.caller_communication,
                "note": q.caller_note,
            }
        ),
        "received_at": q.received_at,
        "alert_notes": as_json(q.alert_notes) or None,
        "location_details": _compact(
            {
                "number": loc.number,
                "street": as_json(street),
                "name": loc.name,
                "directions": loc.directions,
                "access": as_json(access),
                "external_ids": as_json(loc.external_ids),
            }
        ),
        "point_at": loc.point_at,
        "fait": q.fait,
        "risques": list(q.risques),
        "origine": q.origine,
        "intervention": q.intervention,
        "code_labels": dict(q.labels) or None,
        "additional_information": as_json(q.additional) or None,
    }


def _key(table: Any, samu_id: str, number: Any) -> Any:
    return (table.c.samu_id == samu_id) & (table.c.number == number)


def load(conn: Connection, samu_id: str, number: str, *, lock: bool = False) -> RegulationFile | None:
    """The whole file; `lock` takes its row for update (every command does, so writers of one file queue)."""
    query = select(case_file).where(_key(case_file, samu_id, number))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    return _assemble(conn, row)


def _assemble(conn: Connection, row: Any) -> RegulationFile:
    samu_id, number = row.samu_id, row.number
    patients = conn.execute(
        select(case_patient).where(_key(case_patient, samu_id, number)).order_by(case_patient.c.patient_no)
    )
    notes = conn.execute(
        select(case_note).where(_key(case_note, samu_id, number)).order_by(case_note.c.note_no)
    )
    decisions = conn.execute(
        select(case_decision)
        .where(_key(case_decision, samu_id, number))
        .order_by(case_decision.c.decision_no)
    )
    history = conn.execute(
        select(case_status).where(_key(case_status, samu_id, number)).order_by(case_status.c.seq)
    )
    holder = Holder(row.holder_id, row.holder_name, row.held_since) if row.holder_name else None
    return RegulationFile(
        samu_id=samu_id,
        number=number,
        case_id=row.case_id,
        state=Etat(row.state),
        created_at=row.created_at,
        opened_by=row.opened_by,
        qualification=_qualification(row),
        call_id=row.call_id,
        planned_at=row.planned_at,
        activated_at=row.activated_at,
        closed_at=row.closed_at,
        step=RegulationStep(row.step),
        queued_at=row.queued_at,
        holder=holder,
        patients=[
            Patient(
                patient_no=p.patient_no,
                last_name=p.last_name,
                first_name=p.first_name,
                birth_name=p.birth_name,
                birth_date=p.birth_date,
                age=p.age,
                sex=p.sex,
                care_level=NiveauSoin(p.care_level) if p.care_level else None,
                care_level_at=p.care_level_at,
                care_level_by=p.care_level_by,
                weight=p.weight,
                height=p.height,
                hypothesis=hypothesis_of(p.hypothesis),
            )
            for p in patients
        ],
        notes=[
            Note(
                n.note_no,
                n.body,
                n.author_id,
                n.author,
                n.role,
                n.created_at,
                n.patient_no,
                n.corrects,
                n.hub_id,
            )
            for n in notes
        ],
        decisions=[
            DecisionRow(
                decision_no=d.decision_no,
                kind=TypeDecision(d.kind),
                author_id=d.author_id,
                author=d.author,
                role=d.role,
                created_at=d.created_at,
                patient_no=d.patient_no,
                resource_type=TypeRessource(d.resource_type) if d.resource_type else None,
                reflex=d.reflex,
                orientation=d.orientation,
                destination=d.destination,
                medical_transport=d.medical_transport,
                comment=d.comment,
            )
            for d in decisions
        ],
        history=[StatusChange(h.seq, Etat(h.state), h.at, h.actor, h.reason) for h in history],
        version=row.version,
    )


def _file_values(file: RegulationFile, now: datetime) -> dict[str, Any]:
    q, loc, holder = file.qualification, file.qualification.location, file.holder
    return {
        "case_id": file.case_id,
        "state": str(file.state),
        "call_id": file.call_id,
        "created_at": file.created_at,
        "opened_by": file.opened_by,
        "planned_at": file.planned_at,
        "activated_at": file.activated_at,
        "closed_at": file.closed_at,
        "updated_at": now,
        "caller_name": q.caller_name,
        "caller_phone": q.caller_phone,
        "callback_phone": q.callback_phone,
        "address": loc.address,
        "commune_insee": loc.commune_insee,
        "commune_name": loc.commune_name,
        "lat": loc.lat,
        "lon": loc.lon,
        "precision": loc.precision,
        "aml": loc.aml,
        "motif": q.motif,
        "lieu": q.lieu,
        "priority": str(q.priority) if q.priority is not None else None,
        "attribution": str(q.attribution) if q.attribution else None,
        "step": str(file.step),
        "queued_at": file.queued_at,
        "holder_id": holder.account_id if holder else None,
        "holder_name": holder.name if holder else None,
        "held_since": holder.since if holder else None,
        **_details_values(q),
    }


def insert_file(conn: Connection, file: RegulationFile, now: datetime) -> None:
    conn.execute(
        case_file.insert().values(
            samu_id=file.samu_id, number=file.number, version=1, **_file_values(file, now)
        )
    )
    file.version = 1
    _write_changes(conn, file)


def save(conn: Connection, file: RegulationFile, now: datetime) -> None:
    """Write the file row (version + 1, refused if someone else saved meanwhile) and its pending changes."""
    updated = conn.execute(
        case_file.update()
        .where(_key(case_file, file.samu_id, file.number) & (case_file.c.version == file.version))
        .values(version=file.version + 1, **_file_values(file, now))
    )
    if updated.rowcount != 1:
        raise StaleVersion(f"file {file.number} changed since version {file.version}")
    file.version += 1
    _write_changes(conn, file)


def _write_changes(conn: Connection, file: RegulationFile) -> None:
    key = {"samu_id": file.samu_id, "number": file.number}
    for change in file.changes:
        if isinstance(change, PatientSaved):
            _upsert_patient(conn, key, file.patient(change.patient_no))
        elif isinstance(change, NoteAdded):
            n = change.note
            conn.execute(
                case_note.insert().values(
                    **key,
                    note_no=n.note_no,
                    patient_no=n.patient_no,
                    body=n.body,
                    author_id=n.author_id,
                    author=n.author,
                    role=n.role,
                    corrects=n.corrects,
                    hub_id=n.hub_id,
                    created_at=n.created_at,
                )
            )
        elif isinstance(change, DecisionRecorded):
            d = change.decision
            conn.execute(
                case_decision.insert().values(
                    **key,
                    decision_no=d.decision_no,
                    kind=str(d.kind),
                    patient_no=d.patient_no,
                    resource_type=str(d.resource_type) if d.resource_type else None,
                    reflex=d.reflex,
                    orientation=d.orientation,
                    destination=d.destination,
                    medical_transport=d.medical_transport,
                    comment=d.comment,
                    author_id=d.author_id,
                    author=d.author,
                    role=d.role,
                    created_at=d.created_at,
                )
            )
        elif isinstance(change, StateChanged):
            s = change.change
            conn.execute(
                case_status.insert().values(
                    **key, seq=s.seq, state=str(s.state), at=s.at, actor=s.actor, reason=s.reason
                )
            )


def _upsert_patient(conn: Connection, key: dict[str, str], p: Patient) -> None:
    names = " ".join(n for n in (p.last_name, p.first_name, p.birth_name) if n)
    values = {
        "last_name": p.last_name,
        "first_name": p.first_name,
        "birth_name": p.birth_name,
        "birth_date": p.birth_date,
        "age": p.age,
        "sex": p.sex,
        "care_level": str(p.care_level) if p.care_level else None,
        "care_level_at": p.care_level_at,
        "care_level_by": p.care_level_by,
        "weight": p.weight,
        "height": p.height,
        "hypothesis": as_json(p.hypothesis),
        "search_name": fold(names),
    }
    conn.execute(
        insert(case_patient)
        .values(**key, patient_no=p.patient_no, **values)
        .on_conflict_do_update(index_elements=["samu_id", "number", "patient_no"], set_=values)
    )


def samu_ids(conn: Connection) -> list[str]:
    return [r.samu_id for r in conn.execute(select(samu.c.samu_id).order_by(samu.c.samu_id))]
