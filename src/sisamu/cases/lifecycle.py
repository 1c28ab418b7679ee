"""The life-cycle of a file (`HubSante.etat`): PROGRAM → ACTIF → ACHEVE → VALIDE → CLOTURE → CLASSE → ARCHIVE.

- PROGRAM (planned transfer) becomes ACTIF when activated.
- ACTIF → ACHEVE once at least one decision exists (all decisions carried out).
- ACHEVE → VALIDE when the file is complete and coherent (reason, a decision, an R level for every patient).
- A new decision on an ACHEVE or VALIDE file sends it back to ACTIF (`sisamu.cases.regulation`).
- CLOTURE: automatic 24 h after the file first became ACTIF (from ACTIF, ACHEVE or VALIDE), or by hand from
  VALIDE. Nothing changes after CLOTURE: a new call opens a new file.
- CLASSE: automatic three calendar months after CLOTURE. ARCHIVE: by hand from CLASSE.
Every refusal raises `TransitionRefused` saying why.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from sisamu.cases.model import CLOSED_STATES, SYSTEM, Actor, RegulationFile, RegulationStep
from sisamu.domain.codes import Etat
from sisamu.domain.errors import TransitionRefused

CLOSE_AFTER = timedelta(hours=24)
CLASSIFY_AFTER_MONTHS = 3
_AUTO_CLOSABLE = frozenset({Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE})


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, clamped to the month's last day (31 Nov → 30 Nov)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def ensure_modifiable(file: RegulationFile) -> None:
    """Refuse any change once the file is closed."""
    if file.state in CLOSED_STATES:
        raise TransitionRefused(
            f"file {file.number} is {file.state}: no change after closure, a new call opens a new file"
        )


def close_due_at(file: RegulationFile) -> datetime | None:
    return file.activated_at + CLOSE_AFTER if file.activated_at is not None else None


def classify_due_at(file: RegulationFile) -> datetime | None:
    return add_months(file.closed_at, CLASSIFY_AFTER_MONTHS) if file.closed_at is not None else None


def activate(file: RegulationFile, actor: Actor, now: datetime, reason: str = "activated") -> None:
    if file.state is not Etat.PROGRAM:
        raise TransitionRefused(f"file {file.number} is {file.state}: only a PROGRAM file can be activated")
    file.activated_at = now
    file.set_state(Etat.ACTIF, actor, now, reason)


def complete(file: RegulationFile, actor: Actor, now: datetime, reason: str | None = None) -> None:
    """ACTIF → ACHEVE: every decision has been carried out (the resources check their missions: `FileCompleting`),
    or the person says why the file is completed anyway (`reason`). A finished file leaves the regulation queue."""
    if file.state is not Etat.ACTIF:
        raise TransitionRefused(f"file {file.number} is {file.state}: only an ACTIF file can become ACHEVE")
    if not file.decisions:
        raise TransitionRefused(f"file {file.number} has no decision yet: nothing can have been carried out")
    if file.step in {RegulationStep.QUEUED, RegulationStep.DIRECT}:
        file.step = RegulationStep.REGULATED
    because = f"completed by hand: {reason}" if reason else "all decisions carried out"
    file.set_state(Etat.ACHEVE, actor, now, because)


def validation_gaps(file: RegulationFile) -> list[str]:
    """What keeps the file from being VALIDE: empty when complete and coherent."""
    gaps: list[str] = []
    if file.qualification.motif is None:
        gaps.append("no reason (HubSante.motif)")
    if not file.decisions:
        gaps.append("no decision")
    gaps.extend(f"patient {p.patient_no} has no R level" for p in file.patients if p.care_level is None)
    if file.step in {RegulationStep.QUEUED, RegulationStep.DIRECT}:
        gaps.append("still waiting for a physician")
    return gaps


def validate(file: RegulationFile, actor: Actor, now: datetime) -> None:
    """ACHEVE → VALIDE: complete and coherent."""
    if file.state is not Etat.ACHEVE:
        raise TransitionRefused(f"file {file.number} is {file.state}: only an ACHEVE file can be validated")
    gaps = validation_gaps(file)
    if gaps:
        raise TransitionRefused(f"file {file.number} cannot be validated: {'; '.join(gaps)}")
    file.set_state(Etat.VALIDE, actor, now, "validated")


def reopen(file: RegulationFile, actor: Actor, now: datetime, reason: str) -> None:
    """ACHEVE or VALIDE → ACTIF: a new decision was taken."""
    if file.state not in {Etat.ACHEVE, Etat.VALIDE}:
        raise TransitionRefused(f"file {file.number} is {file.state}: only ACHEVE or VALIDE files reopen")
    file.set_state(Etat.ACTIF, actor, now, reason)


def close(file: RegulationFile, actor: Actor, now: datetime, *, automatic: bool = False) -> None:
    """→ CLOTURE: by hand from VALIDE; automatically from ACTIF, ACHEVE or VALIDE 24 h after activation."""
    if automatic:
        if file.state not in _AUTO_CLOSABLE:
            raise TransitionRefused(f"file {file.number} is {file.state}: nothing to close automatically")
        due = close_due_at(file)
        if due is None or now < due:
            raise TransitionRefused(f"file {file.number} closes automatically only from {due}")
        reason = "automatic, 24 h after ACTIF"
    else:
        if file.state is not Etat.VALIDE:
            raise TransitionRefused(
                f"file {file.number} is {file.state}: only a VALIDE file is closed by hand "
                "(others close automatically 24 h after ACTIF)"
            )
        reason = "closed"
    file.closed_at = now
    file.holder = None
    file.set_state(Etat.CLOTURE, actor, now, reason)


def classify(file: RegulationFile, now: datetime, actor: Actor = SYSTEM) -> None:
    """CLOTURE → CLASSE, three months after closure."""
    if file.state is not Etat.CLOTURE:
        raise TransitionRefused(f"file {file.number} is {file.state}: only a CLOTURE file can be CLASSE")
    due = classify_due_at(file)
    if due is None or now < due:
        raise TransitionRefused(f"file {file.number} is CLASSE automatically from {due}")
    file.set_state(Etat.CLASSE, actor, now, "automatic, 3 months after CLOTURE")


def archive(file: RegulationFile, actor: Actor, now: datetime) -> None:
    if file.state is not Etat.CLASSE:
        raise TransitionRefused(f"file {file.number} is {file.state}: only a CLASSE file can be archived")
    file.set_state(Etat.ARCHIVE, actor, now, "archived")


def due_step(file: RegulationFile, now: datetime) -> Etat | None:
    """The automatic step due now, if any (CLOTURE or CLASSE)."""
    close_at = close_due_at(file)
    if file.state in _AUTO_CLOSABLE and close_at is not None and now >= close_at:
        return Etat.CLOTURE
    classify_at = classify_due_at(file)
    if file.state is Etat.CLOTURE and classify_at is not None and now >= classify_at:
        return Etat.CLASSE
    return None


def apply_due_step(file: RegulationFile, now: datetime) -> Etat | None:
    """Run the automatic step due now; returns the new state, or None when nothing was due."""
    step = due_step(file, now)
    if step is Etat.CLOTURE:
        close(file, SYSTEM, now, automatic=True)
    elif step is Etat.CLASSE:
        classify(file, now)
    return step


def transition(
    file: RegulationFile, target: Etat, actor: Actor, now: datetime, reason: str | None = None
) -> None:
    """A transition asked for by a person (the API's `POST …/transitions`); `reason`: why an ACHEVE is asked with
    a decision not carried out."""
    if target is file.state:
        raise TransitionRefused(f"file {file.number} is already {target}")
    if target is Etat.PROGRAM:
        raise TransitionRefused(f"file {file.number} cannot return to PROGRAM")
    if target is Etat.ACTIF:
        if file.state in {Etat.ACHEVE, Etat.VALIDE}:
            raise TransitionRefused(f"file {file.number} returns to ACTIF only with a new decision")
        activate(file, actor, now)
    elif target is Etat.ACHEVE:
        complete(file, actor, now, reason)
    elif target is Etat.VALIDE:
        validate(file, actor, now)
    elif target is Etat.CLOTURE:
        close(file, actor, now)
    elif target is Etat.CLASSE:
        classify(file, now, actor)
    else:
        archive(file, actor, now)
