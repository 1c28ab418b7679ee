"""Schemathesis over the OpenAPI schema, in process (ASGI): no server error and every response matches the schema,
for a supervisor's bearer token and for a caller without credentials.

Examples are bounded (a few per operation) so that the whole run stays well under two minutes on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from sisamu.security import service, store

pytestmark = [pytest.mark.db, pytest.mark.slow]

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def _schema(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half the SAMU ids are real rooms (the caller's own and another), so that handlers run, not only 404s."""
        if not path_parameters or "samu_id" not in path_parameters:
            return st.just(path_parameters)
        samu = st.sampled_from(["250", "680", path_parameters["samu_id"]])
        return samu.map(lambda value: {**path_parameters, "samu_id": value})

    return schema


@pytest.fixture
def supervisor_token(platform, accounts) -> str:
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, "supervisor.250"))
    with platform.uow() as uow:
        return service.issue_token(uow, principal=principal, name="fuzz", now=platform.clock.now())


def _fuzz(app, headers: dict[str, str]) -> int:
    """Every operation of the schema, a bounded number of generated cases each; returns the operation count.

    (Explicit loop rather than `schemathesis.pytest.from_fixture`, whose lazy loader breaks on pytest 9.)
    """
    operations = 0
    for result in _schema(app).get_all_operations():
        operation = result.ok()
        operations += 1

        modes = [GenerationMode.POSITIVE]
        if operation.body or any(True for _ in operation.iter_parameters()):
            modes.append(GenerationMode.NEGATIVE)  # invalid input must give a documented 4xx, not a 500
        strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

        @given(case=strategy)
        @EXAMPLES
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            exc.add_note(f"operation: {operation.label}")
            raise
    return operations


def test_api_as_supervisor(app, supervisor_token):
    assert _fuzz(app, {"Authorization": f"Bearer {supervisor_token}"}) >= 5


def test_api_without_credentials(app, accounts):
    assert _fuzz(app, {}) >= 5


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/me/tokens", {"name": "\x00"}), ("/api/samus/250/instructions", {"body": "consigne\x00"})],
)
def test_text_postgresql_cannot_store_is_a_422_not_a_500(client, login, supervisor_token, path, body):
    """Found by the fuzzing: a NUL character passed validation and PostgreSQL's refusal became a 500."""
    if path == "/api/me/tokens":  # tokens are issued by a person's session, not by another token
        response = login("supervisor.250").post(path, json=body)
    else:
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {supervisor_token}"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("Requête invalide")
