"""The Hub's conformance scenarios (15-15 and 15-SMUR, `test-cases/test_cases.json`), one test per step.

A step runs after replaying the steps before it in its scenario. `send`: the message sisamu builds from its own
state equals the step's example except `ignoredProperties` and the documented normalisations (`NOT_MODELLED`).
`receive`: the example, sent by the partner, is applied by the Inbox and answered with an Ack.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from resource_replay import ResourceReplay
from scenario_driver import SCENARIOS, Replay, differences, example, roles, stripped, without

pytestmark = pytest.mark.db

NOT_LRM = {
    "RS-ER": "RS-ER (resources engagement asked of the SMUR): needs the resources feature's engagements",
    "RS-URL": "RS-URL (a document link from the SMUR): sisamu holds no documents",
    "RS-BPV": "RS-BPV (vital-parameter report): sisamu's file holds no vital parameters",
    "RS-RPIS": "RS-RPIS (SMUR intervention report): sisamu is a SAMU LRM; the intervention report is not built",
}
SENDABLE = frozenset({"RS-EDA", "RS-EDA-MAJ", "RS-DR", "RS-RR", "RS-RI", "RS-SR"})

# What sisamu's regulation file has no place for: left out of both sides before comparing (docs/hubsante.md).
NOT_MODELLED = ()


def _steps() -> list[Any]:
    params = []
    for category in SCENARIOS:
        for t, case in enumerate(category["testCases"]):
            for s, step in enumerate(case["steps"]):
                marks = []
                reason = _xfail(case["label"], step)
                if reason:
                    marks.append(pytest.mark.xfail(reason=reason, strict=True))
                name = f"{category['categoryLabel']}-{t}-{step['id']}-{step['type']}-{step['model']}"
                params.append(pytest.param(category["categoryLabel"], t, s, id=name, marks=marks))
    return params


def _xfail(label: str, step: dict[str, Any]) -> str | None:
    if step["type"] == "send":
        if roles(label) is None:
            return "the editor plays the SMUR software here; sisamu is a SAMU LRM"
        if step["model"] not in SENDABLE:
            return NOT_LRM.get(step["model"], f"{step['model']} not built")
    return KNOWN.get((label, step["id"], step["type"]))


_RS_EDA_GAPS = (
    "sisamu's file has no place for qualification.whatsHappen/origin, interventionType, the caller's "
    "type/language/freetext/first and last names, initialAlert.notes and reception time, the address parts "
    "(number, wayName), location freetext/access/name and the point's own datetime; sisamu adds "
    "qualification.details.status and point.isAml, names codes by their leaf label, and numbers its note ids"
)
_LABELS = {c["label"]: c for cat in SCENARIOS for c in cat["testCases"]}
_L = sorted(_LABELS)


def _label(start: str, role: str) -> str:
    return next(label for label in _L if label.startswith(start) and role in label)


_WEIGHT = "sisamu's patient has no weight, height nor hypothesis (patient.detail, patient.hypothesis)"
KNOWN: dict[tuple[str, str, str], str] = {
    (_label("Didier Morel", "Editeur 77"), "01a", "send"): _RS_EDA_GAPS,
    (_label("Didier Morel", "Editeur 77"), "02", "send"): _WEIGHT,
    (_label("Lola HALIMI", "Editeur 95"), "01a", "send"): _RS_EDA_GAPS,
    (_label("Lola HALIMI", "Editeur 95"), "02", "send"): (
        "the example only adds a patient's weight/height, which sisamu's file does not hold: nothing to update"
    ),
    (_label("Monsieur X", "Editeur 09"), "01", "send"): _RS_EDA_GAPS,
    (_label("Monsieur X", "Editeur 09"), "02a", "send"): _WEIGHT + "; qualification.whatsHappen not held",
    (_label("Ouardia Boudadi", "Editeur 95"), "01", "send"): _RS_EDA_GAPS,
    (_label("Enfants NGUYEN", "Editeur 76A"), "03a", "send"): (
        "sisamu numbers its note ids (…medicalNote.<file>.<n>) where the example keeps the sender's, and the "
        "example re-sends a partner's patient sisamu already holds"
    ),
    (_label("Enfants NGUYEN", "Editeur 80"), "01", "send"): _RS_EDA_GAPS + "; patient weight",
    (_label("Alice et Grégoire", "logiciel SMUR /"), "01", "send"): _RS_EDA_GAPS
    + "; qualification.riskThreat, caller.communication, patient.hypothesis",
    (_label("Alice et Grégoire", "logiciel SMUR /"), "07", "send"): _WEIGHT
    + "; the example repeats the unchanged status ACTIF",
    (_label("Alice et Grégoire", "logiciel SMUR /"), "10", "send"): (
        "sisamu refuses an ORIENT decision carrying a resource type (resourceType SIS): 'a ORIENT decision sends "
        "no resource'"
    ),
    (_label("Alice et Grégoire", "logiciel SMUR /"), "16", "send"): (
        "the example sets the status CLOTURE only; sisamu closes a file by its life-cycle (VALIDE first) and the "
        "update carries no other change"
    ),
    (_label("Delphine VIGNEAU", "logiciel SMUR /"), "01", "send"): _RS_EDA_GAPS
    + "; additionalInformation, caller.communication, location.externalLocationId, patient.hypothesis",
    (_label("Delphine VIGNEAU", "logiciel SMUR /"), "08", "send"): (
        "a decision without patient and a case-level freetext: sisamu's decisions name no free text"
    ),
    (_label("Delphine VIGNEAU", "logiciel SMUR /"), "12", "send"): (
        "the example sets the status CLOTURE only on the fire service's case id; sisamu closes a file by its "
        "life-cycle"
    ),
}
_CONTACT = "sisamu's units hold no crew phone (resource.contact)"
_TEAM = "nor team name (team.name)"
_STATES = (
    "the example lists only some statuses of the unit (no DECISION) where sisamu sends the mission's whole history "
    "from DECISION, newest first, with availability on the newest, and dates the resource by its DECISION"
)
_NO_AVAILABILITY = "the example's status carries no availability; sisamu always says whether the unit is free (state.availability)"
_MORE = {
    (_label("Didier Morel", "Editeur 94"), "04c"): f"{_CONTACT}; {_STATES} (the example lists DECISION last)",
    (_label("Didier Morel", "Editeur 77"), "01b"): f"{_CONTACT} {_TEAM}; {_STATES}",
    (_label("Didier Morel", "Editeur 77"), "03a"): _NO_AVAILABILITY,
    (_label("Lola HALIMI", "Editeur 78"), "03c"): f"{_CONTACT}; the example sends no status at all",
    (_label("Lola HALIMI", "Editeur 95"), "01b"): f"{_CONTACT} {_TEAM}; {_STATES}",
    (_label("Monsieur X", "Editeur 09"), "03"): (
        f"{_CONTACT}; {_STATES}; the example dates the resource 2024-03-03 and its status 2024-08-03"
    ),
    (_label("Enfants NGUYEN", "Editeur 76A"), "03b"): f"{_CONTACT} {_TEAM}; {_STATES}",
    (_label("Enfants NGUYEN", "Editeur 76A"), "05a"): _NO_AVAILABILITY,
    (_label("Enfants NGUYEN", "Editeur 76A"), "05b"): _NO_AVAILABILITY,
    (_label("Enfants NGUYEN", "Editeur 80"), "04c"): (
        f"{_CONTACT}; {_STATES}; the example dates the resource 2024-08-01 and its statuses 2024-08-06"
    ),
    (_label("Enfants NGUYEN", "Editeur 80"), "05c"): (
        "the example's status (2024-08-01 17:15) is dated before the engagement of its RS-RI (2024-08-06): "
        "sisamu refuses a status older than the mission's current one"
    ),
    (_label("Alice et Grégoire", "logiciel SMUR /"), "06"): (
        f"{_TEAM}, missionId, centerCity not held; {_STATES}; the example's VSAV has no status"
    ),
}
KNOWN |= {(label, step, "send"): reason for (label, step), reason in _MORE.items()}


def _case(category: str, t: int) -> dict[str, Any]:
    return next(c for c in SCENARIOS if c["categoryLabel"] == category)["testCases"][t]


def _run(replay: Replay, case: dict[str, Any], step: dict[str, Any]) -> dict[str, Any] | None:
    if step["type"] == "receive":
        outcome = replay.receive(step)
        if not outcome.applied:
            pytest.fail("RECEIVE " + json.dumps([outcome.status, outcome.error], ensure_ascii=False))
        assert replay.acked(outcome.distribution_id)
        return None
    return replay.send(step)


@pytest.mark.parametrize(("category", "t", "s"), _steps())
def test_scenario_step(platform, category: str, t: int, s: int) -> None:
    case = _case(category, t)
    sides = roles(case["label"]) or ("44", "fr.health.samu440")
    replay: Replay = ResourceReplay(platform, sides[0], sides[1])
    replay.prepare()
    for before in case["steps"][:s]:
        if before["type"] == "receive" or (roles(case["label"]) and before["model"] in SENDABLE):
            with contextlib.suppress(Exception):  # a failing earlier step is reported by its own test
                _run(replay, case, before)
    step = case["steps"][s]
    produced = _run(replay, case, step)
    if produced is None:
        return
    root = next(iter(example(step)))
    ignored = [*step["ignoredProperties"], *(p.replace("$", f"$.{root}", 1) for p in NOT_MODELLED)]
    got = without({root: produced[root]}, ignored)
    found = differences(stripped(got), stripped(without(example(step), ignored)))
    if found:
        pytest.fail("DIFFS " + json.dumps(found, ensure_ascii=False))
