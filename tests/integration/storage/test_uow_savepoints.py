"""Savepoints of a unit of work: a failed block undoes its writes and events, the rest commits; a savepoint that
succeeds is released by the commit (one round trip fewer), and a transaction never holds more than one such."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import sqlalchemy as sa

from factories import add_samu
from sisamu.domain.events import LiveEvent
from sisamu.platform import Platform
from sisamu.storage import direct
from sisamu.storage.tables import samu

pytestmark = pytest.mark.db


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The savepoint commands sent, in order."""
    sent: list[str] = []
    real = direct.command

    def recording(conn: Any, sql: str) -> None:
        sent.append(sql)
        real(conn, sql)

    monkeypatch.setattr(direct, "command", recording)
    return sent


def _names(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return list(conn.execute(sa.select(samu.c.samu_id).order_by(samu.c.samu_id)).scalars())


def test_failed_savepoints_undo_their_writes_and_events_the_rest_commits(
    platform: Platform, commands: list[str]
) -> None:
    with platform.uow() as uow:
        with uow.savepoint():
            add_samu(uow, "250")
            uow.emit(LiveEvent("250", "call.changed", "a", 1))
        with contextlib.suppress(sa.exc.IntegrityError), uow.savepoint():
            add_samu(uow, "680")
            uow.emit(LiveEvent("680", "call.changed", "b", 1))
            add_samu(
                uow, "680"
            )  # a duplicate: the transaction is aborted until the rollback to the savepoint
        with uow.savepoint():
            add_samu(uow, "700")
            with contextlib.suppress(RuntimeError), uow.savepoint():  # nested, failed
                add_samu(uow, "974")
                raise RuntimeError("inner")
            with uow.savepoint():  # nested, kept
                add_samu(uow, "971")
        assert [e.samu_id for e in uow.live_events] == ["250"]
    assert _names(platform) == ["250", "700", "971"]
    assert commands == [
        "SAVEPOINT sisamu_sp_1",
        # the first one succeeded: no RELEASE of its own, the next outermost savepoint sends it
        "RELEASE SAVEPOINT sisamu_sp_1",
        "SAVEPOINT sisamu_sp_2",
        "ROLLBACK TO SAVEPOINT sisamu_sp_2",
        "RELEASE SAVEPOINT sisamu_sp_2",
        "SAVEPOINT sisamu_sp_3",
        "SAVEPOINT sisamu_sp_4",
        "ROLLBACK TO SAVEPOINT sisamu_sp_4",
        "SAVEPOINT sisamu_sp_5",
        "RELEASE SAVEPOINT sisamu_sp_5",  # savepoints inside another one are released as they end
        # sisamu_sp_3 is released by the commit
    ]


def test_one_savepoint_and_its_pass_cost_one_command_and_a_new_transaction_starts_clean(
    platform: Platform, commands: list[str]
) -> None:
    for samu_id in ("250", "680"):
        with platform.uow() as uow, uow.savepoint():
            add_samu(uow, samu_id)
    assert commands == ["SAVEPOINT sisamu_sp_1", "SAVEPOINT sisamu_sp_1"]
    assert _names(platform) == ["250", "680"]


def _command_failing_after_its_pass(platform: Platform) -> None:
    with platform.uow() as uow:
        with uow.savepoint():
            add_samu(uow, "250")
        raise RuntimeError("the command fails after its pass")


def test_an_error_after_a_savepoint_rolls_everything_back(platform: Platform) -> None:
    with pytest.raises(RuntimeError):
        _command_failing_after_its_pass(platform)
    assert _names(platform) == []
