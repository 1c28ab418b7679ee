"""A file's timeline as the physician reads it, in French: statuses, notes, decisions and R levels in time order.

The history keeps the reason of each status as the platform wrote it (English, stable); the timeline says it in
French (`REASONS`, and the reason a person typed after « completed by hand: » as typed). Decisions are named by the
official label of `HubSante.typeDecision`, followed by their code (INTER, ORIENT…) as the room says them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from sisamu.domain.codes import code_list

if TYPE_CHECKING:
    from sisamu.cases.model import Decision, RegulationFile

STATES = {
    "PROGRAM": "programmé",
    "ACTIF": "actif",
    "ACHEVE": "achevé",
    "VALIDE": "validé",
    "CLOTURE": "clôturé",
    "CLASSE": "classé",
    "ARCHIVE": "archivé",
}
REASONS = {
    "planned": "dossier programmé",
    "call answered": "appel décroché",
    "opened by hand": "ouvert sans appel",
    "activated": "activé",
    "all decisions carried out": "toutes les décisions exécutées",
    "validated": "validé par le médecin",
    "closed": "clôturé à la main",
    "automatic, 24 h after ACTIF": "clôture automatique 24 h après l'activation",
    "automatic, 3 months after CLOTURE": "classement automatique 3 mois après la clôture",
    "archived": "archivé",
}
BY_HAND = "completed by hand: "
NEW_DECISION = "new decision "


class TimelineItem(BaseModel):
    at: datetime
    kind: Literal["status", "note", "decision", "care_level"]
    ref: int
    text: str
    by: str


def reason_fr(reason: str) -> str:
    """A status reason in French; a reason typed by a person stays as typed."""
    if reason in REASONS:
        return REASONS[reason]
    if reason.startswith(BY_HAND):
        return "achevé malgré tout : " + reason.removeprefix(BY_HAND)
    if reason.startswith(NEW_DECISION):
        return "rouvert par une nouvelle décision " + reason.removeprefix(NEW_DECISION)
    return reason


def decision_text(d: Decision) -> str:
    decisions = code_list("typeDecision")
    label = decisions[d.kind].label.strip() if d.kind in decisions else str(d.kind)
    detail = " ".join(filter(None, [d.resource_type, f"→ {d.destination}" if d.destination else None]))
    return f"{label}{' (départ réflexe)' if d.reflex else ''} — {d.kind} {detail}".strip()


def timeline(file: RegulationFile) -> list[TimelineItem]:
    """Statuses, notes, decisions and R levels in time order, for the physician's file view."""
    items = [
        TimelineItem(
            at=h.at,
            kind="status",
            ref=h.seq,
            text=f"Dossier {STATES.get(str(h.state), str(h.state))} — {reason_fr(h.reason)}",
            by=h.actor,
        )
        for h in file.history
    ]
    items += [
        TimelineItem(at=n.created_at, kind="note", ref=n.note_no, text=n.body, by=n.author)
        for n in file.notes
    ]
    items += [
        TimelineItem(at=d.created_at, kind="decision", ref=d.decision_no, text=decision_text(d), by=d.author)
        for d in file.decisions
    ]
    items += [
        TimelineItem(
            at=p.care_level_at,
            kind="care_level",
            ref=p.patient_no,
            text=f"Niveau de soin {p.care_level} pour le patient {p.patient_no}",
            by=p.care_level_by or "",
        )
        for p in file.patients
        if p.care_level is not None and p.care_level_at is not None
    ]
    order = {"status": 0, "note": 1, "care_level": 2, "decision": 3}
    return sorted(items, key=lambda i: (i.at, order[i.kind], i.ref))
