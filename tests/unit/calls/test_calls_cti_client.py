"""The SI-SAMU telephony client: requests match the official Swagger (`swagger-si-samu.json`), errors are read."""

from __future__ import annotations

import json

import httpx
import pytest

from sisamu.calls.cti.client import CtiRequestFailed, HttpSiSamuTelephony, id_crra, samu_of_id_crra
from sisamu.calls.cti.models import CorrelationDossier, DemandeAppelSortant, Patient
from sisamu.calls.cti.schema import CtiSchemaError, operation_definitions, validate_body

BASE = "https://telephonie.invalid/si-samu-back-synchro-lrm-web/api"


def _client(status: int, body: object = None) -> tuple[HttpSiSamuTelephony, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    transport = httpx.MockTransport(handler)
    return HttpSiSamuTelephony(BASE, "secret", client=httpx.Client(transport=transport)), seen


def _operation(request: httpx.Request) -> tuple[str, str]:
    path = request.url.path.removeprefix("/si-samu-back-synchro-lrm-web/api")
    parts = path.split("/")
    template = "/".join("{idCrra}" if p.startswith("FR") else p for p in parts)
    template = template.replace("/agents/810000000001/", "/agents/{idNatPs}/").replace(
        "/dossiers/D-1", "/dossiers/{idDossier}"
    )
    return request.method, template


def test_requests_follow_the_swagger_and_carry_the_token():
    client, seen = _client(202)
    client.request_outgoing_call(
        "FR250", "810000000001", DemandeAppelSortant(num_tel="0612345678", id_dossier="D-1")
    )
    correlation = CorrelationDossier(
        id_nat_ps="810000000001",
        id_appel="SI-1",
        priorite_regul="P1",
        patients=[Patient(sexe="F", age="P38Y")],
    )
    client.correlate_file("FR250", "D-1", correlation)
    operations = operation_definitions("si-samu")
    for request in seen:
        assert request.headers["authorization"] == "Bearer secret"
        definition = operations[_operation(request)]["body"]
        validate_body("si-samu", definition, json.loads(request.content))
    assert [r.method for r in seen] == ["POST", "PUT"]


@pytest.mark.parametrize(
    ("status", "body"), [(409, {"code": "OCCUPE", "message": "agent en ligne"}), (500, None)]
)
def test_refusals_raise_with_the_error_body(status, body):
    client, _ = _client(status, body)
    with pytest.raises(CtiRequestFailed) as caught:
        client.request_outgoing_call("FR250", "810000000001", DemandeAppelSortant(num_tel="0612345678"))
    assert caught.value.status == status
    assert (caught.value.error.code if caught.value.error else None) == (body or {}).get("code")


def test_a_body_the_swagger_refuses_never_leaves():
    client, seen = _client(202)
    bad = DemandeAppelSortant.model_construct(num_tel="not a number")
    with pytest.raises(CtiSchemaError):
        client.request_outgoing_call("FR250", "810000000001", bad)
    assert seen == []


def test_without_a_token_no_authorization_header_is_sent():
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(202))
    client = HttpSiSamuTelephony(BASE, None, client=httpx.Client(transport=transport))
    client.request_outgoing_call("FR250", "810000000001", DemandeAppelSortant(num_tel="0612345678"))
    assert "authorization" not in seen[0].headers


def test_id_crra_round_trip():
    assert (id_crra("250"), samu_of_id_crra("FR76A")) == ("FR250", "76A")
