"""Resources fixtures: SAMU 250 (Doubs) and 680 (Haut-Rhin), their staff and crews with bearer tokens, units, and a
file near Besançon whose patient a physician graded R1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import add_account, add_samu, add_unit
from sisamu.cases import patients
from sisamu.cases import service as cases
from sisamu.domain.codes import NiveauSoin
from sisamu.resources import service
from sisamu.security import service as security
from sisamu.security import store as accounts_store
from sisamu.security.roles import Role

ROOMS = ("250", "680")
PEOPLE = {
    "regulator.250": (Role.REGULATOR, "250"),
    "arm.250": (Role.ARM, "250"),
    "supervisor.250": (Role.SUPERVISOR, "250"),
    "hospital.250": (Role.HOSPITAL, "250"),
    "crew.250": (Role.CREW, "250"),
    "crew2.250": (Role.CREW, "250"),
    "crew.680": (Role.CREW, "680"),
    "regulator.680": (Role.REGULATOR, "680"),
}
BESANCON = (47.2378, 6.0241)
# units: id → (vehicle, resource type, crew level, base point, crew account)
UNITS = {
    "250": {
        "VLM.BESANCON": ("SMUR.VLM", "SMUR", "MED", (47.2345, 6.0270), "crew.250"),
        "AR.MONTBELIARD": ("SMUR.AR", "SMUR", "MED", (47.5100, 6.7980), None),
        "HELI.BESANCON": ("SMUR.HELISMUR", "SMUR", "MED", (47.2340, 6.0300), None),
        "TSU1.BESANCON": ("TSU.AMB", "TSU", "SECOURS", (47.2500, 6.0000), None),
        "TSU1.PONTARLIER": ("TSU.AMB", "TSU", "SECOURS", (46.9040, 6.3550), None),
        "VSAV.BESANCON": ("SIS.VSAV", "SIS", "SECOURS", (47.2400, 6.0100), None),
    },
    "680": {"VLM.MULHOUSE": ("SMUR.VLM", "SMUR", "MED", (47.7500, 7.3400), "crew.680")},
}


class Api:
    """A bearer-token caller on the shared test client."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.client.request(method, url, headers=self.headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.request("PUT", url, **kwargs)


@pytest.fixture
def world(platform) -> dict[str, Any]:
    """Rooms, people (principal and token), units, and file `number` near Besançon with an R1 patient."""
    now = platform.clock.now()
    with platform.uow() as uow:
        for samu_id in ROOMS:
            add_samu(uow, samu_id)
        for username, (role, samu_id) in PEOPLE.items():
            add_account(uow, username, role, samu_id, now=now)
    principals, tokens = {}, {}
    with platform.engine.connect() as conn:
        for username in PEOPLE:
            principals[username] = accounts_store.principal_from_row(
                accounts_store.account_by_username(conn, username)
            )
    with platform.uow() as uow:
        for username, principal in principals.items():
            tokens[username] = security.issue_token(uow, principal=principal, name="test", now=now)
        for samu_id, units in UNITS.items():
            for resource_id, (vehicle, kind, level, base, _) in units.items():
                add_unit(
                    uow,
                    samu_id,
                    resource_id,
                    vehicle=vehicle,
                    resource_type=kind,
                    crew_level=level,
                    base=base,
                    now=now,
                )
    with platform.uow() as uow:
        for samu_id, units in UNITS.items():
            for resource_id, (*_, crew) in units.items():
                if crew:
                    service.update_resource(
                        uow,
                        principal=principals["supervisor.250"]
                        if samu_id == "250"
                        else _admin(platform, samu_id),
                        samu_id=samu_id,
                        resource_id=resource_id,
                        now=now,
                        crew_username=crew,
                    )
    regulator = principals["regulator.250"]
    with platform.uow() as uow:
        file = cases.open_file(
            uow,
            principal=principals["arm.250"],
            samu_id="250",
            now=now,
            qualification={
                "location": {"lat": BESANCON[0], "lon": BESANCON[1], "address": "1 place du Marché"}
            },
            patients=[{"last_name": "Durand"}],
        )
    with platform.uow() as uow:
        cases.take(uow, principal=regulator, number=file.number, now=now)
    with platform.uow() as uow:
        patients.set_care_level(
            uow, principal=regulator, number=file.number, patient_no=1, level=NiveauSoin.R1, now=now
        )
    return {"principals": principals, "tokens": tokens, "number": file.number}


def _admin(platform, samu_id: str):
    """A supervisor of another room, made on the fly for linking that room's crew."""
    name = f"supervisor.{samu_id}"
    with platform.uow() as uow:
        add_account(uow, name, Role.SUPERVISOR, samu_id, now=platform.clock.now())
    with platform.engine.connect() as conn:
        return accounts_store.principal_from_row(accounts_store.account_by_username(conn, name))


@pytest.fixture
def client(platform) -> Iterator[TestClient]:
    from sisamu.web.app import create_app

    with TestClient(create_app(platform, live=False), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def api(client, world):
    """api(username) → that person's (or terminal's) bearer-token caller."""

    def _api(username: str) -> Api:
        return Api(client, world["tokens"][username])

    return _api
