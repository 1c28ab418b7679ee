"""The people and hospitals of the hospital capacity tests (imported by name: a module of its own, not conftest)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from sisamu.security.roles import Role

PEOPLE = {
    "supervisor.250": (Role.SUPERVISOR, "250"),
    "regulator.250": (Role.REGULATOR, "250"),
    "arm.250": (Role.ARM, "250"),
    "hospital.250": (Role.HOSPITAL, "250"),
    "montbeliard.250": (Role.HOSPITAL, "250"),
    "unattached.250": (Role.HOSPITAL, "250"),
    "regulator.680": (Role.REGULATOR, "680"),
    "supervisor.680": (Role.SUPERVISOR, "680"),
    "hospital.680": (Role.HOSPITAL, "680"),
}
ATTACHED = {
    "hospital.250": "chu-besancon-25",
    "montbeliard.250": "ch-montbeliard-25",
    "hospital.680": "ch-colmar-68",
}
CHU, CH = "chu-besancon-25", "ch-montbeliard-25"


class Api:
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
