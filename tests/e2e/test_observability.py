"""Issue 15 item 5 against `sisamu serve`: `/readyz` names each check, every request gets an id that its log lines
and its response carry, `/metrics` shows the rooms and this process in the Prometheus format, to loopback clients
or to the bearer of the metrics token only."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from console_steps import gateway_token, offer_call
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.db
TOKEN = "e2e-metrics-token"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def test_readiness_names_its_checks(served):
    ready = httpx.get(f"{served.base_url}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["live_feed"] == "ok"
    assert len(checks) >= 4, checks  # and the timers, file steps, rollups this process runs
    assert set(checks.values()) == {"ok"}


def test_the_rooms_and_the_process_in_the_prometheus_format(served, platform):
    token = gateway_token(platform)
    offer_call(served.base_url, token, caller_number="0381000001")
    offer_call(served.base_url, token, caller_number="0381000002")  # no ARM logged in: both wait
    answer = httpx.get(f"{served.base_url}/metrics", timeout=10)  # the test runs on the server's machine
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)
    assert _value(samples, "sisamu_queue_calls", samu_id="250", state="queued") == 2
    assert (_value(samples, "sisamu_queue_oldest_wait_seconds", samu_id="250") or -1) >= 0
    assert _value(samples, "sisamu_calls_today", samu_id="250", flux="15", outcome="offered") == 2
    assert _value(samples, "sisamu_calls_today", samu_id="250", flux="15", outcome="answered") == 0
    assert _value(samples, "sisamu_database_up") == 1
    assert _value(samples, "sisamu_live_feed_listening") == 1
    assert (_value(samples, "sisamu_distribution_decision_seconds_count") or 0) >= 2  # one pass per offer
    offered = _value(
        samples,
        "sisamu_http_request_duration_seconds_count",
        route="/api/samus/{samu_id}/telephony/calls",
        method="POST",
        status="2xx",
    )
    assert offered == 2
    services = {
        dict(labels)["service"]: v
        for (n, labels), v in samples.items()
        if n == "sisamu_background_service_up"
    }
    assert services, "the timers, file steps and rollups this process runs"
    assert set(services.values()) == {1.0}, services
    families = {family.name for family in text_string_to_metric_families(answer.text)}
    assert {"sisamu_seats", "sisamu_hub_outbox_pending", "sisamu_live_feed_lag_seconds"} <= families


@pytest.mark.parametrize(
    "served", [{"SISAMU_METRICS_TOKEN": TOKEN, "SISAMU_LOG_FORMAT": "json"}], indirect=True
)
def test_a_metrics_token_and_json_logs_with_request_ids(served):
    refused = httpx.get(f"{served.base_url}/metrics", timeout=5)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(f"{served.base_url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401
    good = httpx.get(f"{served.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert good.status_code == 200
    assert "sisamu_queue_calls" in good.text

    kept = httpx.get(f"{served.base_url}/healthz", headers={"X-Request-Id": "e2e-req-42"}, timeout=5)
    assert kept.headers["x-request-id"] == "e2e-req-42"
    forged = httpx.get(f"{served.base_url}/healthz", headers={"X-Request-Id": "a b"}, timeout=5)
    assert forged.headers["x-request-id"] != "a b"
    assert len(forged.headers["x-request-id"]) == 32

    deadline = time.monotonic() + 10
    while True:
        lines = served.log.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        mine = [r for r in records if r.get("request_id") == "e2e-req-42"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert mine, "the access log line of the request carries its id"
    assert "/healthz" in mine[0]["message"]
    assert {"time", "level", "logger", "message"} <= set(mine[0])
    assert len(records) > len(mine)  # the whole server logs in JSON
