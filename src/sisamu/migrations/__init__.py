"""The schema's migrations (Alembic scripts in `versions/`), driven from Python so the installed package migrates
itself (`sisamu db upgrade`, `sisamu db check`). They span every feature's tables (`sisamu.schema`).

They run as the database's owner role; after each upgrade the owner grants the application's role its rights
(`roles.py`), so the application never owns a table (docs/deploy.md)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from sisamu.migrations.roles import grant_application_role
from sisamu.security.audit import role_exposures

if TYPE_CHECKING:
    from sisamu.storage.database import Database

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, app_role: str | None = None) -> None:
    """Migrate the database of `url` (the owner role's) to `revision`, then grant `app_role` its rights."""
    command.upgrade(alembic_config(url), revision)
    if app_role and app_role != make_url(url).username:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                grant_application_role(conn, app_role)
        finally:
            engine.dispose()


def upgrade_database(database: Database, revision: str = "head") -> None:
    """`sisamu db upgrade` and the start-up migration of `run`, `serve`, `demo`, `seed`: as the owner role when
    known, granting the application's role; then warn if the application's role could rewrite the audit trail."""
    upgrade(database.migration_url, revision, app_role=database.app_role if database.owner_url else None)
    with database.engine.connect() as conn:
        for exposure in role_exposures(conn):
            log.warning("the application's database role %s (see docs/deploy.md)", exposure)


def check(url: str) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    command.check(alembic_config(url))


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
