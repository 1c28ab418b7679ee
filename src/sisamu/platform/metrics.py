"""The process's own measurements, in the Prometheus format (`prometheus-client`), all named `sisamu_…`.

These count what this process did (requests served, distribution passes run, live events pushed, Hub messages
received); `sisamu.web.metrics_api` adds at each scrape what the database says of the rooms and the Hub outbox,
which is the same whichever instance is asked. They live in a registry of their own, not the library's global one,
so that nothing else a library registers leaks into `/metrics`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

# Buckets from a millisecond to ten seconds: a distribution pass takes milliseconds, an HTTP request tens of them.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DECISION_SECONDS = Histogram(
    "sisamu_distribution_decision_seconds",
    "Time of one distribution pass (waiting calls and free seats locked, decided, written), before the commit.",
    buckets=_FAST,
    registry=REGISTRY,
)
DISTRIBUTION_FAILURES = Counter(
    "sisamu_distribution_failures",
    "Distribution passes that failed (the calls wait for the next pass).",
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "sisamu_http_request_duration_seconds",
    "HTTP requests served, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=_FAST,
    registry=REGISTRY,
)
LIVE_LAG_SECONDS = Histogram(
    "sisamu_live_feed_lag_seconds",
    "From a live event's notification (just before its transaction commits) to its hand-over to the consoles.",
    buckets=_FAST,
    registry=REGISTRY,
)
LIVE_DROPPED = Counter(
    "sisamu_live_feed_dropped",
    "Live events not delivered to a console too slow to read them.",
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "sisamu_database_errors",
    "Requests that met an unavailable database: retried (and then served), or refused with a 503.",
    ["outcome"],
    registry=REGISTRY,
)
HUB_INBOX_MESSAGES = Counter(
    "sisamu_hub_inbox_messages",
    "Hub Santé deliveries received, by what became of them (applied, duplicate, invalid, expired).",
    ["samu_id", "status"],
    registry=REGISTRY,
)
