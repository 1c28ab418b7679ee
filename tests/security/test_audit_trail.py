"""Issue 12, "Audit trail that survives an insider": the application's database role cannot alter the trail (also
on the embedded server and after `sisamu db upgrade`); signed checkpoints kept outside the database catch what a
role with every right still could do — cut the chain's tail, rewrite entries with their hashes and the head; reads
of calls, callback outcomes and notes, and the receipt of an AML location are audited."""

from __future__ import annotations

import asyncio
import json
import shutil
import stat
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from factories import add_account, add_samu
from sisamu import migrations
from sisamu.admin.cli import audit_app
from sisamu.bootstrap import background_services, build_platform
from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.distribution import service as calls
from sisamu.calls.flux import Flux
from sisamu.calls.seats import service as seats
from sisamu.cli import app as sisamu_cli
from sisamu.config import Settings, get_settings
from sisamu.domain.clock import FakeClock
from sisamu.security import audit, service, store
from sisamu.security import audit_checkpoints as checkpoints
from sisamu.security.roles import Role
from sisamu.storage.database import Database, sqlalchemy_url
from sisamu.storage.embedded import APP_ROLE, OWNER_ROLE, hand_over, role_url
from sisamu.storage.tables import audit_event, audit_head
from sisamu.web.app import create_app
from support import ROLE_PASSWORD, as_owner

pytestmark = pytest.mark.db
INSUFFICIENT_PRIVILEGE = "42501"


def _fill(platform, samu_id: str = "250", n: int = 5) -> None:
    for i in range(n):
        with platform.uow() as uow:
            audit.record(
                uow.conn,
                principal=None,
                samu_id=samu_id,
                action="patient.read",
                object_type="file",
                object_id=f"F{i}",
                at=platform.clock.now(),
                detail={"i": i},
                actor="test",
            )


def _verify(platform, anchors=()) -> list[audit.AuditProblem]:
    with platform.engine.connect() as conn:
        return audit.verify(conn, anchors=anchors)[1]


def _as_dba(platform, *statements: str | sa.Executable) -> None:
    """What a DBA with the owner's rights can do: the triggers off, any statement, the triggers on again."""
    owner = sa.create_engine(platform.database.owner_url)
    with owner.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        for statement in statements:
            conn.execute(sa.text(statement) if isinstance(statement, str) else statement)
        conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    owner.dispose()


# ---- the application's role cannot alter the trail -----------------------------------------------------------------

ATTACKS = {
    "update an entry": "UPDATE audit_event SET actor = 'nobody'",
    "delete entries": "DELETE FROM audit_event",
    "truncate": "TRUNCATE audit_event",
    "disable all triggers": "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "disable the user triggers": "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "drop the append-only trigger": "DROP TRIGGER audit_event_append_only ON audit_event",
    "drop the head trigger": "DROP TRIGGER audit_event_extends_head ON audit_event",
    "replace the trigger function": "CREATE OR REPLACE FUNCTION sisamu_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    "update the head": "UPDATE audit_head SET seq = 0",
    "delete the head": "DELETE FROM audit_head",
    "insert a head": "INSERT INTO audit_head VALUES ('999', 0, repeat('0', 64))",
    "drop the table": "DROP TABLE audit_event",
    "take the table": f"ALTER TABLE audit_event OWNER TO {APP_ROLE}",
    "replica mode (triggers off)": "SET session_replication_role = replica",
    "become the owner": f"SET ROLE {OWNER_ROLE}",
    "change the schema version": "UPDATE alembic_version SET version_num = '0001'",
}


def _refused(engine: sa.Engine, sql: str) -> None:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(sa.text(sql))
    assert getattr(caught.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, caught.value


@pytest.mark.parametrize("sql", ATTACKS.values(), ids=ATTACKS.keys())
def test_the_application_role_cannot_alter_the_trail(platform, sql):
    _fill(platform, n=3)
    _refused(platform.engine, sql)
    assert _verify(platform) == []
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_event)).scalar_one() == 3


