"""Which PostgreSQL to use, as which role, and the SQLAlchemy engine on it.

The platform connects as the application's role (`SISAMU_DATABASE_URL`), which reads and writes rows; migrations run
as the owner role (`SISAMU_MIGRATION_DATABASE_URL`), which owns the tables. The embedded server has both roles."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from sisamu.storage.embedded import EmbeddedPostgres
from sisamu.storage.resilience import count_commits

if TYPE_CHECKING:
    from sisamu.config import Settings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
# A pooled connection unused for longer than this is checked (a round trip) before it is lent again.
IDLE_CHECK_S = 1.0


def sqlalchemy_url(url: str) -> str:
    """Normalise any PostgreSQL URL to the psycopg 3 dialect."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same URL as plain libpq understands it (for psycopg and LISTEN)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@dataclass
class Database:
    """A resolved database: the external server named by the settings, or the embedded one.

    `url` is the application role's; `owner_url` the owner role's, which migrates the schema (None: not known —
    migrations then run as the application's role, which works only for a schema already up to date, unless that
    role owns the tables, when the audit trail is not protected from the application).
    """

    url: str
    owner_url: str | None = None
    embedded: EmbeddedPostgres | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, keep_running: bool = False) -> Database:
        if settings.database_url:
            owner = settings.migration_database_url
            return cls(
                url=sqlalchemy_url(settings.database_url), owner_url=sqlalchemy_url(owner) if owner else None
            )
        server = EmbeddedPostgres(settings.pgdata, keep_running=keep_running)
        server.start()
        return cls(
            url=sqlalchemy_url(server.app_url), owner_url=sqlalchemy_url(server.owner_url), embedded=server
        )

    @property
    def migration_url(self) -> str:
        """The URL migrations run on: the owner role's when known, else the application's."""
        return self.owner_url or self.url

    @property
    def app_role(self) -> str | None:
        """The application role's name (the user of `url`)."""
        return make_url(self.url).username

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # A server that does not answer a connection within CONNECT_TIMEOUT_S is given up (a fail-over).
            self._engine = create_engine(
                self.url, pool_size=10, max_overflow=20, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
            )
            check_idle_connections(self._engine)
            count_commits(self._engine)
        return self._engine

    @property
    def libpq_url(self) -> str:
        return libpq_url(self.url)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self.embedded is not None:
            self.embedded.stop()


def check_idle_connections(engine: Engine, idle_s: float = IDLE_CHECK_S) -> None:
    """Check a pooled connection before lending it only when it sat unused for more than `idle_s`.

    SQLAlchemy's `pool_pre_ping` costs a round trip on every checkout, a third of them on the busiest routes. A
    connection returned moments ago is alive unless the server went away in those moments; one idle for longer
    (a PostgreSQL restart or fail-over, a firewall's idle timeout) is pinged, and replaced if dead. A connection
    that breaks while in use is caught by SQLAlchemy's disconnect handling: the pool is emptied, the request fails
    once, and the next ones reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned <= idle_s:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # any failure of the ping means: do not lend this connection
            raise DisconnectionError("idle pooled connection is dead") from exc
        if not alive:
            raise DisconnectionError("idle pooled connection is dead")
