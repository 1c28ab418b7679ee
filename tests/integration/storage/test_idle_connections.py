"""Pooled connections: one idle past the threshold is checked and replaced if its server process died; a recently
returned one is lent without a round trip (and a death in between fails one request, then the pool recovers)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from sisamu.storage.database import check_idle_connections

pytestmark = pytest.mark.db


def _engine(url: str, idle_s: float):
    engine = create_engine(url, pool_size=1, max_overflow=0)
    check_idle_connections(engine, idle_s=idle_s)
    return engine


def _kill_pooled_backend(engine, url: str) -> int:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = create_engine(url, poolclass=None)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()
    return int(pid)


def test_an_idle_connection_whose_server_process_died_is_replaced_before_use(database_url: str) -> None:
    engine = _engine(database_url, idle_s=0.0)  # every returned connection counts as idle
    dead = _kill_pooled_backend(engine, database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead
    engine.dispose()


def test_a_recent_connection_is_lent_unchecked_and_the_pool_recovers_after_one_failure(
    database_url: str,
) -> None:
    engine = _engine(database_url, idle_s=3600.0)
    dead = _kill_pooled_backend(engine, database_url)
    with pytest.raises(OperationalError), engine.connect() as conn:  # no ping: the death is seen on use
        conn.execute(text("SELECT 1"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead
    engine.dispose()
