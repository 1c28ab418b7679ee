"""Search by caller phone, fuzzy patient name (pg_trgm), commune, day, file number — tenant-checked and audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from sisamu.cases import reads, service
from sisamu.security.errors import Forbidden
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db


@pytest.fixture
def files(platform, clock, staff):
    made = {}
    specs = [
        ("dupont", "250", "06 12 34 56 78", "25056", [{"last_name": "Dupont", "first_name": "Hélène"}]),
        ("dupond", "250", "0381818181", "25056", [{"last_name": "Dupond", "first_name": "Jean"}]),
        ("martin", "250", "06 12 34 56 78", "25462", [{"last_name": "Martin"}, {"last_name": "Petit"}]),
        ("other-samu", "680", "06 12 34 56 78", "68224", [{"last_name": "Dupont"}]),
    ]
    for label, samu_id, phone, insee, patients in specs:
        with platform.uow() as uow:
            made[label] = service.open_file(
                uow,
                principal=staff[f"arm.{samu_id}"],
                samu_id=samu_id,
                now=clock.now(),
                qualification={"caller_phone": phone, "location": {"commune_insee": insee}},
                patients=patients,
            ).number
        clock.advance(600)
    return made


def find(platform, who, **criteria):
    with platform.uow() as uow:
        return reads.search_files(uow, principal=who, samu_id="250", now=platform.clock.now(), **criteria)


def test_caller_history_by_phone_newest_first_own_samu_only(platform, files, staff):
    arm = staff["arm.250"]
    with platform.uow() as uow:
        history = reads.caller_history(
            uow, principal=arm, samu_id="250", phone="+33 6 12 34 56 78", now=platform.clock.now()
        )
    assert [f.number for f in history] == [files["martin"], files["dupont"]]
    assert history[0].patients == ["MARTIN", "PETIT"]
    platform.clock.advance(timedelta(days=91).total_seconds())
    with platform.uow() as uow:
        assert (
            reads.caller_history(
                uow, principal=arm, samu_id="250", phone="0612345678", now=platform.clock.now()
            )
            == []
        )


def test_fuzzy_patient_name_with_accents_and_typos(platform, files, staff):
    found = find(platform, staff["regulator.250"], name="dupont")
    assert [f.number for f in found][:2] == [files["dupont"], files["dupond"]]
    assert found[0].score is not None
    assert found[0].score > found[1].score
    assert files["other-samu"] not in [f.number for f in found]
    assert [f.number for f in find(platform, staff["arm.250"], name="HELENE")] == [files["dupont"]]
    assert [f.number for f in find(platform, staff["arm.250"], name="petit")] == [files["martin"]]


def test_uses_the_trigram_index(platform, files):
    with platform.engine.connect() as conn:
        conn.execute(sa.text("SET enable_seqscan = off"))
        conn.execute(sa.text("SET enable_indexscan = off"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                sa.text("EXPLAIN SELECT number FROM case_patient WHERE search_name %> 'dupon'")
            )
        )
    assert "ix_case_patient_search_name" in plan


def test_by_commune_day_and_number(platform, files, staff):
    arm = staff["arm.250"]
    assert {f.number for f in find(platform, arm, commune_insee="25056")} == {
        files["dupont"],
        files["dupond"],
    }
    assert len(find(platform, arm, day=date(2026, 1, 25))) == 3
    assert find(platform, arm, day=date(2026, 1, 24)) == []
    assert [f.number for f in find(platform, arm, number=files["dupond"])] == [files["dupond"]]
    assert len(find(platform, arm, number=files["dupond"][:-5])) == 3
    assert [
        f.number for f in find(platform, arm, name="dupon", commune_insee="25056", phone="0381818181")
    ] == [files["dupond"]]


def test_a_search_needs_a_criterion_and_the_right_tenant(platform, files, staff):
    with pytest.raises(Forbidden):
        find(platform, staff["arm.250"])
    with pytest.raises(Forbidden):
        find(platform, staff["arm.680"], name="dupont")


def test_every_search_is_audited_with_its_criteria_and_results(platform, files, staff):
    find(platform, staff["regulator.250"], name="dupont")
    with platform.engine.connect() as conn:
        row = conn.execute(
            sa.select(audit_event)
            .where(audit_event.c.action == "file.search")
            .order_by(audit_event.c.seq.desc())
        ).first()
    assert row.actor == "regulator.250"
    assert row.samu_id == "250"
    assert row.detail["criteria"] == {"name": "dupont"}
    assert files["dupont"] in row.detail["numbers"]
