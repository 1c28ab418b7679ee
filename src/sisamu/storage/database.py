"""Which PostgreSQL to use, and the SQLAlchemy engine on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from sisamu.storage.embedded import EmbeddedPostgres

if TYPE_CHECKING:
    from sisamu.config import Settings

log = logging.getLogger(__name__)


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
    """A resolved database: the external server named by the settings, or the embedded one."""

    url: str
    embedded: EmbeddedPostgres | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, keep_running: bool = False) -> Database:
        if settings.database_url:
            return cls(url=sqlalchemy_url(settings.database_url))
        server = EmbeddedPostgres(settings.pgdata, keep_running=keep_running)
        return cls(url=sqlalchemy_url(server.start()), embedded=server)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
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
