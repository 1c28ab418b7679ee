"""`sisamu db upgrade`, `sisamu db check`, `sisamu seed pilots|national` through the real Typer app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from sisamu import migrations as migrate
from sisamu.cli import app
from sisamu.config import get_settings
from sisamu.storage.database import sqlalchemy_url
from sisamu.storage.tables import account, samu

pytestmark = pytest.mark.db


@pytest.fixture
def empty_database_url(pg_admin_url: str) -> Iterator[str]:
    """A database with nothing in it, not even the schema."""
    from sqlalchemy.engine import make_url

    name = f"sisamu_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield sqlalchemy_url(make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False))
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """invoke(url, *args) → result of `sisamu <args>` with SISAMU_DATABASE_URL=url (settings cache cleared)."""
    runner = CliRunner()

    def invoke(url: str, *args: str, catch: bool = False):
        monkeypatch.setenv("SISAMU_DATABASE_URL", url)
        monkeypatch.setenv("SISAMU_DATA_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("SISAMU_SECRET_KEY", "cli-test-secret")
        get_settings.cache_clear()
        try:
            return runner.invoke(app, list(args), catch_exceptions=catch)
        finally:
            get_settings.cache_clear()

    return invoke


def _scalar(url: str, query):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


def test_db_upgrade_migrates_an_empty_database_idempotently(cli, empty_database_url):
    result = cli(empty_database_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "Schéma à jour" in result.output
    assert migrate.current(empty_database_url) == _scalar(
        empty_database_url, text("SELECT version_num FROM alembic_version")
    )
    again = cli(empty_database_url, "db", "upgrade")
    assert again.exit_code == 0, again.output


def test_db_check_models_and_migrations_agree(cli, empty_database_url):
    """The CI guard of the acceptance criteria: a model change without its migration (or the reverse) fails."""
    check = cli(empty_database_url, "db", "check", catch=True)
    assert check.exit_code == 0, check.output
    assert "Modèles et migrations concordent" in check.output


def test_db_check_fails_when_the_database_drifts_from_the_models(cli, database_url, owner_database_url):
    engine = create_engine(owner_database_url)  # only the owner changes the schema
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE samu ADD COLUMN drift text"))
    engine.dispose()
    result = cli(database_url, "db", "check", catch=True)
    assert result.exit_code == 1
    assert "divergent" in result.output


def test_seed_pilots_loads_eleven_rooms_idempotently(cli, database_url):
    first = cli(database_url, "seed", "pilots", "--demo-accounts")
    assert first.exit_code == 0, first.output
    assert "11 salles" in first.output
    assert _scalar(database_url, select(func.count()).select_from(samu)) == 11
    accounts = _scalar(database_url, select(func.count()).select_from(account))
    assert accounts > 0
    assert _scalar(database_url, select(func.count()).select_from(samu).where(samu.c.samu_id == "64B")) == 1

    again = cli(database_url, "seed", "pilots", "--demo-accounts")
    assert again.exit_code == 0, again.output
    assert "0 comptes de démonstration créés" in again.output
    assert _scalar(database_url, select(func.count()).select_from(samu)) == 11
    assert _scalar(database_url, select(func.count()).select_from(account)) == accounts


def test_seed_national_loads_one_room_per_departement_idempotently(cli, database_url):
    first = cli(database_url, "seed", "national")
    assert first.exit_code == 0, first.output
    assert "102 salles" in first.output
    assert _scalar(database_url, select(func.count()).select_from(samu)) == 102
    hospitals = first.output
    again = cli(database_url, "seed", "national")
    assert again.exit_code == 0, again.output
    assert _scalar(database_url, select(func.count()).select_from(samu)) == 102
    assert again.output.split("salles", 1)[1] == hospitals.split("salles", 1)[1]
