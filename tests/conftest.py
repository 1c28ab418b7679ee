"""Shared fixtures: a real PostgreSQL (this machine's via SISAMU_TEST_DATABASE_URL, else embedded), one fresh
database per test cloned from a migrated template (or, for a test that asks for `pilots_seeded`, from a second
template seeded once with the pilot rooms and the demo accounts), and a platform wired on it.

Under pytest-xdist each worker is a session of its own: its own embedded server, its own templates.

As in production, the databases belong to the owner role, which migrates them, and the platform connects as the
application's role, which cannot alter the audit trail (`database_url` is the application's, `owner_database_url`
the owner's)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.config import Settings
from sisamu.platform import Platform
from sisamu.storage.database import Database, libpq_url, sqlalchemy_url
from sisamu.storage.embedded import APP_ROLE, OWNER_ROLE, EmbeddedPostgres, ensure_roles, role_url
from support import ROLE_PASSWORD, TEST_TOTP_KEY, as_owner

# The fault suite (tests/ha: a real Patroni cluster, minutes long) runs only through scripts/faults.
collect_ignore = [] if os.environ.get("SISAMU_FAULTS") == "1" else ["ha"]


_ROLES_LOCK = 0x5A_4D_15  # advisory lock key of the test roles' set-up


def _with_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """libpq URL of a maintenance database on a real server."""
    external = os.environ.get("SISAMU_TEST_DATABASE_URL")
    if external:
        yield libpq_url(external)
        return
    # Not under pytest's own temp root: it is private to root, and the embedded server runs as another user.
    folder = Path(tempfile.mkdtemp(prefix="sisamu-test-pg-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "data")
    url = server.start()
    yield libpq_url(_with_db(url, "postgres"))
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def db_roles(pg_admin_url: str) -> None:
    """The owner and application roles (the password is for a server that asks for one). Roles are shared by
    the whole server: parallel sessions on one server (pytest-xdist workers, SISAMU_TEST_DATABASE_URL) take turns."""
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_ROLES_LOCK,))
        try:
            ensure_roles(pg_admin_url, owner=OWNER_ROLE, app=APP_ROLE)
            for role in (OWNER_ROLE, APP_ROLE):
                conn.execute(f"ALTER ROLE \"{role}\" PASSWORD '{ROLE_PASSWORD}'")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_ROLES_LOCK,))


def _app_url(pg_admin_url: str, name: str) -> str:
    return sqlalchemy_url(role_url(_with_db(pg_admin_url, name), APP_ROLE, ROLE_PASSWORD))


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str, db_roles: None) -> Iterator[str]:
    name = f"sisamu_tpl_{os.getpid()}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
    migrate.upgrade(as_owner(_app_url(pg_admin_url, name)), app_role=APP_ROLE)
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seeded_template_db(
    pg_admin_url: str,
    template_db: str,
    tmp_path_factory: pytest.TempPathFactory,
    _fast_password_hashing: None,
) -> Iterator[str]:
    """The migrated template seeded with the pilot rooms and the demo accounts (`seed(platform, "pilots",
    demo_accounts=True)`), once per session: the tests that serve the platform clone it instead of seeding each
    their own database (seconds each). The demo passwords are hashed with the tests' fast costs."""
    from sisamu.seeding import seed

    name = f"sisamu_tpl_seeded_{os.getpid()}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}" OWNER "{OWNER_ROLE}"')
    url = _app_url(pg_admin_url, name)
    settings = Settings(
        database_url=url,
        migration_database_url=as_owner(url),
        data_dir=tmp_path_factory.mktemp("seeded-template") / "var",
        secret_key="test-secret",
        totp_key=TEST_TOTP_KEY,
        timers_enabled=False,
    )
    built = build_platform(settings, database=Database(url=url, owner_url=as_owner(url)))
    try:
        seed(built, "pilots", demo_accounts=True)
    finally:
        built.close()
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pilots_seeded() -> None:
    """Asked for (by a test or a fixture such as `served`): this test's `database_url` is a clone of the seeded
    template (`seeded_template_db`), so the pilot rooms and the demo accounts are there from the start."""


@contextmanager
def _migrated_database(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """A clone of the template, owned by the owner role; yields the application role's URL."""
    name = f"sisamu_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}" OWNER "{OWNER_ROLE}"')
    yield _app_url(pg_admin_url, name)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(pg_admin_url: str, template_db: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database of this test's own (SQLAlchemy URL of the application's role); seeded with the pilots
    and the demo accounts when the test asks for `pilots_seeded`."""
    if "pilots_seeded" in request.fixturenames:
        template_db = request.getfixturevalue("seeded_template_db")
    with _migrated_database(pg_admin_url, template_db) as url:
        yield url


@pytest.fixture
def owner_database_url(database_url: str) -> str:
    """The same database as its owner role (migrations, schema changes)."""
    return as_owner(database_url)


@pytest.fixture
def new_database_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """Another migrated database of this test's own: a second site, another SAMU's sisamu."""
    with _migrated_database(pg_admin_url, template_db) as url:
        yield url


@pytest.fixture
def settings(database_url: str, owner_database_url: str, tmp_path: Path) -> Settings:
    # The telephony timers worker stays off in the test app unless a test turns it on.
    return Settings(
        database_url=database_url,
        migration_database_url=owner_database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret",
        totp_key=TEST_TOTP_KEY,
        timers_enabled=False,
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    assert settings.database_url is not None
    database = Database(url=settings.database_url, owner_url=settings.migration_database_url)
    built = build_platform(settings, database=database)
    yield built
    built.close()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Tests create many accounts: argon2id with small costs keeps them fast (production keeps RFC 9106 costs)."""
    from argon2 import PasswordHasher

    from sisamu.security import passwords

    saved = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("dummy")
    yield
    passwords._hasher, passwords._DUMMY_HASH = saved
