"""`GET /metrics`: the platform in the Prometheus text format, for Prometheus only.

Two kinds of figures:
- this process's own (`sisamu.platform.metrics`): requests, distribution passes, live-feed lag, Hub deliveries,
  database errors, its connection pool, its live consoles and background services;
- the platform's state read from PostgreSQL at the scrape (at most every `CACHE_S`, with a statement timeout): the
  queue and seats of every room, today's calls by SAMU and flux, the Hub outbox's backlog. These are the same
  whichever instance answers: with several instances, aggregate them with `max by (…)`, not `sum`
  (docs/observability.md).

Access: the bearer token `SISAMU_METRICS_TOKEN` when one is set, else clients on this machine only (anyone else:
401). The figures carry no patient data, but a room's load is nobody else's business.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Iterator
from ipaddress import ip_address
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from sisamu.calls.wallboard.rooms import Rooms, rooms
from sisamu.hubsante.outbox import Backlog, backlog
from sisamu.platform.metrics import REGISTRY
from sisamu.platform.services import BackgroundService, health

if TYPE_CHECKING:
    from sisamu.platform import Platform
    from sisamu.web.live import LiveHub

log = logging.getLogger(__name__)
router = APIRouter()
CACHE_S = 5.0
STATEMENT_TIMEOUT_MS = 2000


class PlatformCollector(Collector):
    """What the database and this process's objects say at the scrape."""

    def __init__(
        self, platform: Platform, hub: LiveHub, services: list[BackgroundService] | None = None
    ) -> None:
        self.platform = platform
        self.hub = hub
        self.services = services if services is not None else []
        self._lock = threading.Lock()
        self._read_at = 0.0
        self._state: tuple[Rooms, list[Backlog]] | None = None
        self._failed = False

    def _read(self) -> tuple[Rooms, list[Backlog]] | None:
        with self._lock:
            if time.monotonic() - self._read_at < CACHE_S:
                return self._state
            try:
                with self.platform.engine.connect() as conn, conn.begin():
                    conn.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
                    now = self.platform.clock.now()
                    threshold = self.platform.settings.lost_call_threshold_s
                    self._state = (rooms(conn, now, lost_call_threshold_s=threshold), backlog(conn, now))
                    self._failed = False
            except Exception:  # a scrape never fails: the figures are left out, the failure counted
                log.warning("metrics: the database could not be read", exc_info=True)
                self._state, self._failed = None, True
            self._read_at = time.monotonic()
            return self._state

    def collect(self) -> Iterator[Metric]:
        yield from self._process()
        state = self._read()
        up = GaugeMetricFamily(
            "sisamu_database_up", "1 when the last read of the platform's state from PostgreSQL succeeded."
        )
        up.add_metric([], 0.0 if self._failed else 1.0)
        yield up
        if state is not None:
            yield from _rooms(state[0])
            yield from _backlog(state[1])

    def _process(self) -> Iterator[Metric]:
        pool = self.platform.engine.pool
        checked_out = GaugeMetricFamily(
            "sisamu_db_pool_connections", "This process's database connections, by use.", labels=["use"]
        )
        checked_out.add_metric(["in_use"], float(getattr(pool, "checkedout", lambda: 0)()))
        checked_out.add_metric(["idle"], float(getattr(pool, "checkedin", lambda: 0)()))
        yield checked_out
        consoles = GaugeMetricFamily(
            "sisamu_live_consoles", "Consoles connected to this process's live feed."
        )
        consoles.add_metric([], float(self.hub.subscriber_count))
        yield consoles
        listening = GaugeMetricFamily(
            "sisamu_live_feed_listening", "1 when this process listens to the platform's live events."
        )
        listening.add_metric([], 1.0 if self.hub.listening.is_set() else 0.0)
        yield listening
        services = GaugeMetricFamily(
            "sisamu_background_service_up",
            "1 when a background service of this process does its work (timers, Hub workers, MQTT…).",
            labels=["service"],
        )
        for service in self.services:
            name, ok = health(service)
            services.add_metric([name], 1.0 if ok else 0.0)
        yield services


def _rooms(state: Rooms) -> Iterator[Metric]:
    queue = GaugeMetricFamily(
        "sisamu_queue_calls",
        "Calls waiting for a seat (queued) or ringing at one (presented).",
        labels=["samu_id", "state"],
    )
    oldest = GaugeMetricFamily(
        "sisamu_queue_oldest_wait_seconds", "The longest current wait of a room's calls.", labels=["samu_id"]
    )
    for samu_id in sorted(set(state.queued) | set(state.presented)):
        queue.add_metric([samu_id, "queued"], float(state.queued.get(samu_id, 0)))
        queue.add_metric([samu_id, "presented"], float(state.presented.get(samu_id, 0)))
        oldest.add_metric([samu_id], state.oldest_wait_s.get(samu_id, 0.0))
    seats = GaugeMetricFamily("sisamu_seats", "ARM seats by state.", labels=["samu_id", "state"])
    for (samu_id, seat_state), n in sorted(state.seats.items()):
        seats.add_metric([samu_id, seat_state], float(n))
    calls = GaugeMetricFamily(
        "sisamu_calls_today",
        "Today's calls (since local midnight) by SAMU, flux and outcome: offered, answered, answered within 60 s, "
        "abandoned, lost (abandoned after the lost-call threshold).",
        labels=["samu_id", "flux", "outcome"],
    )
    for f in state.today:
        for outcome, n in (
            ("offered", f.offered),
            ("answered", f.answered),
            ("answered_60s", f.answered_within_60s),
            ("abandoned", f.abandoned),
            ("lost", f.lost),
        ):
            calls.add_metric([f.samu_id, f.flux, outcome], float(n))
    yield from (queue, oldest, seats, calls)


def _backlog(rows: list[Backlog]) -> Iterator[Metric]:
    pending = GaugeMetricFamily(
        "sisamu_hub_outbox_pending",
        "Hub Santé messages written and not yet sent to the broker.",
        labels=["samu_id"],
    )
    age = GaugeMetricFamily(
        "sisamu_hub_outbox_oldest_age_seconds",
        "Age of the oldest Hub Santé message not yet sent.",
        labels=["samu_id"],
    )
    for row in rows:
        pending.add_metric([row.samu_id], float(row.pending))
        age.add_metric([row.samu_id], row.oldest_age_s)
    yield from (pending, age)


def registry_for(collector: PlatformCollector) -> CollectorRegistry:
    """The process's instruments and the platform's state in one exposition."""
    exposed = CollectorRegistry(auto_describe=False)
    exposed.register(collector)
    exposed.register(_Forward())
    return exposed


class _Forward(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _allowed(request: Request, token: str | None) -> bool:
    if token is not None:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client is not None else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    secret = platform.settings.metrics_token
    if not _allowed(request, secret.get_secret_value() if secret is not None else None):
        return PlainTextResponse(
            "credentials required\n", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
