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
from smur_replay import SmurReplay

pytestmark = pytest.mark.db

NOT_LRM: dict[str, str] = {}  # send steps of an LRM that sisamu does not build
SENDABLE = frozenset({"RS-EDA", "RS-EDA-MAJ", "RS-DR", "RS-RR", "RS-RI", "RS-SR", "RS-ER"})
# What sisamu sends when it plays the SMUR software (smur_replay.py); RS-EDA is the LRM's.
SMUR_SENDABLE = frozenset({"RS-EDA", "RS-RI", "RS-SR", "RS-URL", "RS-BPV", "RS-RPIS"})

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
            if step["model"] not in SMUR_SENDABLE:  # pragma: no cover - every SMUR send is built
                return f"{step['model']} not built for the SMUR software"
        elif step["model"] not in SENDABLE:
            return NOT_LRM.get(step["model"], f"{step['model']} not built")
    return KNOWN.get((label, step["id"], step["type"]))


_LABELS = {c["label"]: c for cat in SCENARIOS for c in cat["testCases"]}
_L = sorted(_LABELS)


def _label(start: str, role: str) -> str:
    return next(label for label in _L if label.startswith(start) and role in label)


KNOWN: dict[tuple[str, str, str], str] = {
    (_label("Enfants NGUYEN", "Editeur 76A"), "03a", "send"): (
        "the example sets the patients' R levels (R1, R2) but not the file's (qualification.details.careLevel), "
        "which sisamu derives from the highest patient level and sends with them, as the Monsieur X 02a example "
        "does"
    ),
    (_label("Alice et Grégoire", "logiciel SMUR /"), "10", "send"): (
        "the example repeats the unchanged priority P1 and status ACTIF (sisamu's update carries what changed) "
        "and lists the 18:33 decision before the 18:31 one (sisamu sends them in time order)"
    ),
}
_NO_AVAILABILITY = (
    "the example's status carries no availability; sisamu always says whether its own unit is free "
    "(state.availability; left empty only for a partner's unit, whose availability it does not know)"
)
_OLDEST_FIRST = (
    "the example lists the statuses oldest first without availability and dates the resource by its DECISION; "
    "sisamu lists them newest first with its own unit's availability on the newest, and dates the resource by "
    "its DECLENCHE ('Date/heure de déclenchement'), as the other examples do"
)
_MORE = {
    (_label("Didier Morel", "Editeur 94"), "04c"): _OLDEST_FIRST,
    (_label("Lola HALIMI", "Editeur 78"), "03c"): (
        "the example's resource has no status at all; sisamu's mission always has its engagement status (DECISION)"
    ),
    (_label("Lola HALIMI", "Editeur 95"), "01b"): (
        "the example gives the availability of a fire-service VSAV (a partner's unit), which sisamu does not know "
        "and leaves empty ('VIDE = INCONNU'), as the other examples do for a partner's VSAV"
    ),
    (_label("Monsieur X", "Editeur 09"), "03"): (
        "the example dates the resource 2024-03-03 15:17 and its DECLENCHE 2024-08-03 03:17; sisamu dates the "
        "resource by its DECLENCHE"
    ),
    (_label("Enfants NGUYEN", "Editeur 76A"), "03b"): (
        "the example leaves its own VLM's availability empty and gives the fire-service VSAV's; sisamu knows its "
        "own unit's availability, not a partner's"
    ),
    (_label("Enfants NGUYEN", "Editeur 76A"), "05a"): _NO_AVAILABILITY,
    (_label("Enfants NGUYEN", "Editeur 80"), "04c"): (
        f"{_OLDEST_FIRST}; the example dates the resource 2024-08-01 and its statuses 2024-08-06"
    ),
    (_label("Enfants NGUYEN", "Editeur 80"), "05c"): (
        "the example's status (2024-08-01 17:15) is dated before the engagement of its RS-RI (2024-08-06): "
        "sisamu refuses a status older than the mission's current one; it also carries no availability"
    ),
    (_label("Alice et Grégoire", "logiciel SMUR /"), "06"): (
        "the example's missionId is a template (DRFR15DDXAAJJJ0000.M001); its fire-service VSAV has no status "
        "(sisamu's mission always has one) and a centerCity, not held"
    ),
}
KNOWN |= {(label, step, "send"): reason for (label, step), reason in _MORE.items()}
# sisamu as the SMUR software (smur_replay.py).
_SMUR_NORMAND = _label("Alice et Grégoire", "L'éditeur est le logiciel SMUR")
_SMUR_VIGNEAU = _label("Delphine VIGNEAU", "L'éditeur est le logiciel SMUR")
_SMUR = {
    (_SMUR_NORMAND, "03"): (
        "the example writes the crew phone nationally (0762865426) where sisamu writes it +33762865426; it dates the "
        "resource 18:20, a minute after its DECISION status (sisamu dates it by the engagement); the crew's names "
        "(freetext) and missionId are not held; sisamu adds team.medicalLevel and the newest status's availability"
    ),
    (_SMUR_NORMAND, "04"): (
        "the example's DEPART (18:15) is before the unit's DECISION (18:19, step 03): the mission cycle refuses a "
        "status older than the mission's current one"
    ),
    (_SMUR_NORMAND, "08"): _NO_AVAILABILITY,
    (_SMUR_NORMAND, "11"): _NO_AVAILABILITY,
    (_SMUR_NORMAND, "13"): _NO_AVAILABILITY,
    (_SMUR_VIGNEAU, "01"): (
        "the scenario lists the LRM's RS-EDA as a send step of the SMUR software (the other 15-SMUR scenario has "
        "it as a receive): the SMUR receives the regulation file, it does not share it; the replay receives it"
    ),
    (_SMUR_VIGNEAU, "04"): (
        "the example's DEPART (13:21) is before the DECLENCHE its RS-RI reported (13:22, step 03): the mission "
        "cycle refuses a status older than the mission's current one"
    ),
    (_SMUR_VIGNEAU, "07"): _NO_AVAILABILITY,
    (_SMUR_VIGNEAU, "09"): _NO_AVAILABILITY,
}
KNOWN |= {(label, step, "send"): reason for (label, step), reason in _SMUR.items()}


