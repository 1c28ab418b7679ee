"""The voice service's pure rules: lines, phones, the caller's and the dialled number from SIP headers, and the
announcement and waiting audio it writes."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from sisamu.calls.flux import Flux
from sisamu.voice import media, model

INVITE = (
    "INVITE sip:+33381151515@10.0.0.1:5070;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1\r\n"
    'f: "Jean" <sip:anonymous@trunk.example>;tag=1\r\n'
    "To: <sip:0381151515@10.0.0.1>\r\n"
    "P-Asserted-Identity: <tel:+33612345678>\r\n"
    "Call-ID: abc\r\n"
    "\r\n"
    "v=0\r\nFrom: <sip:0699999999@body.example>\r\n"
)


def test_lines_map_each_number_to_its_samu_and_flux():
    lines = model.parse_lines("+33 3 81 15 15 15=250:15, 0381116117=250:116117,0380151515=210")
    assert lines["0381151515"] == model.Line("0381151515", "250", Flux.CENTRE_15)
    assert lines["0381116117"].flux is Flux.PDSA_116117
    assert lines["0380151515"] == model.Line("0380151515", "210", Flux.CENTRE_15)  # flux 15 when left out
    assert model.parse_lines("") == {}


@pytest.mark.parametrize("bad", ["0381151515", "0381151515=250:17", "abc=250:15", "0381151515=:15"])
def test_a_line_that_cannot_be_read_is_refused(bad):
    with pytest.raises(model.VoiceConfigError, match="voice line"):
        model.parse_lines(bad)


def test_phones_by_seat():
    phones = model.parse_phones("250/P1=sip:arm1@10.0.0.5:5060, 250/P2=sip:arm2@10.0.0.6")
    assert phones[("250", "P1")].uri == "sip:arm1@10.0.0.5:5060"
    assert set(phones) == {("250", "P1"), ("250", "P2")}
    for bad in ("P1=sip:x@y", "250/P1=http://x", "250/=sip:x@y"):
        with pytest.raises(model.VoiceConfigError, match="voice phone"):
            model.parse_phones(bad)


def test_the_caller_is_the_asserted_identity_first_then_from():
    pai = model.header(INVITE, "P-Asserted-Identity")
    sender = model.header(INVITE, "From")  # the compact form `f:`
    assert sender == '"Jean" <sip:anonymous@trunk.example>;tag=1'
    assert model.caller_number(pai, sender) == "0612345678"
    assert model.caller_number(None, "<sip:+33 6 12 34 56 78@x>") is None  # spaces are no SIP user part
    assert model.caller_number(None, "<sip:0612345678@trunk>;tag=9") == "0612345678"
    assert model.caller_number(None, "<sip:anonymous@trunk>") is None
    assert model.caller_number("", None) is None


def test_the_dialled_number_is_the_request_uri_s():
    assert model.request_uri(INVITE) == "sip:+33381151515@10.0.0.1:5070;user=phone"
    assert model.dialled_number(model.request_uri(INVITE), model.header(INVITE, "To")) == "0381151515"
    assert model.dialled_number("sip:voice@10.0.0.1", "<sip:0381151515@x>") == "0381151515"
    assert model.request_uri("garbage") is None
    assert model.header(INVITE, "Contact") is None  # headers end at the blank line: the body is not read


def test_the_announcement_and_the_waiting_loop_are_tones_apart_from_the_test_voices(tmp_path):
    announcement, waiting = media.prepare(tmp_path / "voice")
    for path, tones in ((announcement, media.ANNOUNCEMENT_TONES), (waiting, media.WAITING_TONES)):
        with wave.open(str(path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
            data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
        assert len(data) == sum(ms for _, ms in tones) * 8
        first_ms = tones[0][1]
        spectrum = np.abs(np.fft.rfft(data[: first_ms * 8]))
        assert abs(np.argmax(spectrum) * 8000 / (first_ms * 8) - tones[0][0]) < 10
        assert all(abs(f - 1000) > 100 and abs(f - 1600) > 100 for f, _ in tones if f)
    before = announcement.stat().st_mtime_ns
    assert media.prepare(tmp_path / "voice") == (announcement, waiting)  # written once
    assert announcement.stat().st_mtime_ns == before


def test_calls_come_from_the_configured_trunks_only():
    trunks = model.parse_networks("10.1.2.0/24, 192.0.2.7, ::1")
    assert model.source_allowed("10.1.2.200:5060", trunks)
    assert model.source_allowed("192.0.2.7:5061", trunks)
    assert model.source_allowed("[::1]:5060", trunks)
    assert not model.source_allowed("10.1.3.1:5060", trunks)
    assert not model.source_allowed("192.0.2.8:5060", trunks)
    assert not model.source_allowed("not-an-address:5060", trunks)
    assert not model.source_allowed("127.0.0.1:5060", model.parse_networks(""))  # none configured: nobody
    with pytest.raises(model.VoiceConfigError, match="voice trunks"):
        model.parse_networks("10.1.2.0/33")