def test_the_platform_runs_as_the_application_role_with_no_exposure(platform):
    with platform.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar_one() == APP_ROLE
        assert audit.role_exposures(conn) == []
    owner = sa.create_engine(platform.database.owner_url)
    with owner.connect() as conn:  # the check sees a role that could rewrite the trail
        assert any("owns the audit tables" in e for e in audit.role_exposures(conn))
    owner.dispose()


def test_an_entry_that_does_not_extend_its_chain_is_refused(platform):
    _fill(platform, n=2)
    with platform.engine.connect() as conn:
        head = conn.execute(sa.select(audit_head).where(audit_head.c.samu_id == "250")).one()
    row = {"samu_id": "250", "at": datetime.now(UTC), "actor": "x", "role": "system", "action": "forged"}
    row |= {"object_type": "file", "object_id": "F", "detail": {}, "hash": "f" * 64}
    for seq, prev_hash in ((head.seq + 5, head.hash), (head.seq + 1, "0" * 64)):
        with pytest.raises(DBAPIError, match="does not extend its chain"), platform.engine.begin() as conn:
            conn.execute(audit_event.insert().values(row | {"seq": seq, "prev_hash": prev_hash}))
    assert _verify(platform) == []


def test_concurrent_appends_still_form_one_chain(platform):
    threads = [threading.Thread(target=_fill, args=(platform, "250", 10)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(audit_head.c.seq).where(audit_head.c.samu_id == "250")).scalar() == 40
    assert _verify(platform) == []


@pytest.fixture
def empty_database(pg_admin_url: str, db_roles: None) -> Iterator[tuple[str, str]]:
    """An empty database of the owner role: (application's URL, owner's URL)."""
    name = f"sisamu_roles_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
    url = sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    yield sqlalchemy_url(role_url(url, APP_ROLE, ROLE_PASSWORD)), sqlalchemy_url(as_owner(url))
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _appends_but_cannot_alter(database: Database) -> None:
    platform = build_platform(Settings(database_url=database.url, secret_key="t"), database=database)
    try:
        _fill(platform, n=2)
        for attack in ("UPDATE audit_event SET actor = 'x'", "ALTER TABLE audit_event DISABLE TRIGGER ALL"):
            _refused(platform.engine, attack)
        assert _verify(platform) == []
    finally:
        platform.close()


def test_db_upgrade_migrates_as_the_owner_and_grants_the_application_role(
    empty_database, monkeypatch, tmp_path
):
    app_url, owner_url = empty_database
    for name, value in (("DATABASE_URL", app_url), ("MIGRATION_DATABASE_URL", owner_url)):
        monkeypatch.setenv(f"SISAMU_{name}", value)
    monkeypatch.setenv("SISAMU_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(sisamu_cli, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    _appends_but_cannot_alter(Database(url=app_url))


def test_a_database_made_before_the_roles_is_handed_over_to_the_owner(empty_database, pg_admin_url):
    app_url, owner_url = empty_database
    name = sa.make_url(app_url).database
    superuser = sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(sqlalchemy_url(superuser), "0009")  # as the embedded server did: all the superuser's
    assert hand_over(superuser, OWNER_ROLE) > 0
    assert hand_over(superuser, OWNER_ROLE) == 0
    migrations.upgrade(owner_url, app_role=APP_ROLE)
    _appends_but_cannot_alter(Database(url=app_url))


def test_the_startup_migration_warns_when_the_application_role_owns_the_trail(owner_database_url, caplog):
    database = Database(url=owner_database_url)  # one role for everything, as before
    try:
        migrations.upgrade_database(database)
    finally:
        database.close()
    assert f"{OWNER_ROLE} owns the audit tables" in caplog.text


def test_the_embedded_server_has_both_roles(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="sisamu-roles-"))
    folder.chmod(0o755)  # the embedded server runs as another user than root
    database = Database.from_settings(Settings(data_dir=folder, database_url=None))
    try:
        assert (sa.make_url(database.url).username, database.app_role) == (APP_ROLE, APP_ROLE)
        assert database.owner_url is not None
        assert sa.make_url(database.owner_url).username == OWNER_ROLE
        migrations.upgrade_database(database)
        _appends_but_cannot_alter(Database(url=database.url))
    finally:
        database.close()
        shutil.rmtree(folder, ignore_errors=True)


# ---- signed checkpoints outside the database -----------------------------------------------------------------------


@pytest.fixture
def signed(settings, tmp_path) -> Settings:
    """Settings with a provisioned signing key and a checkpoint folder."""
    key = tmp_path / "keys" / "audit.pem"
    checkpoints.load_signing_key(key, create=True)
    return settings.model_copy(
        update={"audit_signing_key": key, "audit_checkpoint_dir": tmp_path / "anchors"}
    )


def _cli(settings: Settings, *args: str):
    def build(**_: object):
        database = Database(url=str(settings.database_url), owner_url=settings.migration_database_url)
        return build_platform(settings, database=database)

    return CliRunner().invoke(audit_app, list(args), obj=build)


def _lines(settings: Settings) -> list[dict[str, object]]:
    path = checkpoints.checkpoint_file_path(settings)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_checkpoints_sign_each_moved_head_into_an_append_only_file(platform, signed):
    _fill(platform, "250", 3)
    _fill(platform, "680", 1)
    assert _cli(signed, "checkpoint").exit_code == 0
    first = _lines(signed)
    assert [(c["samu_id"], c["seq"]) for c in first] == [("250", 3), ("680", 1)]
    assert set(first[0]) == {"at", "samu_id", "seq", "hash", "key_id", "signature"}
    path = checkpoints.checkpoint_file_path(signed)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = checkpoints.load_public_key(Path(str(signed.audit_signing_key)))
    anchors, problems = checkpoints.check_signatures(checkpoints.CheckpointFile(path).read()[0], [public])
    assert problems == []
    assert len(anchors) == 2
    _fill(platform, "250", 2)
    assert _cli(signed, "checkpoint").exit_code == 0
    assert _cli(signed, "checkpoint").exit_code == 0  # nothing moved: nothing written
    lines = _lines(signed)
    assert lines[:2] == first
    assert [(c["samu_id"], c["seq"]) for c in lines[2:]] == [("250", 5)]
    _fill(platform, "250", 2)  # entries after the last checkpoint go on from it
    verified = _cli(signed, "verify")
    assert verified.exit_code == 0, verified.output
    assert "8 entrées vérifiées, 3 points de contrôle" in verified.output


def test_cutting_the_tail_below_a_checkpoint_is_detected(platform, signed):
    _fill(platform, "250", 5)
    assert _cli(signed, "checkpoint").exit_code == 0
    with platform.engine.connect() as conn:
        third = conn.execute(sa.select(audit_event.c.hash).where(audit_event.c.seq == 3)).scalar_one()
    _as_dba(
        platform,
        "DELETE FROM audit_event WHERE samu_id = '250' AND seq > 3",
        sa.update(audit_head).where(audit_head.c.samu_id == "250").values(seq=3, hash=third),
    )
    assert _verify(platform) == []  # the chain alone cannot tell
    result = _cli(signed, "verify")
    assert result.exit_code == 1
    assert "entries cut" in result.output


def _rewrite(platform, samu_id: str, seq: int) -> None:
    """Change entry `seq` and recompute every hash after it, and the head, as a DBA with every right could."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_event).where(audit_event.c.samu_id == samu_id).order_by(audit_event.c.seq)
        ).all()
    statements: list[sa.Executable] = []
    prev = audit.GENESIS
    for row in rows:
        fields = {c: getattr(row, c) for c in ("samu_id", "seq", "at", "actor_id", "actor", "role", "action")}
        fields |= {"object_type": row.object_type, "object_id": row.object_id, "detail": row.detail}
        if row.seq == seq:
            fields["object_id"] = "someone else's file"
        digest = audit.entry_hash(**fields, prev_hash=prev)
        where = (audit_event.c.samu_id == samu_id) & (audit_event.c.seq == row.seq)
        new = {"object_id": fields["object_id"], "prev_hash": prev, "hash": digest}
        statements.append(sa.update(audit_event).where(where).values(new))
        prev = digest
    statements.append(sa.update(audit_head).where(audit_head.c.samu_id == samu_id).values(hash=prev))
    _as_dba(platform, *statements)


def test_rewriting_the_entries_and_the_head_consistently_is_detected(platform, signed):
    _fill(platform, "250", 5)
    assert _cli(signed, "checkpoint").exit_code == 0
    _fill(platform, "250", 1)
    _rewrite(platform, "250", 2)
    assert _verify(platform) == []  # the chain alone cannot tell
    result = _cli(signed, "verify")
    assert result.exit_code == 1
    assert "chain rewritten" in result.output


def test_an_altered_or_foreign_checkpoint_line_is_detected(platform, signed, tmp_path):
    _fill(platform, "250", 3)
    assert _cli(signed, "checkpoint").exit_code == 0
    _rewrite(platform, "250", 1)
    with platform.engine.connect() as conn:
        head = conn.execute(sa.select(audit_head).where(audit_head.c.samu_id == "250")).one()
    path = checkpoints.checkpoint_file_path(signed)
    (line,) = _lines(signed)
    path.write_text(json.dumps(line | {"hash": head.hash}) + "\n")  # the file edited to match the rewrite
    altered = _cli(signed, "verify")
    assert altered.exit_code == 1
    assert "signature invalid" in altered.output
    own_key = checkpoints.load_signing_key(tmp_path / "attacker.pem", create=True)
    forged = checkpoints.sign(own_key, at=datetime.now(UTC), samu_id="250", seq=3, hash=head.hash)
    path.write_text(forged.to_line())  # re-signed with a key of the attacker's
    foreign = _cli(signed, "verify")
    assert foreign.exit_code == 1
    assert "unknown key" in foreign.output


def test_an_auditor_verifies_with_the_public_key_alone(platform, signed, tmp_path):
    _fill(platform, "250", 2)
    assert _cli(signed, "checkpoint").exit_code == 0
    shown = _cli(signed, "public-key")
    assert shown.exit_code == 0
    assert "BEGIN PUBLIC KEY" in shown.output
    public = tmp_path / "audit.pub"
    public.write_text(shown.output[shown.output.index("-----BEGIN") :])
    auditor = signed.model_copy(update={"audit_signing_key": None})
    copy = tmp_path / "copy.jsonl"
    shutil.copy(checkpoints.checkpoint_file_path(signed), copy)
    ok = _cli(auditor, "verify", "--checkpoints", str(copy), "--public-key", str(public))
    assert ok.exit_code == 0, ok.output
    assert _cli(auditor, "verify", "--checkpoints", str(copy)).exit_code == 2  # no key to check them with


def test_the_signing_key_is_generated_in_embedded_mode_only(platform, settings):
    now = platform.clock.now
    assert checkpoints.checkpointer_for(platform.engine, settings, embedded=False, now=now) is None
    quiet = settings.model_copy(update={"audit_checkpoint_interval_s": 0})
    assert checkpoints.checkpointer_for(platform.engine, quiet, embedded=True, now=now) is None
    checkpointer = checkpoints.checkpointer_for(platform.engine, settings, embedded=True, now=now)
    assert checkpointer is not None
    _fill(platform, "250", 1)
    assert [c.seq for c in checkpointer.once()] == [1]
    key = settings.data_dir / checkpoints.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert checkpointer.file.path == settings.data_dir / checkpoints.FOLDER / checkpoints.LOG_FILE


def test_the_background_service_signs_at_its_interval(platform, signed):
    platform.settings = signed.model_copy(update={"audit_checkpoint_interval_s": 0.05})
    (service,) = [s for s in background_services(platform) if getattr(s, "name", "") == "audit-checkpoints"]
    path = checkpoints.checkpoint_file_path(signed)

    async def scenario() -> list[int]:
        service.start()
        try:
            for n in (1, 2):
                _fill(platform, "250", 1)
                for _ in range(200):
                    await asyncio.sleep(0.02)
                    if path.exists() and len(path.read_text().splitlines()) == n:
                        break
        finally:
            await service.stop()
        return [int(str(c["seq"])) for c in _lines(signed)]

    assert asyncio.run(scenario()) == [1, 2]


# ---- telephony reads, callback outcomes and notes, AML receipt -----------------------------------------------------


@pytest.fixture
def telephony(platform) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """A client of the web app and bearer headers of SAMU 250's ARM and telephony gateway; a call c1."""
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    now = platform.clock.now()
    headers = {}
    with platform.uow() as uow:
        add_samu(uow, "250")
        for username, role in (("arm.250", Role.ARM), ("telephony_gateway.250", Role.TELEPHONY_GATEWAY)):
            add_account(uow, username, role, "250", now=now)
    for username in ("arm.250", "telephony_gateway.250"):
        with platform.engine.connect() as conn:
            principal = store.principal_from_row(store.account_by_username(conn, username))
        with platform.uow() as uow:
            token = service.issue_token(uow, principal=principal, name="test", now=now)
        headers[username] = {"Authorization": f"Bearer {token}"}
    with platform.uow() as uow:
        calls.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id="c1",
            flux=Flux.CENTRE_15,
            caller_number="0612345678",
            now=now,
        )
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        yield client, headers


