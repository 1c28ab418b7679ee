"""Statements run straight on psycopg behave as through SQLAlchemy: same transaction, rows by attribute, SQLAlchemy's
exceptions, SET columns from the parameters, literals of the statement kept."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, create_engine, select
from sqlalchemy.exc import IntegrityError

from factories import samu_row
from sisamu.storage import direct
from sisamu.storage.tables import samu

pytestmark = pytest.mark.db

_INSERT = samu.insert()
_BY_ID = select(samu.c.samu_id, samu.c.name).where(samu.c.samu_id == bindparam("k_id"))
_RENAME = samu.update().where(samu.c.samu_id == bindparam("k_id"))
_PARIS = select(samu.c.samu_id).where(samu.c.timezone == "Europe/Paris").order_by(samu.c.samu_id)


def _row(samu_id: str, timezone: str = "Europe/Paris") -> dict[str, object]:
    return samu_row(samu_id, name=f"SAMU {samu_id}", timezone=timezone)


def test_direct_statements_share_the_transaction_and_its_outcome(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn, conn.begin():
        row = _row("251")
        direct.execute(conn, _INSERT, row, set_columns=row)
        direct.execute(conn, _RENAME, {"k_id": "251", "name": "Besançon"}, set_columns=["name"])
        found = direct.execute(conn, _BY_ID, {"k_id": "251"}).fetchone()
        assert (found.samu_id, found.name) == ("251", "Besançon")
        # what SQLAlchemy reads in the same transaction sees it too
        assert conn.execute(select(samu.c.name).where(samu.c.samu_id == "251")).scalar_one() == "Besançon"
        conn.rollback()
    with engine.connect() as conn:
        assert direct.execute(conn, _BY_ID, {"k_id": "251"}).fetchone() is None  # rolled back
    engine.dispose()


def test_literals_of_the_statement_are_kept(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn, conn.begin():
        for samu_id, zone in [("252", "Europe/Paris"), ("974", "Indian/Reunion")]:
            row = _row(samu_id, zone)
            direct.execute(conn, _INSERT, row, set_columns=row)
        assert [r.samu_id for r in direct.execute(conn, _PARIS, {})] == ["252"]
    engine.dispose()


def test_errors_are_sqlalchemys_and_leave_the_connection_usable(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = _row("253")
        with conn.begin():
            direct.execute(conn, _INSERT, row, set_columns=row)
        with pytest.raises(IntegrityError), conn.begin():
            direct.execute(conn, _INSERT, row, set_columns=row)
        assert direct.execute(conn, _BY_ID, {"k_id": "253"}).fetchone().name == "SAMU 253"
    engine.dispose()