def as_meant(path: str, root: str) -> str:
    """Normalisation: an ignored property as the step means it. Some steps name `…medicalNote[i].operator.
    medicalNoteId` (the note's own id, which is not under `operator`) or `$.createCaseHealth…` on an update
    (`createCaseHealthUpdate`); read as written, they would ignore nothing."""
    path = path.replace(".operator.medicalNoteId", ".medicalNoteId")
    head = path.split(".", 2)[1] if path.count(".") >= 1 else ""
    return path.replace(f"$.{head}", f"$.{root}", 1) if head != root else path


def pruned(data: Any) -> Any:
    """Normalisation: an object left empty once its ignored properties are removed says nothing: dropped."""
    if isinstance(data, dict):
        kept = {k: pruned(v) for k, v in data.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(data, list):
        return [pruned(v) for v in data]
    return data


def optional_left_out(got: dict[str, Any], want: dict[str, Any], root: str) -> list[str]:
    """Normalisation: the two optional RS-EDA properties sisamu always writes, `perimeter` AMU (the default
    perimeter) and `senderCaseId` (the tail of `caseId`), are compared only when the example writes them."""
    paths = []
    if "perimeter" not in want and got.get("perimeter") == "AMU":
        paths.append(f"$.{root}.perimeter")
    if (
        "senderCaseId" not in want
        and got.get("senderCaseId") == str(got.get("caseId", "")).rsplit(".", 1)[-1]
    ):
        paths.append(f"$.{root}.senderCaseId")
    return paths


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
    sides = roles(case["label"])
    replay: Replay = ResourceReplay(platform, sides[0], sides[1]) if sides else SmurReplay(platform)
    replay.prepare()
    sendable = SENDABLE if sides else SMUR_SENDABLE
    for before in case["steps"][:s]:
        if before["type"] == "receive" or before["model"] in sendable:
            with contextlib.suppress(Exception):  # a failing earlier step is reported by its own test
                _run(replay, case, before)
    step = case["steps"][s]
    produced = _run(replay, case, step)
    if produced is None:
        return
    root = next(iter(example(step)))
    ignored = [*(as_meant(p, root) for p in step["ignoredProperties"])]
    ignored += [p.replace("$", f"$.{root}", 1) for p in NOT_MODELLED]
    got = without(
        {root: produced[root]}, ignored + optional_left_out(produced[root], example(step)[root], root)
    )
    found = differences(pruned(stripped(got)), pruned(stripped(without(example(step), ignored))))
    if found:
        pytest.fail("DIFFS " + json.dumps(found, ensure_ascii=False))
