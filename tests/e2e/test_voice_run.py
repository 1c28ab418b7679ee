"""The voice node inside `sisamu run` and `sisamu demo`: the real commands as subprocesses, real SIP user agents
(pjsua2, `tests/voice_agent.py`) calling the SAMU's number and answering at the seat's phone, the calls read over
HTTP. The demo turns voice on by itself, with its lines and the demo seats' phones registering to Kamailio."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from processes import ARTIFACTS, free_port, sisamu_command, stop, wait_ready
from sisamu.tenants.service import DEMO_PASSWORD
from support import missing_service
from voice_sip import (
    arm_session,
    free_udp_port,
    rtp_base,
    tone_present,
    until,
    user_agent,
    wav_duration_s,
)

pytestmark = [
    pytest.mark.db,
    pytest.mark.slow,
    pytest.mark.xdist_group("voice"),
]  # real-time audio: one at a time
TEL = "/api/samus/250/telephony"
LINE = "0381151515"
CALLER = "0612345678"


@pytest.fixture(autouse=True)
def _pjsip() -> None:
    if importlib.util.find_spec("pjsua2") is None:
        missing_service("PJSIP's pjsua2 is not installed (pip install -e '.[voice]')")


@dataclass(frozen=True)
class Site:
    base_url: str
    sip_port: int
    phone_port: int
    log: Path
    data_dir: Path


def _environment(database_url: str, tmp_path: Path, sip_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path / "var"),
        "SISAMU_SECRET_KEY": "e2e-secret",
        "SISAMU_LOST_CALL_THRESHOLD_S": "0",
        "SISAMU_VOICE_SIP_PORT": str(sip_port),
        "SISAMU_VOICE_FOLLOW_S": "0.1",
        "SISAMU_VOICE_RTP_PORT": str(rtp_base()),
        "COLUMNS": "240",  # the demo's banner on one line per sentence
    }


def _start(command: list[str], env: dict[str, str], name: str) -> tuple[subprocess.Popen[bytes], Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*sisamu_command(), *command], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


def _site(
    process: subprocess.Popen[bytes], log: Path, http_port: int, env: dict[str, str], phone_port: int
) -> Site:
    base_url = f"http://127.0.0.1:{http_port}"
    wait_ready(base_url, process, log, timeout=120)
    until(lambda: "voice service started" in log.read_text(errors="replace"), "the voice service started")
    return Site(base_url, int(env["SISAMU_VOICE_SIP_PORT"]), phone_port, log, Path(env["SISAMU_DATA_DIR"]))


@pytest.fixture
def run_site(platform, database_url, tmp_path, request) -> Iterator[Site]:
    """`sisamu run` with voice on; seat P1 of SAMU 250 has a phone at a fixed address."""
    from sisamu.seeding import seed

    seed(platform, "pilots", demo_accounts=True)
    http_port, sip_port, phone_port = free_port(), free_udp_port(), free_udp_port()
    env = {
        **_environment(database_url, tmp_path, sip_port),
        "SISAMU_DEMO": "1",
        "SISAMU_VOICE_ENABLED": "1",
        "SISAMU_VOICE_LINES": f"{LINE}=250:15",
        "SISAMU_VOICE_PHONES": f"250/P1=sip:arm@127.0.0.1:{phone_port}",
    }
    process, log = _start(
        ["run", "--host", "127.0.0.1", "--port", str(http_port)], env, f"run-{request.node.name}"
    )
    try:
        yield _site(process, log, http_port, env, phone_port)
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
    finally:
        assert stop(process) == 130, log.read_text(errors="replace")[-4000:]  # Ctrl-C's clean exit
        assert "voice service stopped" in log.read_text(errors="replace")


@pytest.fixture
def demo_site(database_url, tmp_path, request) -> Iterator[Site]:
    """`sisamu demo` on this test's database, voice left to the demo's defaults but for the ports."""
    if shutil.which("kamailio") is None:
        missing_service("Debian's kamailio is not installed (scripts/test installs it)")
    http_port, sip_port, registrar_port = free_port(), free_udp_port(), free_udp_port()
    env = {
        **_environment(database_url, tmp_path, sip_port),
        "SISAMU_VOICE_REGISTRAR_PORT": str(registrar_port),
    }
    env.pop("SISAMU_VOICE_ENABLED", None)
    command = ["demo", "--no-simulator", "--allow-external-database", "--port", str(http_port)]
    process, log = _start(command, env, f"demo-{request.node.name}")
    try:
        yield _site(process, log, http_port, env, registrar_port)
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
    finally:
        assert stop(process) == 130, log.read_text(errors="replace")[-4000:]  # Ctrl-C's clean exit
        assert "voice service stopped" in log.read_text(errors="replace")


def _sip_calls(arm: httpx.Client) -> list[dict[str, Any]]:
    response = arm.get(f"{TEL}/calls")
    assert response.status_code == 200, response.text
    return [c for c in response.json() if c["call_id"].startswith("sip-")]


def _one(arm: httpx.Client, state: str) -> dict[str, Any] | None:
    calls = _sip_calls(arm)
    return calls[0] if len(calls) == 1 and calls[0]["state"] == state else None


def _talk(site: Site, tmp_path: Path, *phone_options: str) -> dict[str, Any]:
    """A caller dials the line, seat P1 (logged in over HTTP) answers on its phone, they talk, the caller hangs up;
    returns the call as the distribution shows it, ended."""
    with arm_session(site.base_url) as arm:
        assert arm.post(f"{TEL}/seats/P1/login", json={"after_call_work_s": 0}).status_code == 200
        with user_agent(
            "phone",
            free_udp_port() if phone_options else site.phone_port,
            tmp_path / "phone.wav",
            1600,
            "--answer-after",
            "0.5",
            *phone_options,
        ) as phone:
            if phone_options:
                assert phone.wait_for(lambda item: "registered" in item)["registered"] == 200
            with user_agent(
                "caller",
                free_udp_port(),
                tmp_path / "caller.wav",
                1000,
                "--to",
                f"sip:{LINE}@127.0.0.1:{site.sip_port}",
                "--from-user",
                CALLER,
            ) as caller:
                caller.state("CONFIRMED")
                phone.state("CONFIRMED")
                answered = until(lambda: _one(arm, "answered"), "the call answered in the distribution")
                assert (answered["seat_id"], answered["caller_number"]) == ("P1", CALLER)
                time.sleep(2.0)
                caller.send("hangup")
                caller.state("DISCONNECTED")
                phone.state("DISCONNECTED")
                ended = until(lambda: _one(arm, "ended"), "the call ended in the distribution")
            caller.proc.wait(timeout=10)
    return ended


def test_sisamu_run_answers_sip_calls_when_voice_is_enabled_and_records_them(platform, run_site, tmp_path):
    text = run_site.log.read_text(errors="replace")
    assert f"SIP on udp 127.0.0.1:{run_site.sip_port}, lines {LINE} (SAMU 250, flux 15)" in text
    ended = _talk(run_site, tmp_path)
    call_id = ended["call_id"]
    assert call_id.startswith("sip-v1-")
    # the conversation recorded: both voices (the caller's 1 kHz, the ARM's 1.6 kHz) in one WAV under the data dir
    recording = run_site.data_dir / "recordings" / "250" / f"{call_id}.wav"
    until(
        lambda: f"call {call_id} recorded" in run_site.log.read_text(errors="replace"), "the recording closed"
    )
    assert 1.5 <= wav_duration_s(recording) <= 10
    # mixed: most 100 ms windows hold both voices, whichever leads; nothing where no voice is
    callers, voiced = tone_present(recording, 1000)
    arms, _ = tone_present(recording, 1600)
    assert voiced >= 15, voiced
    assert callers >= 0.5 * voiced, (callers, voiced)
    assert arms >= 0.5 * voiced, (arms, voiced)
    assert tone_present(recording, 2500)[0] <= 0.1 * voiced
    # listened to over HTTP by the SAMU's regulator (audited), refused to its ARM
    url = f"{TEL}/calls/{call_id}/recording"
    with arm_session(run_site.base_url, "regulator.250") as regulator:
        response = regulator.get(url)
        assert response.status_code == 200, response.text
        assert response.content == recording.read_bytes()
    with arm_session(run_site.base_url) as arm:
        assert arm.get(url).status_code == 403
    with platform.engine.connect() as conn:
        listened = conn.exec_driver_sql(
            "SELECT actor FROM audit_event WHERE action = 'call.recording.listen' AND object_id = %(c)s",
            {"c": call_id},
        ).scalars()
        assert list(listened) == ["regulator.250"]


def test_sisamu_demo_starts_voice_by_itself_and_its_banner_says_where_to_point_a_phone(demo_site, tmp_path):
    text = demo_site.log.read_text(errors="replace")
    assert f"sip:{LINE}@127.0.0.1:{demo_site.sip_port} (SAMU 250)" in text
    assert "250-P1" in text
    assert DEMO_PASSWORD in text
    assert f"registrar 127.0.0.1:{demo_site.phone_port}" in text
    registrar = f"sip:127.0.0.1:{demo_site.phone_port}"
    _talk(demo_site, tmp_path, "--register", registrar, "--from-user", "250-P1", "--password", DEMO_PASSWORD)
