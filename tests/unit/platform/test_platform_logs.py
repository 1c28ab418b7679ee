"""Log lines carry the request's id; the JSON format writes one parseable object per line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from sisamu.platform import logs


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level

    def install(kind: logs.LogFormat) -> io.StringIO:
        logs.configure(kind)
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        return stream

    yield install
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_json_lines_carry_the_request_id(captured):
    stream = captured("json")
    token = logs.REQUEST_ID.set("req-42")
    try:
        logging.getLogger("sisamu.test").warning("seat %s paused", "P-1")
    finally:
        logs.REQUEST_ID.reset(token)
    logging.getLogger("sisamu.test").info("outside any request")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "seat P-1 paused"
    assert first["level"] == "WARNING"
    assert first["logger"] == "sisamu.test"
    assert first["request_id"] == "req-42"
    assert "time" in first
    assert second["request_id"] is None


def test_text_lines_name_the_request_in_brackets(captured):
    stream = captured("text")
    token = logs.REQUEST_ID.set("abc")
    try:
        logging.getLogger("sisamu.test").warning("hello")
    finally:
        logs.REQUEST_ID.reset(token)
    assert "sisamu.test [abc]: hello" in stream.getvalue()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("e2e-req-42", True),
        ("0f8c1e7a-5b2d-4c3e-9a1b-1234567890ab", True),
        ("two words", False),  # spaces: could fake a log line's fields
        ("line\nbreak", False),
        ("x" * 65, False),
        ("", False),
        (None, False),
    ],
)
def test_a_given_request_id_is_kept_only_when_plain(given, kept):
    rid = logs.request_id_from(given)
    assert (rid == given) is kept
    if not kept:
        assert len(rid) == 32
        int(rid, 16)
