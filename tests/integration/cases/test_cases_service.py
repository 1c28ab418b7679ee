"""Regulation-file use cases on real PostgreSQL: open, qualify, patients, P0, queue, regulate, life-cycle, access,
audit and live events."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from sisamu.cases import patients, reads, service, sharing
from sisamu.cases.model import InvalidFile, RegulationStep
from sisamu.cases.store import StaleVersion
from sisamu.cases.tables import case_note
from sisamu.domain.codes import Etat, NiveauSoin, Priorite, TypeDecision, TypeRessource
from sisamu.domain.errors import TransitionRefused
from sisamu.security.errors import Forbidden, NotFound
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db


def open_file(platform, who, **kwargs):
    with platform.uow() as uow:
        return service.open_file(uow, principal=who, samu_id="250", now=platform.clock.now(), **kwargs)


def run(platform, fn, **kwargs):
    with platform.uow() as uow:
        return fn(uow, now=platform.clock.now(), **kwargs)


def audit_actions(platform, number):
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_event.c.action, audit_event.c.actor)
            .where(audit_event.c.object_id == number)
            .order_by(audit_event.c.seq)
        )
        return [(r.action, r.actor) for r in rows]


def test_open_from_an_answered_call(platform, clock, staff):
    arm = staff["arm.250"]
    with platform.uow() as uow:
        file = service.open_file(
            uow,
            principal=arm,
            samu_id="250",
            now=clock.now(),
            call_id="call-0001",
            qualification={"caller_phone": "06 12 34 56 78", "motif": "M01.01", "priority": "P1"},
            patients=[{"last_name": "Durand", "first_name": "Léa", "sex": "F"}],
        )
        events = list(uow.live_events)
    assert re.fullmatch(r"DRFR152502602500001", file.number)
    assert file.case_id == "fr.health.samu250.DRFR152502602500001"
    assert file.state is Etat.ACTIF
    assert [e.kind for e in events] == ["case.opened"]
    assert events[0].data == {"state": "ACTIF", "step": "QUALIFYING", "priority": "P1"}
    with platform.uow() as uow:
        loaded = service.get_file(uow, principal=staff["regulator.250"], number=file.number, now=clock.now())
    assert loaded.call_id == "call-0001"
    assert loaded.qualification.caller_phone == "+33612345678"
    assert loaded.patients[0].first_name == "Léa"
    assert loaded.history[0].reason == "call answered"
    assert loaded.version == 1
    assert audit_actions(platform, file.number) == [("file.open", "arm.250"), ("file.read", "regulator.250")]


def test_program_file_then_activated(platform, clock, staff):
    file = open_file(platform, staff["arm.250"], program=True)
    assert file.state is Etat.PROGRAM
    moved = run(
        platform, service.change_state, principal=staff["arm.250"], number=file.number, target=Etat.ACTIF
    )
    assert moved.state is Etat.ACTIF


def test_qualification_patients_and_optimistic_version(platform, clock, staff):
    arm = staff["arm.250"]
    file = open_file(platform, arm)
    updated = run(
        platform,
        service.update_qualification,
        principal=arm,
        number=file.number,
        changes={"lieu": "L01.01.01", "location": {"commune_insee": "25056", "commune_name": "Besançon"}},
        expected_version=1,
    )
    assert updated.version == 2
    with pytest.raises(StaleVersion):
        run(
            platform,
            service.update_qualification,
            principal=arm,
            number=file.number,
            changes={"priority": "P3"},
            expected_version=1,
        )
    patient = run(platform, patients.add_patient, principal=arm, number=file.number, identity={"age": "P70Y"})
    run(
        platform,
        patients.update_patient,
        principal=arm,
        number=file.number,
        patient_no=patient.patient_no,
        changes={"last_name": "Martin"},
    )
    with platform.uow() as uow:
        loaded = service.get_file(uow, principal=arm, number=file.number, now=clock.now())
    assert loaded.qualification.lieu == "L01.01.01"
    assert loaded.qualification.priority is None  # not pre-set: the ARM has not chosen one
    assert (loaded.patients[0].age, loaded.patients[0].last_name) == ("P70Y", "Martin")
    assert loaded.version == 4


def test_regulation_queue_by_priority_then_age_with_p0_first(platform, clock, staff):
    arm, mr = staff["arm.250"], staff["regulator.250"]
    numbers = {}
    for label, priority in [("p2-old", "P2"), ("p1", "P1"), ("p3", "P3"), ("p2-new", "P2"), ("p1-new", "P1")]:
        numbers[label] = open_file(platform, arm, qualification={"priority": priority}).number
        run(platform, service.hand_over, principal=arm, number=numbers[label])
        clock.advance(60)
    reflex = open_file(platform, arm, qualification={"priority": "P2"}).number
    run(platform, service.reflex_departure, principal=arm, number=reflex, resource_type=TypeRessource.SMUR)
    numbers["reflex"] = reflex
    open_file(platform, arm)  # still with the ARM: not in the queue
    with platform.uow() as uow:
        queue = reads.regulation_queue(uow, principal=mr, samu_id="250", now=clock.now())
    by_number = {v: k for k, v in numbers.items()}
    assert [by_number[e.number] for e in queue] == ["reflex", "p1", "p1-new", "p2-old", "p2-new", "p3"]
    assert queue[0].step is RegulationStep.DIRECT
    assert queue[0].priority is Priorite.P0
    taken = run(platform, service.take, principal=mr, number=numbers["p1"])
    assert taken.holder is not None
    with pytest.raises(TransitionRefused, match=r"held by regulator\.250"):
        run(platform, service.take, principal=staff["regulator2.250"], number=numbers["p1"])
    with platform.uow() as uow:
        queue = reads.regulation_queue(uow, principal=mr, samu_id="250", now=clock.now())
    assert numbers["p1"] not in [e.number for e in queue]
    run(platform, service.release, principal=mr, number=numbers["p1"])
    with platform.uow() as uow:
        queue = reads.regulation_queue(uow, principal=mr, samu_id="250", now=clock.now())
    assert [by_number[e.number] for e in queue][:2] == ["reflex", "p1"]


def test_a_physician_regulates_to_acheve_valide_and_back(platform, clock, staff):
    arm, mr = staff["arm.250"], staff["regulator.250"]
    file = open_file(platform, arm, qualification={"motif": "M01.01"}, patients=[{"last_name": "Roy"}])
    run(platform, service.hand_over, principal=arm, number=file.number)
    with platform.uow() as uow:
        service.take(uow, principal=mr, number=file.number, now=clock.now())
        patients.set_care_level(
            uow, principal=mr, number=file.number, patient_no=1, level=NiveauSoin.R2, now=clock.now()
        )
        note = service.add_note(
            uow, principal=mr, number=file.number, body="Douleur thoracique", now=clock.now()
        )
        service.add_note(
            uow,
            principal=mr,
            number=file.number,
            body="Douleur depuis 2 h",
            corrects=note.note_no,
            now=clock.now(),
        )
        service.record_decision(
            uow,
            principal=mr,
            number=file.number,
            now=clock.now(),
            decision=service.DecisionInput(TypeDecision.ORIENT, patient_no=1, destination="CHU Minjoz"),
        )
        kinds = [e.kind for e in uow.live_events]
    assert kinds == ["case.taken", "case.regulated", "case.noted", "case.noted", "case.regulated"]
    for target in (Etat.ACHEVE, Etat.VALIDE):
        run(platform, service.change_state, principal=mr, number=file.number, target=target)
    reopened = run(
        platform,
        service.record_decision,
        principal=mr,
        number=file.number,
        decision=service.DecisionInput(TypeDecision.CONSEIL),
    )
    with platform.uow() as uow:
        loaded = service.get_file(uow, principal=mr, number=file.number, now=clock.now())
    assert reopened.decision_no == 2
    assert [h.state for h in loaded.history] == [Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE, Etat.ACTIF]
    assert loaded.notes[1].corrects == 1
    assert loaded.is_drm
    actions = [a for a, _ in audit_actions(platform, file.number)]
    assert actions.count("file.note") == 2
    assert "file.decision" in actions
    assert "file.care_level" in actions


def test_notes_decisions_and_history_are_append_only_in_the_database(platform, clock, staff):
    file = open_file(platform, staff["arm.250"])
    run(
        platform, service.add_note, principal=staff["arm.250"], number=file.number, body="Appel de la voisine"
    )
    with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
        conn.execute(case_note.update().values(body="effacé"))
    with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
        conn.execute(case_note.delete())


def test_the_arm_does_not_regulate_and_the_supervisor_only_reads(platform, clock, staff):
    file = open_file(platform, staff["arm.250"])
    with pytest.raises(Forbidden):
        run(platform, service.take, principal=staff["arm.250"], number=file.number)
    with pytest.raises(Forbidden):
        run(
            platform,
            service.update_qualification,
            principal=staff["supervisor.250"],
            number=file.number,
            changes={"priority": "P1"},
        )
    with platform.uow() as uow:
        assert service.get_file(uow, principal=staff["supervisor.250"], number=file.number, now=clock.now())


@pytest.mark.parametrize("who", ["arm.680", "regulator.680", "supervisor.680"])
def test_another_samu_sees_nothing_until_granted(platform, clock, staff, who):
    file = open_file(platform, staff["arm.250"])
    with pytest.raises(NotFound):
        run(platform, service.get_file, principal=staff[who], number=file.number)
    with platform.uow() as uow:
        sharing.grant_access(
            uow,
            principal=staff["supervisor.250"],
            number=file.number,
            grantee_samu_id="680",
            reason="SHARED",
            now=clock.now(),
        )
        assert [e.samu_id for e in uow.live_events] == ["250", "680"]
    with platform.uow() as uow:
        assert (
            service.get_file(uow, principal=staff[who], number=file.number, now=clock.now()).number
            == file.number
        )


@pytest.mark.parametrize("who", ["national", "analyst", "crew.250"])
def test_national_analyst_and_crews_never_read_files(platform, clock, staff, who):
    file = open_file(platform, staff["arm.250"])
    with pytest.raises(Forbidden):
        run(platform, service.get_file, principal=staff[who], number=file.number)
    with pytest.raises(Forbidden):
        run(platform, reads.search_files, principal=staff[who], samu_id="250", name="x")


def test_unknown_or_malformed_numbers_are_not_found(platform, clock, staff):
    with pytest.raises(NotFound):
        run(platform, service.get_file, principal=staff["arm.250"], number="DRFR152502602599999")
    with pytest.raises(NotFound):
        run(platform, service.get_file, principal=staff["arm.250"], number="nope")


def test_export_is_audited(platform, clock, staff):
    file = open_file(platform, staff["arm.250"], patients=[{"last_name": "Roy"}])
    with platform.uow() as uow:
        envelope = reads.export_rs_eda(
            uow, principal=staff["regulator.250"], number=file.number, now=clock.now()
        )
    assert envelope["senderID"] == "fr.health.samu250"
    assert ("file.export", "regulator.250") in audit_actions(platform, file.number)


def test_room_board_has_no_identity(platform, clock, staff):
    file = open_file(
        platform, staff["arm.250"], patients=[{"last_name": "Roy"}], qualification={"caller_name": "X"}
    )
    clock.advance(timedelta(minutes=3).total_seconds())
    with platform.uow() as uow:
        rows = reads.room_board(staff["national"], uow, "250")
    assert [r.number for r in rows] == [file.number]
    assert not {"caller_name", "last_name", "caller_phone"} & set(rows[0]._fields)


def test_commune_codes_are_checked_against_the_gazetteer(platform, clock, staff):
    file = open_file(platform, staff["arm.250"], qualification={"location": {"commune_insee": "25056"}})
    assert file.qualification.location.commune_name == "Besançon"
    with pytest.raises(InvalidFile, match="no commune with INSEE code '25999'"):
        run(
            platform,
            service.update_qualification,
            principal=staff["arm.250"],
            number=file.number,
            changes={"location": {"commune_insee": "25999"}},
        )
