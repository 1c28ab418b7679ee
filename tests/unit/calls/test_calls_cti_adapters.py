"""The adapters of the `Telephony` port: the SI-SAMU adapter sends bodies the official Swagger accepts, to the
Swagger's operations, with the file's texts cut to its lengths; its refusals say whether to try again. The recording
adapter keeps what it was asked and refuses on demand."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
import pytest

from sisamu.calls.cti.adapters import (
    RecordingTelephony,
    SiSamuAdapter,
    correlation_of,
    patient_of,
    telephony_for,
)
from sisamu.calls.cti.client import HttpSiSamuTelephony
from sisamu.calls.cti.schema import operation_definitions, validate_body
from sisamu.config import Settings
from sisamu.domain.ports import DialRequest, FileCorrelation, PersonInfo, TelephonyRefused

ROOT = "/si-samu-back-synchro-lrm-web/api"
BASE = "https://telephonie.invalid" + ROOT
DIAL = DialRequest("250", "P1", "810000000001", "0612345678", "DRFR152502603020001")


def _adapter(answer: httpx.Response | Exception) -> tuple[SiSamuAdapter, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return SiSamuAdapter(HttpSiSamuTelephony(BASE, "jeton", client=client)), seen


def _swagger_operation(request: httpx.Request) -> tuple[str, str, dict[str, str]]:
    """(method, Swagger path template, path parameters) of a request the adapter sent."""
    parts = unquote(request.url.path).removeprefix(ROOT).split("/")
    # /v1/cti/{idCrra}/agents/{idNatPs}/calls or /v1/cti/{idCrra}/dossiers/{idDossier}
    params = {"idCrra": parts[3]}
    if parts[4] == "agents":
        params["idNatPs"] = parts[5]
        template = "/v1/cti/{idCrra}/agents/{idNatPs}/calls"
    else:
        params["idDossier"] = parts[5]
        template = "/v1/cti/{idCrra}/dossiers/{idDossier}"
    return request.method, template, params


def _body(request: httpx.Request) -> dict[str, object]:
    method, template, _ = _swagger_operation(request)
    definition = operation_definitions("si-samu")[(method, template)]["body"]
    body = json.loads(request.content)
    validate_body("si-samu", definition, body)
    return body


def test_a_dial_is_a_demande_appel_sortant_for_the_agent_of_the_seat():
    adapter, seen = _adapter(httpx.Response(202))
    adapter.dial(DIAL)
    (request,) = seen
    assert _swagger_operation(request) == (
        "POST",
        "/v1/cti/{idCrra}/agents/{idNatPs}/calls",
        {"idCrra": "FR250", "idNatPs": "810000000001"},
    )
    assert request.headers["authorization"] == "Bearer jeton"
    assert _body(request) == {"numTel": "0612345678", "idDossier": "DRFR152502603020001"}


def test_a_correlation_carries_the_file_cut_to_the_swagger_lengths():
    adapter, seen = _adapter(httpx.Response(202))
    long_name = "De La Tour D'Auvergne-Lauraguais" * 2
    correlation = FileCorrelation(
        samu_id="250",
        file_number="DRFR152502603020001",
        id_nat_ps="810000000001",
        call_id="SI-1",
        priority="P1",
        location="12 rue de la République, Besançon " * 20,
        caller=PersonInfo(last_name="Martin", first_name="Jeanne"),
        patients=(
            PersonInfo(last_name=long_name, first_name="Paul", sex="M", age=38, reason="Douleur thoracique"),
            PersonInfo(first_name="Léa", sex="X", age=1200),  # codes the Swagger does not know: left out
            PersonInfo(sex="?"),  # nothing the Swagger can carry: no empty patient
        ),
    )
    adapter.correlate(correlation)
    (request,) = seen
    assert _swagger_operation(request) == (
        "PUT",
        "/v1/cti/{idCrra}/dossiers/{idDossier}",
        {"idCrra": "FR250", "idDossier": "DRFR152502603020001"},
    )
    body = _body(request)
    assert body["idNatPs"] == "810000000001"
    assert (body["idAppel"], body["prioriteRegul"]) == ("SI-1", "P1")
    assert len(body["localisation"]) <= 256
    assert body["localisation"].startswith("12 rue de la République")
    assert body["appelant"] == {"nom": "Martin", "prenom": "Jeanne"}
    first, second = body["patients"]
    assert first == {
        "nom": long_name[:32].strip(),
        "prenom": "Paul",
        "sexe": "M",
        "age": "P38Y",
        "motifRecours": "Douleur thoracique",
    }
    assert second == {"prenom": "Léa"}  # never a code sent wrong


def test_a_minimal_correlation_names_the_agent_only():
    body = correlation_of(FileCorrelation("250", "D1", "810000000001", None)).to_body()
    validate_body("si-samu", "CorrelationDossier", body)
    assert body == {"idNatPs": "810000000001"}
    assert patient_of(PersonInfo(age=0, sex="F")).to_body() == {"sexe": "F", "age": "P0Y"}


@pytest.mark.parametrize(
    ("status", "retry"), [(503, True), (500, True), (429, True), (408, True), (409, False), (400, False)]
)
def test_refusals_say_whether_to_try_again(status, retry):
    body = {"code": "POSTE_OCCUPE", "message": "Le poste a déjà un appel."} if status == 409 else None
    adapter, _ = _adapter(httpx.Response(status, json=body) if body else httpx.Response(status))
    with pytest.raises(TelephonyRefused) as refused:
        adapter.dial(DIAL)
    assert refused.value.retry is retry
    assert f"a répondu {status}" in str(refused.value)
    if body:
        assert "POSTE_OCCUPE" in str(refused.value)


def test_an_unreachable_telephony_is_tried_again_but_an_unanswered_dial_is_not():
    unreachable, _ = _adapter(httpx.ConnectError("refused"))
    with pytest.raises(TelephonyRefused) as refused:
        unreachable.dial(DIAL)
    assert refused.value.retry is True
    silent, seen = _adapter(httpx.ReadTimeout("no answer"))
    with pytest.raises(TelephonyRefused) as refused:
        silent.dial(DIAL)  # the telephony may have dialled: a second attempt could ring the person twice
    assert refused.value.retry is False
    with pytest.raises(TelephonyRefused) as refused:
        silent.correlate(FileCorrelation("250", "D1", "810000000001", "SI-1"))  # a PUT: safe to repeat
    assert refused.value.retry is True
    assert len(seen) == 2


@pytest.mark.parametrize(
    "request_",
    [
        DialRequest("250", "P1", None, "0612345678"),  # the seat's agent is unknown to the telephony
        DialRequest("250", "P1", "810000000001", "06 12 34 56 78"),  # not a number it can dial
    ],
)
def test_what_the_swagger_refuses_never_leaves(request_):
    adapter, seen = _adapter(httpx.Response(202))
    with pytest.raises(TelephonyRefused) as refused:
        adapter.dial(request_)
    assert refused.value.retry is False
    with pytest.raises(TelephonyRefused):
        adapter.correlate(FileCorrelation("250", "D1", None, "SI-1"))
    with pytest.raises(TelephonyRefused):
        adapter.correlate(FileCorrelation("250", "D" * 26, "810000000001", "SI-1"))
    assert seen == []


def test_recording_telephony_keeps_requests_and_refuses_on_demand():
    recording = RecordingTelephony()
    recording.dial(DIAL)
    recording.refusals.append(TelephonyRefused("occupé", retry=True))
    with pytest.raises(TelephonyRefused):
        recording.correlate(FileCorrelation("250", "D1", "810000000001", "SI-1"))
    recording.correlate(FileCorrelation("250", "D1", "810000000001", "SI-1"))
    recording.refuse_all = TelephonyRefused("hors service", retry=False)
    with pytest.raises(TelephonyRefused, match="hors service"):
        recording.dial(DIAL)
    assert (recording.dials, len(recording.correlations), recording.attempts) == ([DIAL], 1, 4)


def test_the_settings_choose_the_telephony(tmp_path):
    assert telephony_for(Settings(data_dir=tmp_path)) is None
    chosen = telephony_for(Settings(data_dir=tmp_path, cti_url=BASE, cti_token="t", cti_timeout_s=2))
    assert isinstance(chosen, SiSamuAdapter)
    assert chosen.name == "si-samu"
    chosen.close()
