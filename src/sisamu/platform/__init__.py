"""The platform as every entry point sees it: settings, database, clock, message bus and the adapters to the
outside world, built once by `sisamu.bootstrap.build_platform` (the composition root) and handed to the web app,
each CLI command, each worker, the simulator and the tests.

This package is the top of the shared kernel: features import it (the `Platform` type, the request dependencies of
`http`, the CLI helper of `cli`, the shared events of `events`); it imports no feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sisamu.domain.clock import Clock, SystemClock
from sisamu.security.token_cache import TokenCache
from sisamu.storage.uow import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sisamu.config import Settings
    from sisamu.domain.ports import Telephony, TravelTimeEstimator
    from sisamu.storage.bus import MessageBus
    from sisamu.storage.database import Database


@dataclass
class Platform:
    settings: Settings
    database: Database
    bus: MessageBus
    travel_times: TravelTimeEstimator
    telephony: Telephony | None = None  # None: no telephony executes requests (the ARM dials by hand)
    clock: Clock = field(default_factory=SystemClock)
    tokens: TokenCache = field(default_factory=TokenCache)  # bearer tokens checked recently (`token_cache_s`)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def uow(self) -> UnitOfWork:
        """A unit of work on this platform's database whose recorded events reach this platform's bus."""
        return UnitOfWork(self.engine, self.bus)

    def close(self) -> None:
        close = getattr(self.telephony, "close", None)
        if callable(close):
            close()
        self.database.close()
