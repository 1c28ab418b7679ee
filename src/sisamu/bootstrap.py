"""Composition root: builds the database, clock and services once, for the web app, the CLI and the workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from sisamu.config import Settings, get_settings
from sisamu.domain.clock import Clock, SystemClock
from sisamu.security.token_cache import TokenCache
from sisamu.storage.database import Database
from sisamu.storage.uow import UnitOfWork


@dataclass
class Platform:
    settings: Settings
    database: Database
    clock: Clock = field(default_factory=SystemClock)
    tokens: TokenCache = field(default_factory=TokenCache)  # bearer tokens checked recently (`token_cache_s`)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def close(self) -> None:
        self.database.close()


def build_platform(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    keep_database_running: bool = False,
) -> Platform:
    settings = settings or get_settings()
    database = database or Database.from_settings(settings, keep_running=keep_database_running)
    return Platform(settings=settings, database=database, clock=clock or SystemClock())
