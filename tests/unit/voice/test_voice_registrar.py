"""The registrar's configuration (Kamailio) written from the settings: the phones' passwords, only safe text in it,
and a configuration Kamailio itself accepts (`kamailio -c`) when it is installed."""

from __future__ import annotations

import shutil
import subprocess

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
