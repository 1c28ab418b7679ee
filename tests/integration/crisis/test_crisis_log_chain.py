"""Issue 16, the crisis log's hash chain on real PostgreSQL: 20 writers at once lose no entry and leave a chain that
verifies; the application's role cannot change an entry; a row changed or a tail cut by someone who can (the
owner, triggers off) is found by `verify` and by `sisamu crisis verify`."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from factories import add_account, add_samu
from sisamu.cli import app
from sisamu.config import get_settings
from sisamu.crisis import chain, service
from sisamu.crisis.model import CrisisKind, EntryIn
from sisamu.crisis.tables import crisis_log
from sisamu.security import store
from sisamu.security.roles import Role

pytestmark = pytest.mark.db

WRITERS = 20
EACH = 10


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
            title="Accident de car", place="A36",
        )  # fmt: skip
    return opened.crisis_id


def test_twenty_writers_at_once_lose_nothing_and_the_chain_verifies(platform, crisis_id):
    principals = [_principal(platform, f"arm{i}.250") for i in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            start.wait()
            for n in range(EACH):
                with platform.uow() as uow:
                    service.append_entry(
                        uow, principal=principals[i], crisis_id=crisis_id, now=platform.clock.now(),
                        entry=EntryIn(source=f"ARM {i}", information=f"message {i}-{n}"),
                    )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(crisis_log.c.seq, crisis_log.c.information).where(crisis_log.c.crisis_id == crisis_id)
        ).all()
        checked, problems = chain.verify(conn, crisis_id)
    assert problems == []
    assert checked == WRITERS * EACH + 1  # and the opening entry
    assert sorted(r.seq for r in rows) == list(range(1, WRITERS * EACH + 2))  # dense: no gap, no duplicate
    written = {r.information for r in rows}
    assert {f"message {i}-{n}" for i in range(WRITERS) for n in range(EACH)} <= written


def _cli_verify(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SISAMU_DATABASE_URL", database_url)
    monkeypatch.setenv("SISAMU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SISAMU_SECRET_KEY", "cli-test-secret")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["crisis", "verify"], catch_exceptions=False)
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "attack",
    ["UPDATE crisis_log SET information = 'rien' WHERE seq = 2", "DELETE FROM crisis_log WHERE seq = 2",
     "TRUNCATE crisis_log CASCADE"],
)  # fmt: skip
def test_the_application_role_cannot_change_the_log(platform, crisis_id, attack):
    with pytest.raises(DBAPIError), platform.engine.begin() as conn:
        conn.execute(sa.text(attack))


def test_tampering_is_detected(platform, database_url, crisis_id, monkeypatch, tmp_path):
    supervisor = _principal(platform, "supervisor.250")
    for n in range(4):
        with platform.uow() as uow:
            service.append_entry(
                uow, principal=supervisor, crisis_id=crisis_id, now=platform.clock.now(),
                entry=EntryIn(source="SDIS", information=f"bilan {n}"),
            )  # fmt: skip
    clean = _cli_verify(database_url, monkeypatch, tmp_path)
    assert clean.exit_code == 0, clean.output
    assert "5 entrées vérifiées" in clean.output

    owner = sa.create_engine(platform.database.owner_url)
    try:
        with owner.begin() as conn:  # a DBA with every right: triggers off, one row rewritten
            conn.execute(sa.text("ALTER TABLE crisis_log DISABLE TRIGGER crisis_log_append_only"))
            conn.execute(sa.text("UPDATE crisis_log SET information = 'bilan modifié' WHERE seq = 3"))
            conn.execute(sa.text("ALTER TABLE crisis_log ENABLE TRIGGER crisis_log_append_only"))
        with platform.engine.connect() as conn:
            _, problems = chain.verify(conn, crisis_id)
        assert [(p.seq, p.reason) for p in problems] == [
            (3, "content does not match its hash (entry changed)")
        ]
        found = _cli_verify(database_url, monkeypatch, tmp_path)
        assert found.exit_code == 1
        assert f"crise {crisis_id} entrée 3" in found.output

        with owner.begin() as conn:  # the last entry deleted: the head disagrees
            conn.execute(sa.text("ALTER TABLE crisis_log DISABLE TRIGGER crisis_log_append_only"))
            conn.execute(sa.text("DELETE FROM crisis_log WHERE seq = 5"))
            conn.execute(sa.text("ALTER TABLE crisis_log ENABLE TRIGGER crisis_log_append_only"))
        with platform.engine.connect() as conn:
            _, problems = chain.verify(conn, crisis_id)
        assert any("head says 5" in p.reason for p in problems)
    finally:
        owner.dispose()
