"""Issue 16 part 3, the victims registry on real PostgreSQL: 20 people registering victims at once — bracelets
scanned and numbers allocated by sisamu — lose none, never share a number, and leave the allocated sequence dense;
the same bracelet scanned twice at once is registered once; a stale edit is refused; each registration and change
is in the crisis log (whose chain still verifies), audited, and the triage history keeps who changed what."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from factories import add_account, add_samu
from sisamu.crisis import chain, service
from sisamu.crisis.model import CrisisKind, CrisisRefused
from sisamu.crisis.tables import crisis_log
from sisamu.crisis.victims import service as victims
from sisamu.crisis.victims.model import Status, Triage, Vector
from sisamu.crisis.victims.tables import crisis_victim
from sisamu.security import store
from sisamu.security.roles import Role
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db

WRITERS = 20
EACH = 5


def _principal(platform, username):
    with platform.engine.connect() as conn:
        return store.principal_from_row(store.account_by_username(conn, username))


@pytest.fixture
def crisis_id(platform) -> int:
    now = platform.clock.now()
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_account(uow, "supervisor.250", Role.SUPERVISOR, "250", now=now)
        for i in range(WRITERS):
            add_account(uow, f"arm{i}.250", Role.ARM, "250", now=now)
    with platform.uow() as uow:
        opened = service.open_crisis(
            uow, principal=_principal(platform, "supervisor.250"), now=now, kind=CrisisKind.NOVI, level=2,
            title="Explosion dans une usine", place="ZI de Besançon",
        )  # fmt: skip
    return opened.crisis_id


def _at_once(count, work):
    start = threading.Barrier(count)
    errors: list[BaseException] = []
    results: list[object] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results.extend(work(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_twenty_writers_at_once_no_duplicate_number_none_lost(platform, crisis_id):
    principals = [_principal(platform, f"arm{i}.250") for i in range(WRITERS)]

    def writer(i: int) -> list[str]:
        numbers = []
        for n in range(EACH):
            # half the victims have a bracelet scanned, the others get a number from sisamu
            bracelet = f"FR025NOVI2026TR{i * 100 + n + 1:06d}" if n % 2 == 0 else None
            with platform.uow() as uow:
                v = victims.register(
                    uow, principal=principals[i], crisis_id=crisis_id, now=platform.clock.now(),
                    bracelet=bracelet, triage=Triage.UR, pma="PMA gymnase",
                )  # fmt: skip
            numbers.append(v.number)
        return numbers

    numbers, errors = _at_once(WRITERS, writer)
    assert errors == []
    assert len(numbers) == WRITERS * EACH == len(set(numbers))
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(crisis_victim.c.number, crisis_victim.c.allocated_seq).where(
                crisis_victim.c.crisis_id == crisis_id
            )
        ).all()
        _, problems = chain.verify(conn, crisis_id)
        logged = conn.execute(
            sa.select(sa.func.count()).where(
                crisis_log.c.crisis_id == crisis_id, crisis_log.c.link_kind == "victim"
            )
        ).scalar_one()
        audited = conn.execute(
            sa.select(sa.func.count()).where(audit_event.c.action == "crisis.victim.create")
        ).scalar_one()
    assert {r.number for r in rows} == set(numbers)  # none lost
    allocated = sorted(r.allocated_seq for r in rows if r.allocated_seq is not None)
    assert allocated == list(range(1, WRITERS * (EACH // 2) + 1))  # dense: no gap, no duplicate
    assert problems == []
    assert logged == WRITERS * EACH
    assert audited == WRITERS * EACH


def test_the_same_bracelet_scanned_at_once_is_registered_once(platform, crisis_id):
    principals = [_principal(platform, f"arm{i}.250") for i in range(WRITERS)]

    def writer(i: int) -> list[str]:
        try:
            with platform.uow() as uow:
                victims.register(
                    uow, principal=principals[i], crisis_id=crisis_id, now=platform.clock.now(),
                    bracelet="FR025NOVI2026TR000777", triage=Triage.UA,
                )  # fmt: skip
        except CrisisRefused as refused:
            return [refused.code]
        return ["ok"]

    outcomes, errors = _at_once(WRITERS, writer)
    assert errors == []
    assert sorted(outcomes) == ["VICTIME_EXISTE"] * (WRITERS - 1) + ["ok"]


def test_changes_are_versioned_guarded_logged_and_keep_the_triage_history(platform, crisis_id):
    arm, other = _principal(platform, "arm0.250"), _principal(platform, "arm1.250")
    with platform.uow() as uow:
        v = victims.register(
            uow, principal=arm, crisis_id=crisis_id, now=platform.clock.now(), bracelet=None, triage=Triage.UR,
            site="Parking nord",
        )  # fmt: skip
    assert (v.number, v.status, v.version) == (f"SISAMU-{crisis_id}-000001", Status.SITE, 1)

    def change(who, version, **changes):
        with platform.uow() as uow:
            return victims.update(
                uow, principal=who, crisis_id=crisis_id, number=v.number, now=platform.clock.now(),
                version=version, changes=changes,
            )  # fmt: skip

    worse = change(other, 1, triage=Triage.UA, pma="PMA gymnase", status=Status.PMA)
    assert (worse.version, worse.triage, worse.status) == (2, Triage.UA, Status.PMA)
    with pytest.raises(CrisisRefused) as stale:
        change(arm, 1, triage=Triage.EU)  # arm read version 1
    assert (stale.value.code, stale.value.status) == ("VERSION_PERIMEE", 409)
    with pytest.raises(CrisisRefused) as incomplete:
        change(arm, 2, status=Status.EVACUATED)
    assert incomplete.value.code == "EVACUATION_INCOMPLETE"
    with pytest.raises(CrisisRefused) as unknown:
        change(arm, 2, destination="nulle-part")
    assert unknown.value.code == "ETABLISSEMENT_INCONNU"
    gone = change(arm, 2, vector=Vector.SMUR, destination="chu-besancon-25", status=Status.EVACUATED)
    assert gone.status is Status.EVACUATED
    with pytest.raises(CrisisRefused):
        change(arm, 3, status=Status.PMA)  # never back
    change(arm, 3, status=Status.ADMITTED)
    with platform.uow() as uow:
        read = victims.victim(
            uow, principal=arm, crisis_id=crisis_id, number=v.number, now=platform.clock.now()
        )
    assert [(h.triage, h.by) for h in read.history] == [(Triage.UR, "arm0.250"), (Triage.UA, "arm1.250")]
    assert (read.version, read.status, read.destination) == (4, Status.ADMITTED, "chu-besancon-25")
    with platform.engine.connect() as conn:
        infos = conn.execute(
            sa.select(crisis_log.c.information)
            .where(crisis_log.c.crisis_id == crisis_id, crisis_log.c.link_id == v.number)
            .order_by(crisis_log.c.seq)
        ).scalars().all()  # fmt: skip
        reads = conn.execute(
            sa.select(sa.func.count()).where(audit_event.c.action == "crisis.victim.read")
        ).scalar_one()
    assert len(infos) == 4
    assert "UA — urgence absolue" in infos[1]
    assert "au PMA" in infos[1]
    assert "évacuée" in infos[2]
    assert "SMUR" in infos[2]
    assert reads == 1
