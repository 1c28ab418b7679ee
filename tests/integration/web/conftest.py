"""Web fixtures: two SAMU rooms, accounts of every role in each, and HTTPS test clients logged in as them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, add_account, add_samu, add_unit
from sisamu.calls.seats import service as seat_service
from sisamu.security.roles import Role
from sisamu.tenants.service import ROOM_ROLES as DEMO_ROOM_ROLES

ROOMS = ("250", "680")
ROOM_ROLES = [*DEMO_ROOM_ROLES, Role.AUDITOR]  # the roles of a room, and its auditor


@pytest.fixture
def rooms(platform) -> tuple[str, ...]:
    with platform.uow() as uow:
        for samu_id in ROOMS:
            add_samu(uow, samu_id)
    return ROOMS


@pytest.fixture
def accounts(platform, rooms) -> dict[str, Role]:
    """username → role: `<role>.<samu>` for each room role, plus nationwide `national` and `analyst`."""
    made: dict[str, Role] = {}
    with platform.uow() as uow:
        for samu_id in rooms:
            for role in ROOM_ROLES:
                made[add_account(uow, f"{role}.{samu_id}", role, samu_id, now=platform.clock.now())] = role
        for role in (Role.NATIONAL, Role.ANALYST):
            made[add_account(uow, str(role), role, None, now=platform.clock.now())] = role
    return made


@pytest.fixture
def app(platform):
    from sisamu.web.app import create_app

    return create_app(platform)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


class LoggedIn:
    """A person's session on the shared test client: cookie and CSRF header sent explicitly on each request.

    One client (one event loop, one lifespan, one live hub) serves every session, as one server serves many
    browsers; the client's own cookie jar stays empty.
    """

    def __init__(self, client: TestClient, token: str, csrf: str) -> None:
        self.client = client
        self.token = token
        self.headers = {"cookie": f"sisamu_session={token}", "X-CSRF-Token": csrf}

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)

    def websocket_connect(self, url: str, headers: dict[str, str] | None = None) -> Any:
        merged = {"cookie": self.headers["cookie"], **(headers or {})}
        return self.client.websocket_connect(url, headers=merged)


@pytest.fixture
def login(client) -> Callable[..., LoggedIn]:
    """login(username) → that person's session (cookie + CSRF token) on the shared client."""

    def _login(username: str, password: str = PASSWORD) -> LoggedIn:
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 303, response.text
        token = client.cookies["sisamu_session"]
        client.cookies.clear()
        me = client.get("/api/me", headers={"cookie": f"sisamu_session={token}"})
        assert me.status_code == 200
        return LoggedIn(client, token, me.json()["csrf_token"])

    return _login


@pytest.fixture
def sample_objects(platform, rooms) -> dict[str, str]:
    """Objects of SAMU 250 named by `TENANT_PARAMS` in test_route_access.py (one small block per feature)."""
    from sisamu.calls.distribution import service as calls

    now = platform.clock.now()
    with platform.uow() as uow:  # telephony: a seat (CTI agent 810000000250), a lost call and its callback
        seat_service.log_in(
            uow, principal=None, samu_id="250", seat_id="P250", now=now, id_nat_ps="810000000250"
        )
        calls.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id="c-250",
            flux=calls.Flux.CENTRE_15,
            caller_number="0600000250",
            now=now,
        )
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="250", call_id="c-250", now=now + timedelta(seconds=60))
    from sisamu.cases import service as cases

    with platform.uow() as uow:  # regulation file: DRFR152502602500001 (a fixed day), one patient
        opened = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
        cases.open_file(uow, principal=None, samu_id="250", now=opened, patients=[{"last_name": "Test"}])
    from sisamu.hubsante.tables import hub_resource_request

    with platform.uow() as uow:  # Hub Santé: a mutual-aid request received by 250
        uow.execute(
            hub_resource_request.insert().values(
                samu_id="250",
                request_id="fr.health.samu680.request.r250",
                direction="received",
                case_id="fr.health.samu680.DRFR156802602500001",
                partner="fr.health.samu680",
                request={"requestId": "fr.health.samu680.request.r250", "purpose": "SMUR"},
            )
        )
    from sisamu.resources import service as resources

    with platform.uow() as uow:  # resources: unit VLM.250 engaged on that file (mission 1)
        add_unit(uow, "250", "VLM.250", name="VLM 250", base=(47.2345, 6.027), now=now)
    with platform.uow() as uow:
        resources.engage(uow, principal=None, number="DRFR152502602500001", resource_id="VLM.250", now=now)
    from sisamu.storage.tables import account

    with platform.uow() as uow:  # accounts administration: an account of 250 with a known id
        uow.execute(
            account.insert().values(
                account_id=uuid.UUID("00000000-0000-4000-8000-000000000250"),
                username="target.250",
                display_name="Compte cible",
                role="arm",
                samu_id="250",
                created_at=now,
            )
        )

    from sisamu.security import store as security_store
    from sisamu.storage.tables import api_token

    with platform.uow() as uow:  # security: a bearer token of arm.250 (when the test made the accounts)
        owner = security_store.account_by_username(uow.conn, "arm.250")
        if owner is not None:
            uow.execute(
                api_token.insert().values(
                    token_id=uuid.UUID("00000000-0000-4000-8000-000000000250"),
                    account_id=owner.account_id,
                    name="sample",
                    token_hash="0" * 64,
                    created_at=now,
                    expires_at=now + timedelta(days=1),
                )
            )
        supervisor = security_store.account_by_username(uow.conn, "supervisor.250")
    if supervisor is not None:  # crisis: crisis 1, SAMU 250's, its log's first entry (seq 1)
        from sisamu.crisis import service as crisis
        from sisamu.crisis.model import CrisisKind

        with platform.uow() as uow:
            crisis.open_crisis(
                uow, principal=security_store.principal_from_row(supervisor), now=now, kind=CrisisKind.NOVI,
                level=1, title="Exercice", place="Besançon", pooling=False,
            )  # fmt: skip
    return {"call_id": "c-250", "seat_id": "P250", "callback_id": "1", "file_number": "DRFR152502602500001"}
