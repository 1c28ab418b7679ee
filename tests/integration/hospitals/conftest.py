"""Hospital capacity fixtures: SAMU 250 (Doubs: CHU Besançon, CH Montbéliard) and 680 (Haut-Rhin), their staff and
hospital accounts with bearer tokens; `hospital.250` speaks for the CHU, `montbeliard.250` for the CH,
`unattached.250` for none."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hospital_world import ATTACHED, PEOPLE, Api

from factories import add_account, add_samu
from sisamu.hospitals.capacity import service as capacity
from sisamu.hospitals.directory import hospitals_in
from sisamu.security import service as security
from sisamu.security import store as accounts_store
from sisamu.storage.tables import hospital
from sisamu.web.app import create_app


@pytest.fixture
def tokens(platform) -> dict[str, str]:
    now = platform.clock.now()
    with platform.uow() as uow:
        for samu_id in ("250", "680"):
            add_samu(uow, samu_id)
        for h in (*hospitals_in("25"), *hospitals_in("68")):  # what `sisamu seed` loads
            uow.execute(
                sa.insert(hospital).values(
                    hospital_id=h.key, name=h.name, departement=h.departement, city_insee=h.city_insee,
                    lat=h.lat, lon=h.lon, kind=h.kind, specialties=list(h.specialties), beds=dict(h.beds),
                )
            )  # fmt: skip
        for username, (role, samu_id) in PEOPLE.items():
            add_account(uow, username, role, samu_id, now=now)
        for username, hospital_id in ATTACHED.items():
            capacity.attach_account(uow, username=username, hospital_id=hospital_id)
    out = {}
    for username in PEOPLE:
        with platform.engine.connect() as conn:
            principal = accounts_store.principal_from_row(accounts_store.account_by_username(conn, username))
        with platform.uow() as uow:
            out[username] = security.issue_token(uow, principal=principal, name="test", now=now)
    return out


@pytest.fixture
def api(platform, tokens) -> Iterator[Callable[[str], Api]]:
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        yield lambda username: Api(client, tokens[username])