def _entries(platform, action: str) -> list[sa.Row]:
    with platform.engine.connect() as conn:
        return conn.execute(sa.select(audit_event).where(audit_event.c.action == action)).all()


BASE = "/api/samus/250/telephony"


def test_reading_the_calls_is_audited_without_the_callers_number(platform, telephony):
    client, headers = telephony
    assert client.get(f"{BASE}/calls", headers=headers["arm.250"]).status_code == 200
    assert client.get(f"{BASE}/calls/c1", headers=headers["arm.250"]).status_code == 200
    (listed,) = _entries(platform, "call.list")
    (read,) = _entries(platform, "call.read")
    assert (listed.actor, listed.samu_id, listed.object_id, listed.detail) == (
        "arm.250",
        "250",
        "250",
        {"calls": ["c1"]},
    )
    assert (read.actor, read.object_type, read.object_id) == ("arm.250", "call", "c1")
    assert "0612345678" not in json.dumps([listed.detail, read.detail])


def test_a_callback_outcome_and_its_note_are_audited_without_the_note(platform, telephony):
    client, headers = telephony
    later = platform.clock.now() + timedelta(seconds=60)
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="250", call_id="c1", now=later)
    with platform.engine.connect() as conn:
        ((entry, _),) = callback_store.callbacks(conn, "250", open_only=True)
    with platform.uow() as uow:
        seats.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=later)
        callbacks.start_callback_attempt(
            uow, principal=None, samu_id="250", callback_id=entry.callback_id, seat_id="P1", now=later
        )
    note = "Rappel : douleur thoracique, adressé au médecin régulateur"
    body = {"outcome": "reached", "note": note}
    url = f"{BASE}/callbacks/{entry.callback_id}/outcome"
    assert client.post(url, json=body, headers=headers["arm.250"]).status_code == 200
    (done,) = _entries(platform, "callback.outcome")
    assert (done.actor, done.object_type, done.object_id) == ("arm.250", "callback", str(entry.callback_id))
    assert done.detail == {"outcome": "reached", "note": True}
    assert "thoracique" not in json.dumps(done.detail)


def test_the_receipt_of_an_aml_location_is_audited_without_the_position(platform, telephony):
    client, headers = telephony
    top = platform.clock.now().strftime("%Y%m%d%H%M%S")
    sms = f'A"ML=1;lt=+47.23672;lg=+6.02230;rd=25;top={top};lc=68;pm=G'
    received = client.post(
        f"{BASE}/aml", json={"text": sms, "msisdn": "0612345678"}, headers=headers["telephony_gateway.250"]
    )
    assert received.status_code == 201, received.text
    (entry,) = _entries(platform, "call.location.receive")
    assert (entry.actor, entry.samu_id, entry.object_type) == ("telephony_gateway.250", "250", "aml_location")
    assert entry.detail == {"call_id": "c1"}  # neither the position nor the number
