"""The audit chain detects a changed, inserted or deleted entry, and the table refuses changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from sisamu.admin.cli import audit_app
from sisamu.bootstrap import build_platform
from sisamu.security import audit
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db


def _fill(platform, n: int = 5) -> None:
    for i in range(n):
        with platform.uow() as uow:
            audit.record(
                uow.conn,
                principal=None,
                samu_id="250",
                action="patient.read",
                object_type="file",
                object_id=f"F{i}",
                at=platform.clock.now(),
                detail={"i": i},
                actor="test",
            )
    with platform.uow() as uow:
        audit.record(
            uow.conn,
            principal=None,
            samu_id="680",
            action="patient.write",
            object_type="file",
            object_id="G1",
            at=platform.clock.now(),
            actor="test",
        )


def _tamper(platform, sql: str) -> None:
    """Change the table as an attacker with the owner's rights would: its triggers off for this transaction."""
    owner = sa.create_engine(platform.database.owner_url)
    with owner.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        conn.execute(sa.text(sql))
        conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    owner.dispose()


def _verify(platform):
    with platform.engine.connect() as conn:
        return audit.verify(conn)


def test_intact_chain_verifies(platform):
    _fill(platform)
    checked, problems = _verify(platform)
    assert checked == 6
    assert problems == []


def test_changed_entry_is_detected(platform):
    _fill(platform)
    _tamper(platform, "UPDATE audit_event SET object_id = 'F999' WHERE samu_id = '250' AND seq = 3")
    _, problems = _verify(platform)
    assert [(p.samu_id, p.seq) for p in problems] == [("250", 3)]
    assert "changed" in problems[0].reason


def test_deleted_entry_is_detected(platform):
    _fill(platform)
    _tamper(platform, "DELETE FROM audit_event WHERE samu_id = '250' AND seq = 2")
    _, problems = _verify(platform)
    assert any(p.seq == 3 and "gap" in p.reason for p in problems)


def test_deleted_last_entry_is_detected_by_the_head(platform):
    _fill(platform)
    _tamper(platform, "DELETE FROM audit_event WHERE samu_id = '680'")
    _, problems = _verify(platform)
    assert any(p.samu_id == "680" and "head" in p.reason for p in problems)


def test_inserted_entry_is_detected(platform):
    _fill(platform)
    _tamper(platform, "UPDATE audit_event SET seq = -seq WHERE samu_id = '250' AND seq >= 4")
    _tamper(platform, "UPDATE audit_event SET seq = 1 - seq WHERE samu_id = '250' AND seq < 0")
    _tamper(
        platform,
        "INSERT INTO audit_event (samu_id, seq, at, actor, role, action, object_type, object_id, detail, prev_hash, hash)"
        " SELECT samu_id, 4, at, actor, role, action, object_type, 'FORGED', detail, hash, repeat('0', 64)"
        " FROM audit_event WHERE samu_id = '250' AND seq = 3",
    )
    _, problems = _verify(platform)
    assert any(p.samu_id == "250" and p.seq == 4 for p in problems)


def test_table_refuses_update_and_delete_even_to_its_owner(platform):
    _fill(platform, 1)
    owner = sa.create_engine(platform.database.owner_url)
    for statement in (sa.update(audit_event).values(actor="x"), sa.delete(audit_event)):
        with pytest.raises(DBAPIError, match="append-only"), owner.begin() as conn:
            conn.execute(statement)
    owner.dispose()


def test_cli_verify_exit_codes(platform, settings, monkeypatch):
    _fill(platform)
    monkeypatch.setenv("SISAMU_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    ok = runner.invoke(audit_app, ["verify"], obj=build_platform)
    assert ok.exit_code == 0, ok.output
    assert "6 entrées" in ok.output
    _tamper(platform, "UPDATE audit_event SET detail = '{\"i\": 42}' WHERE samu_id = '250' AND seq = 1")
    bad = runner.invoke(audit_app, ["verify"], obj=build_platform)
    assert bad.exit_code == 1
    assert "altéré" in bad.output
