"""Taking charge of a shared file and handing it over, through the API: role × tenant checked as for sharing it,
RS-EDA-MAJ `owner` to each partner, refused (422) for a file shared with no one or a partner it is not shared with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hub_network import EXAMPLE

from factories import add_account, add_samu
from sisamu.cases import service as cases
from sisamu.hubsante.envelope import new_message, parse_document
from sisamu.hubsante.tables import hub_outbox
from sisamu.interop.common import link_of_case
from sisamu.interop.worker import HubWorker, Identity
from sisamu.security import service as security
from sisamu.security import store as accounts
from sisamu.security.roles import Role

pytestmark = pytest.mark.db
US, A, B = "fr.health.samu250", "fr.health.samu680", "fr.health.samu440"
PEOPLE = {
    "arm.250": (Role.ARM, "250"),
    "supervisor.250": (Role.SUPERVISOR, "250"),
    "arm.680": (Role.ARM, "680"),
}


@pytest.fixture
def client(platform: Any) -> Iterator[TestClient]:
    from sisamu.web.app import create_app

    with TestClient(create_app(platform, live=False), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def tokens(platform: Any) -> dict[str, str]:
    add_samu(platform, "250", hub_id=US)
    add_samu(platform, "680", hub_id=A)
    now = platform.clock.now()
    with platform.uow() as uow:
        for username, (role, samu_id) in PEOPLE.items():
            add_account(uow, username, role, samu_id, now=now)
    with platform.uow() as uow:
        return {
            username: security.issue_token(
                uow,
                principal=accounts.principal_from_row(accounts.account_by_username(uow.conn, username)),
                name="test",
                now=now,
            )
            for username in PEOPLE
        }


def _post(client: TestClient, tokens: dict[str, str], who: str, url: str, **body: Any) -> Any:
    return client.post(url, json=body, headers={"Authorization": f"Bearer {tokens[who]}"})


def _received(platform: Any) -> tuple[str, str]:
    """A file SAMU 680 (`A`, in charge) shared with SAMU 250: (our number, shared case id)."""
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    case_id = f"{A}.DRFR156802600100007"
    message = new_message(
        "RS-EDA",
        body | {"caseId": case_id, "owner": A},
        sender_id=A,
        recipient_id=US,
        sent_at=datetime.now(UTC),
    )
    inbox = HubWorker(platform, Identity("250", US, smur=False)).inbox
    assert inbox.receive(json.dumps(message.to_envelope()).encode()).applied
    with platform.engine.connect() as conn:
        link = link_of_case(conn, "250", case_id, partner=A)
    assert link is not None
    return link.number, case_id


def _owners_sent(platform: Any) -> list[tuple[str, str]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(hub_outbox.c.recipient, hub_outbox.c.body)
            .where(hub_outbox.c.message_type == "RS-EDA-MAJ")
            .order_by(hub_outbox.c.id)
        ).all()
    inner = [body["content"][0]["jsonContent"]["embeddedJsonContent"]["message"] for _, body in rows]
    return [(to, m["createCaseHealthUpdate"]["owner"]) for (to, _), m in zip(rows, inner, strict=True)]


def test_the_arm_takes_charge_of_a_shared_file_then_hands_it_back(
    platform: Any, client: TestClient, tokens: dict[str, str]
) -> None:
    number, case_id = _received(platform)
    taken = _post(client, tokens, "arm.250", f"/api/files/{number}/take-charge")
    assert taken.status_code == 202, taken.text
    assert taken.json()["owner"] == US
    assert [s["to"] for s in taken.json()["sent"]] == [A]
    with platform.engine.connect() as conn:
        link = link_of_case(conn, "250", case_id, partner=A)
    assert link is not None
    assert link.owner == US
    handed = _post(client, tokens, "arm.250", f"/api/files/{number}/hand-over", to=A)
    assert handed.status_code == 202, handed.text
    assert _owners_sent(platform) == [(A, US), (A, A)]


def test_a_file_goes_only_to_a_partner_it_is_shared_with(
    platform: Any, client: TestClient, tokens: dict[str, str]
) -> None:
    number, _ = _received(platform)
    assert _post(client, tokens, "arm.250", f"/api/files/{number}/hand-over", to=B).status_code == 422
    assert _post(client, tokens, "arm.250", f"/api/files/{number}/hand-over", to="SAMU 44").status_code == 422
    with platform.uow() as uow:
        alone = cases.open_file(uow, principal=None, samu_id="250", now=platform.clock.now()).number
    assert _post(client, tokens, "arm.250", f"/api/files/{alone}/take-charge").status_code == 422
    assert _owners_sent(platform) == []


def test_only_staff_who_may_write_the_file_change_who_is_in_charge(
    platform: Any, client: TestClient, tokens: dict[str, str]
) -> None:
    number, _ = _received(platform)
    assert _post(client, tokens, "supervisor.250", f"/api/files/{number}/take-charge").status_code == 403
    assert _post(client, tokens, "arm.680", f"/api/files/{number}/take-charge").status_code == 404
    assert _post(client, tokens, "arm.680", f"/api/files/{number}/hand-over", to=A).status_code == 404
    assert client.post(f"/api/files/{number}/take-charge").status_code == 401
    assert _owners_sent(platform) == []
