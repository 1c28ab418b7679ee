"""The registrar's configuration (Kamailio) written from the settings: the phones' passwords, only safe text in it,
and a configuration Kamailio itself accepts (`kamailio -c`) when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sisamu.voice.model import VoiceConfigError
from sisamu.voice.registrar import Registrar, parse_secrets
from support import missing_service


def test_secrets_by_seat_and_the_phones_rung_through_the_registrar():
    secrets = parse_secrets("250/P1=secret-one, 250/P2=secret-two")
    assert secrets == {("250", "P1"): "secret-one", ("250", "P2"): "secret-two"}
    registrar = Registrar("10.0.0.1", 5071, "10.0.0.1", 5070, secrets)
    assert registrar.phones()[("250", "P2")].uri == "sip:250-P2@10.0.0.1:5071"
    assert parse_secrets("") == {}


@pytest.mark.parametrize(
    "bad",
    [
        "250/P1=short",
        '250/P1=quote"injection',
        "250/P1=semi;colon-secret",
        "P1=secret-one",
        "250/P 1=secret-one",
    ],
)
def test_a_secret_or_a_name_that_could_break_the_configuration_is_refused(bad):
    with pytest.raises(VoiceConfigError, match="voice phone secret"):
        parse_secrets(bad)


def test_the_configuration_challenges_registrations_and_relays_only_the_node_s_calls():
    registrar = Registrar(
        "127.0.0.1", 5071, "127.0.0.1", 5070, parse_secrets("250/P1=secret-one,680/P9=secret-two")
    )
    config = registrar.config()
    assert "listen=udp:127.0.0.1:5071" in config
    assert 'if ($au == "250-P1") { $var(pw) = "secret-one";' in config
    assert '} else if ($au == "680-P9") { $var(pw) = "secret-two";' in config
    assert 'www_challenge("$td", "0")' in config
    assert 'if ($au != $tU) { sl_send_reply("403"' in config  # a phone registers only as itself
    assert 'if ($si != "127.0.0.1" || $sp != 5070) { sl_send_reply("403"' in config
    assert 'lookup("location")' in config


def test_kamailio_accepts_the_configuration(tmp_path):
    if shutil.which("kamailio") is None:
        missing_service("Debian's kamailio is not installed (scripts/test installs it)")
    for secrets in ("250/P1=secret-one,250/P2=secret-two", ""):
        path = tmp_path / "kamailio.cfg"
        path.write_text(Registrar("127.0.0.1", 5071, "127.0.0.1", 5070, parse_secrets(secrets)).config())
        checked = subprocess.run(
            ["kamailio", "-c", "-f", str(path)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr[-2000:]


STARTER = """
import sys, time
from pathlib import Path
from sisamu.voice.registrar import Registrar
Registrar("127.0.0.1", 5071, "127.0.0.1", 5070, {}).start(Path(sys.argv[1]), sys.argv[2])
time.sleep(60)
"""


def test_the_registrar_dies_with_the_process_that_started_it_even_killed(tmp_path):
    """A voice node killed -9 leaves no Kamailio behind holding the registrar's port."""
    if shutil.which("setpriv") is None:
        missing_service("util-linux's setpriv is not installed")
    fake = tmp_path / "kamailio"
    fake.write_text('#!/bin/sh\necho $$ > "$(dirname "$0")/child.pid"\nexec sleep 60\n')
    fake.chmod(0o755)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            STARTER,
            str(tmp_path / "voice"),
            str(fake),
        ]
    )
    pid_file = tmp_path / "child.pid"
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the fake registrar did not start"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the registrar outlived its voice node"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()  # a zombie waiting for its reaper is dead enough
    return stat.split()[2] != "Z"
