"""A request that lost its database connection (issue 15): run again when nothing was committed, else 503 saying
whether anything may have been recorded. The connections are really cut (`pg_terminate_backend`), as a fail-over
cuts them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from sisamu.platform import Platform
from sisamu.web.database_retry import DatabaseRetry


def _cut_connections(pg_admin_url: str, database_url: str) -> int:
    """Terminate every server process of the application's role on the test's database; how many."""
    name = make_url(database_url).database
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = 'sisamu_app'",
            (name,),
        ).fetchall()
    return len(rows)


class Routes:
    """Routes on the platform's engine, counting how many times each ran."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.runs: dict[str, int] = {}
        self.fail_always = False

    def _ran(self, name: str) -> None:
        self.runs[name] = self.runs.get(name, 0) + 1

    def read(self, _: Request) -> JSONResponse:
        self._ran("read")
        with self.platform.engine.connect() as conn:
            return JSONResponse({"one": conn.execute(text("SELECT 1")).scalar_one()})

    async def write(self, request: Request) -> JSONResponse:
        self._ran("write")
        body = await request.json()
        with self.platform.engine.connect() as conn:  # fails on a cut connection, before any commit
            conn.execute(text("SELECT 1"))
        return JSONResponse({"echo": body}, status_code=201)

    def commit_then_fail(self, _: Request) -> JSONResponse:
        self._ran("commit_then_fail")
        with self.platform.uow() as uow:
            uow.execute(text("SELECT 1"))
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    def down(self, _: Request) -> JSONResponse:
        self._ran("down")
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    def refused(self, _: Request) -> JSONResponse:
        self._ran("refused")
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))


@pytest.fixture
def routes(platform: Platform) -> Routes:
    return Routes(platform)


@pytest.fixture
def retry_client(routes: Routes) -> Iterator[TestClient]:
    app = Starlette(
        routes=[
            Route("/read", routes.read),
            Route("/write", routes.write, methods=["POST"]),
            Route("/commit-then-fail", routes.commit_then_fail, methods=["POST"]),
            Route("/down", routes.down),
            Route("/refused", routes.refused, methods=["POST"]),
        ],
        middleware=[
            Middleware(DatabaseRetry, budget_s=1.5)
        ],  # inside the server-error middleware, as in the app
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _warm_pool(client: TestClient) -> None:
    for _ in range(3):
        assert client.get("/read").status_code == 200


def test_a_read_on_cut_connections_is_run_again(
    retry_client, routes, platform, database_url, pg_admin_url
) -> None:
    _warm_pool(retry_client)
    routes.runs.clear()
    assert _cut_connections(pg_admin_url, database_url) >= 1

    answer = retry_client.get("/read")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"one": 1}
    assert routes.runs["read"] == 2  # failed once on the dead pooled connection, then on a new one


def test_a_write_that_failed_before_committing_is_run_again_with_its_body(
    retry_client, routes, database_url, pg_admin_url
) -> None:
    _warm_pool(retry_client)
    assert _cut_connections(pg_admin_url, database_url) >= 1

    answer = retry_client.post("/write", json={"call_id": "c-1", "note": "é"})

    assert answer.status_code == 201, answer.text
    assert answer.json() == {"echo": {"call_id": "c-1", "note": "é"}}
    assert routes.runs["write"] == 2


def test_a_lost_commit_is_not_repeated_and_says_the_outcome_is_unknown(retry_client, routes) -> None:
    answer = retry_client.post("/commit-then-fail")

    assert answer.status_code == 503
    assert answer.json() == {
        "detail": "La liaison avec la base de données a été perdue pendant l'enregistrement : l'opération a pu "
        "être enregistrée. Vérifiez avant de la refaire.",
        "code": "ISSUE_INCERTAINE",
    }
    assert "retry-after" not in answer.headers
    assert routes.runs["commit_then_fail"] == 1


def test_a_database_down_for_longer_than_the_budget_is_a_503_nothing_recorded(retry_client, routes) -> None:
    answer = retry_client.get("/down")

    assert answer.status_code == 503
    assert answer.json()["code"] == "BASE_INDISPONIBLE"
    assert "rien n'a été enregistré" in answer.json()["detail"]
    assert answer.headers["retry-after"] == "2"
    assert 3 <= routes.runs["down"] <= 6  # 0.2 + 0.4 + 0.8 s of pauses fit in 1.5 s


def test_an_error_of_the_request_itself_is_not_run_again(retry_client, routes) -> None:
    answer = retry_client.post("/refused", content=json.dumps({}))

    assert answer.status_code == 500
    assert routes.runs["refused"] == 1


def test_the_platform_runs_again_a_request_whose_session_lookup_lost_the_database(
    login, accounts, database_url, pg_admin_url
) -> None:
    """Through the whole application: the credentials gate's session lookup is the first query of the request."""
    supervisor = login("supervisor.250")
    assert supervisor.get("/api/me").status_code == 200
    assert _cut_connections(pg_admin_url, database_url) >= 1

    me = supervisor.get("/api/me")
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "supervisor.250"

    assert _cut_connections(pg_admin_url, database_url) >= 1
    posted = supervisor.post("/api/samus/250/instructions", json={"body": "Consigne après bascule"})
    assert posted.status_code == 201, posted.text
    listed = supervisor.get("/api/samus/250/instructions")
    assert [i["body"] for i in listed.json()].count("Consigne après bascule") == 1
