"""Ack (RC-REF) and RS-ERROR replies built from received messages validate against the schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from hub_reference import ids, is_envelope, load, valid_samples

from sisamu.hubsante.envelope import DistributionKind, parse_envelope
from sisamu.hubsante.replies import UNAVAILABLE_DISTRIBUTION_ID, ErrorCode, build_ack, build_error
from sisamu.hubsante.validation import validate_envelope

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 1, 25, 9, 30, tzinfo=UTC)
RECEIVED = [p for p in valid_samples() if is_envelope(load(p))]
ACKABLE = [p for p in RECEIVED if load(p)["distributionKind"] != "Ack"]


@pytest.mark.parametrize("path", ACKABLE, ids=ids(ACKABLE))
def test_ack_validates_and_references_the_received_message(path: Path) -> None:
    received = parse_envelope(load(path))
    ack = build_ack(received, sent_at=NOW, unique_id="ack-1")
    envelope = ack.to_envelope()
    assert validate_envelope(envelope) == []
    assert ack.kind is DistributionKind.ACK
    assert ack.body == {"distributionID": received.distribution_id}
    assert ack.sender_id == received.recipient_id
    assert ack.recipient_id == received.sender_id
    assert ack.distribution_id == f"{received.recipient_id}_ack-1"


def test_an_ack_is_never_acknowledged() -> None:
    ack_received = next(p for p in RECEIVED if load(p)["distributionKind"] == "Ack")
    with pytest.raises(ValueError, match="never acknowledged"):
        build_ack(parse_envelope(load(ack_received)), sent_at=NOW)


@pytest.mark.parametrize("path", RECEIVED, ids=ids(RECEIVED))
def test_error_report_validates(path: Path) -> None:
    received = parse_envelope(load(path))
    error = build_error(
        received,
        ErrorCode.CASE_ALREADY_EXISTS,
        "dossier déjà connu",
        sender_id="fr.health.samu440",
        sent_at=NOW,
    )
    assert validate_envelope(error.to_envelope()) == []
    assert error.kind is DistributionKind.ERROR
    assert error.recipient_id == received.sender_id
    assert error.body["errorCode"] == {"statusCode": 701, "statusString": "CASE_ALREADY_EXISTS"}
    assert error.body["referencedDistributionID"] == received.distribution_id
    assert error.body["sourceMessage"] == load(path)


def test_error_report_on_an_unparseable_envelope() -> None:
    raw = {"senderID": "fr.health.samuA", "content": "garbage"}
    error = build_error(
        raw, ErrorCode.INVALID_MESSAGE, "distributionID: is missing", sender_id="x", sent_at=NOW
    )
    assert validate_envelope(error.to_envelope()) == []
    assert error.body["referencedDistributionID"] == UNAVAILABLE_DISTRIBUTION_ID
    with pytest.raises(ValueError, match="senderID"):
        build_error({}, ErrorCode.INVALID_MESSAGE, "?", sender_id="x", sent_at=NOW)


def test_error_codes_are_the_hubs() -> None:
    assert [int(code) for code in ErrorCode] == [
        100, 101, 102, 200, 300, 301, 400, 500, 501, 600, 700, 701, 702, 703, 704
    ]  # fmt: skip
    assert ErrorCode(300).status_string == "INVALID_MESSAGE"
    assert ErrorCode.DEAD_LETTER_QUEUED.to_dict() == {"statusCode": 500, "statusString": "DEAD_LETTER_QUEUED"}
