"""An RS-EDA-MAJ about a case never shared with us by an RS-EDA: it starts the shared file when it carries something
to regulate (a patient, a note, a decision); otherwise RS-ERROR 702."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from factories import add_samu
from sisamu.hubsante.envelope import new_message
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.tables import hub_outbox
from sisamu.interop.common import link_of_case
from sisamu.interop.receivers import register_flows

pytestmark = pytest.mark.db
US, FIRE = "fr.health.samu440", "fr.fire.sis044.cga-044"
CASE = "fr.fire.sis044.cga-044.SC-20240526-044-cga-AL8"


@pytest.fixture
def inbox(platform: Any) -> Inbox:
    add_samu(platform, "440", hub_id=US)
    return register_flows(Inbox(platform.uow, "440", US))


def _receive(inbox: Inbox, body: dict[str, Any]) -> Any:
    message = new_message("RS-EDA-MAJ", body, sender_id=FIRE, recipient_id=US, sent_at=datetime.now(UTC))
    return inbox.receive(json.dumps(message.to_envelope()).encode())


def _sent(platform: Any, message_type: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        query = sa.select(hub_outbox.c.body).where(hub_outbox.c.message_type == message_type)
        return list(conn.execute(query).scalars())


NOTE = {
    "caseId": CASE,
    "medicalNote": [
        {
            "operator": {"role": "MEDECIN", "label": "Emilie Martin"},
            "medicalNoteId": "fr.health.samu440.medicalNote.0012321",
            "creation": "2024-05-26T13:20:00+02:00",
            "freetext": "Patiente consciente. Enceinte de 28 SA - chute de 3 mètres.",
        }
    ],
}


def test_an_update_with_a_note_starts_the_shared_file(platform: Any, inbox: Inbox) -> None:
    outcome = _receive(inbox, NOTE)
    assert outcome.applied, outcome.error
    with platform.engine.connect() as conn:
        link = link_of_case(conn, "440", CASE, partner=FIRE)
        assert link is not None
        assert (link.partner, link.owner, link.role) == (FIRE, FIRE, "received")
        notes = conn.execute(
            sa.text("SELECT body FROM case_note WHERE samu_id = '440' AND number = :n"), {"n": link.number}
        ).scalars()
        assert any("Enceinte de 28 SA" in note for note in notes)
    # The next update applies to that file, even one that carries only a status.
    closing = {"caseId": CASE, "qualification": {"details": {"status": "CLOTURE"}}}
    assert _receive(inbox, closing).applied
    assert _sent(platform, "RS-ERROR") == []


def test_an_update_with_nothing_to_regulate_on_an_unknown_case_is_refused_702(
    platform: Any, inbox: Inbox
) -> None:
    outcome = _receive(inbox, {"caseId": CASE, "qualification": {"details": {"status": "CLOTURE"}}})
    assert not outcome.applied
    (error,) = _sent(platform, "RS-ERROR")
    assert "702" in json.dumps(error)
    with platform.engine.connect() as conn:
        assert link_of_case(conn, "440", CASE, partner=FIRE) is None
