"""When `sisamu run`/`demo` start the voice node, and the demo's voice settings and banner note."""

from __future__ import annotations

import logging
import sys

import pytest

from sisamu.config import Settings
from sisamu.tenants.service import DEMO_PASSWORD
from sisamu.voice import demo
from sisamu.voice.service import voice_off_reason, voice_service


def test_voice_is_off_unless_enabled():
    assert "voice_enabled is off" in (voice_off_reason(enabled=False) or "")


def test_without_the_voice_extra_run_logs_that_voice_is_off_and_why(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pjsua2", None)  # import pjsua2 → ImportError, as without the extra

    class FakePlatform:
        settings = Settings(voice_enabled=True)

    def build(_platform: object) -> object:
        raise AssertionError("no node is built without PJSIP")

    with caplog.at_level(logging.INFO, logger="sisamu.voice.service"):
        assert voice_service(FakePlatform(), build) is None  # type: ignore[arg-type]
    assert "voice is off: the voice extra is not installed" in caplog.text
    assert "pip install -e '.[voice]'" in caplog.text


def test_the_demo_turns_voice_on_with_its_lines_and_published_phone_passwords(monkeypatch):
    monkeypatch.setattr(demo.shutil, "which", lambda _name: "/usr/sbin/kamailio")
    settings = demo.demo_voice_settings(Settings(voice_sip_port=5070))
    assert settings.voice_enabled is True
    assert settings.voice_lines == demo.DEMO_LINES
    assert settings.voice_registrar_port == 5071
    assert f"250/P1={DEMO_PASSWORD}" in settings.voice_phone_secrets
    note = demo.demo_voice_note(settings) or ""
    assert "sip:0381151515@127.0.0.1:5070 (SAMU 250)" in note
    assert "250-P1, 250-P2, 210-P1, 210-P2" in note
    assert "registrar 127.0.0.1:5071" in note


def test_the_demo_keeps_what_the_operator_set(monkeypatch):
    monkeypatch.setattr(demo.shutil, "which", lambda _name: None)
    off = Settings(voice_enabled=False)
    assert demo.demo_voice_settings(off) is off
    assert demo.demo_voice_note(off) is None
    mine = demo.demo_voice_settings(Settings(voice_lines="0380000000=210:15"))
    assert mine.voice_lines == "0380000000=210:15"
    assert mine.voice_registrar_port is None  # no Kamailio: no registrar, phones by address
    assert "Kamailio absent" in (demo.demo_voice_note(mine) or "")


@pytest.mark.parametrize("enabled", [None, False])
def test_run_keeps_voice_off_by_default(enabled):
    assert voice_off_reason(enabled=bool(Settings(voice_enabled=enabled).voice_enabled)) is not None
