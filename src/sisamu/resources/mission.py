# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The mission status cycle (`HubSante.statutVecteur`): pure rules, no I/O, time passed in.

DECISION → DECLENCHE → DEPART → ARRIVEE → PEC → BILAN → ORIENTAT → TRANSP → (ETAPE1 → TRANSP2 → ETAPE2 →
TRANSP3) → DESTIN → FINPEC → RETOUR → RET-BASE → REN-BASE, or ANNULE before arrival on scene.

Besides the main path, the official meanings allow:
- ANNULE from DECISION, DECLENCHE or DEPART ("annulation d'une mission déjà engagée avant arrivée sur les
  lieux"); the unit is then free and may report RET-BASE / REN-BASE;
- no transport: the care ends on scene (BILAN or ORIENTAT → FINPEC), or nobody is found or cared for on
  arrival (ARRIVEE → RETOUR: "quitte le lieu d'intervention en l'absence de transport");
- a transit step is optional: TRANSP → DESTIN, TRANSP2 → DESTIN;
- RETOUR → REN-BASE when the crew reports its arrival at base without reporting the way back.
Repeating the current status, going back, or any other jump is refused (`TransitionRefused`), as is a status
dated before the previous one.

A mission starts at DECISION (the regulator decided to send the unit), or directly at DECLENCHE when deciding and
triggering are one act: a départ réflexe sent by the ARM for a P0 call, or a partner's unit (fire-service VSAV)
that its own centre triggered and that joins the file already triggered (`START`).

The unit holds the mission (is not available) from DECISION until FINPEC; from RETOUR ("la ressource est
disponible pour être réengagée") or ANNULE it is available again. REN-BASE ends the mission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sisamu.domain.codes import StatutVecteur as S
from sisamu.domain.errors import TransitionRefused

NEXT: dict[S, frozenset[S]] = {
    S.DECISION: frozenset({S.DECLENCHE, S.ANNULE}),
    S.DECLENCHE: frozenset({S.DEPART, S.ANNULE}),
    S.DEPART: frozenset({S.ARRIVEE, S.ANNULE}),
    S.ARRIVEE: frozenset({S.PEC, S.RETOUR}),
    S.PEC: frozenset({S.BILAN}),
    S.BILAN: frozenset({S.ORIENTAT, S.FINPEC}),
    S.ORIENTAT: frozenset({S.TRANSP, S.FINPEC}),
    S.TRANSP: frozenset({S.ETAPE1, S.DESTIN}),
    S.ETAPE1: frozenset({S.TRANSP2}),
    S.TRANSP2: frozenset({S.ETAPE2, S.DESTIN}),
    S.ETAPE2: frozenset({S.TRANSP3}),
    S.TRANSP3: frozenset({S.DESTIN}),
    S.DESTIN: frozenset({S.FINPEC}),
    S.FINPEC: frozenset({S.RETOUR}),
    S.RETOUR: frozenset({S.RET_BASE, S.REN_BASE}),
    S.ANNULE: frozenset({S.RET_BASE, S.REN_BASE}),
    S.RET_BASE: frozenset({S.REN_BASE}),
    S.REN_BASE: frozenset(),
}
# The next status of the usual course, offered first (the crew terminal's one big button); the others NEXT allows
# are the exceptions (no transport, a transit step, a cancellation).
MAIN_NEXT: dict[S, S] = {
    S.DECISION: S.DECLENCHE,
    S.DECLENCHE: S.DEPART,
    S.DEPART: S.ARRIVEE,
    S.ARRIVEE: S.PEC,
    S.PEC: S.BILAN,
    S.BILAN: S.ORIENTAT,
    S.ORIENTAT: S.TRANSP,
    S.TRANSP: S.DESTIN,
    S.ETAPE1: S.TRANSP2,
    S.TRANSP2: S.DESTIN,
    S.ETAPE2: S.TRANSP3,
    S.TRANSP3: S.DESTIN,
    S.DESTIN: S.FINPEC,
    S.FINPEC: S.RETOUR,
    S.RETOUR: S.REN_BASE,
    S.ANNULE: S.REN_BASE,
    S.RET_BASE: S.REN_BASE,
}
# The statuses a mission may start at.
START = frozenset({S.DECISION, S.DECLENCHE})
# The unit is free again (may be engaged on another file) from these statuses on.
RELEASING = frozenset({S.RETOUR, S.ANNULE, S.RET_BASE, S.REN_BASE})
FINAL = frozenset({S.REN_BASE})
# The RS-RPIS timestamps of a SMUR report, by the status that gives each.
RPIS_TIMES = {
    "engagement": S.DECISION,
    "left_base": S.DEPART,
    "on_scene": S.ARRIVEE,
    "left_scene": S.TRANSP,
    "at_destination": S.DESTIN,
    "team_available": S.RETOUR,
    "back_at_base": S.REN_BASE,
}


class Source(StrEnum):
    CONSOLE = "CONSOLE"  # a person in the room
    CREW = "CREW"  # the crew terminal (HTTP)
    MQTT = "MQTT"  # a vehicle terminal through the broker


class Availability(StrEnum):
    AVAILABLE = "AVAILABLE"  # on duty and free
    ENGAGED = "ENGAGED"  # holds a mission
    UNAVAILABLE = "UNAVAILABLE"  # out of service (maintenance, crew missing), set by hand


@dataclass(frozen=True, slots=True)
class StatusEntry:
    seq: int
    status: S
    at: datetime
    recorded_at: datetime
    source: Source
    actor: str


@dataclass(slots=True)
class Mission:
    samu_id: str
    mission_id: int
    resource_id: str
    file_number: str
    status: S
    status_at: datetime
    version: int = 1
    history: list[StatusEntry] = field(default_factory=list)

    @property
    def holds_resource(self) -> bool:
        return self.status not in RELEASING

    @property
    def finished(self) -> bool:
        return self.status in FINAL

    def time_of(self, status: S) -> datetime | None:
        """When the mission first reached `status`, if it did. A mission started at DECLENCHE was decided when it
        was triggered (one act): its DECISION time is its DECLENCHE time (the RS-RPIS engagement time)."""
        found = next((entry.at for entry in self.history if entry.status is status), None)
        if found is None and status is S.DECISION and self.history and self.history[0].status is S.DECLENCHE:
            return self.history[0].at
        return found


def next_statuses(current: S | str) -> list[S]:
    """The statuses the cycle allows after `current`: the usual next one first, then the exceptions in the
    order of the official list."""
    now_at = S(current)
    main = MAIN_NEXT.get(now_at)
    order = list(S)
    others = sorted(NEXT[now_at] - {main} if main else NEXT[now_at], key=order.index)
    return ([main] if main else []) + others


def check_transition(current: S | str, target: S | str) -> S:
    """The target status if the cycle allows it from `current`, else `TransitionRefused` saying why."""
    try:
        wanted = S(target)
    except ValueError:
        raise TransitionRefused(f"{target!r} is not a code of HubSante.statutVecteur") from None
    now_at = S(current)
    if wanted is now_at:
        raise TransitionRefused(f"the mission is already at {now_at}")
    if wanted not in NEXT[now_at]:
        allowed = ", ".join(sorted(NEXT[now_at])) or "nothing (the mission is over)"
        raise TransitionRefused(f"a mission at {now_at} cannot go to {wanted}; allowed: {allowed}")
    return wanted


def engage(
    *,
    samu_id: str,
    mission_id: int,
    resource_id: str,
    file_number: str,
    now: datetime,
    actor: str,
    source: Source = Source.CONSOLE,
    status: S = S.DECISION,
) -> Mission:
    """A new mission at DECISION (the regulator decided to send this unit), or at DECLENCHE (triggered at once)."""
    if status not in START:
        raise TransitionRefused(f"a mission starts at {' or '.join(sorted(START))}, not at {status}")
    mission = Mission(samu_id, mission_id, resource_id, file_number, status, now)
    mission.history.append(StatusEntry(1, status, now, now, source, actor))
    return mission


def advance(
    mission: Mission,
    target: S | str,
    *,
    now: datetime,
    actor: str,
    source: Source,
    at: datetime | None = None,
) -> StatusEntry:
    """Move the mission to `target` at `at` (the terminal's time, default `now`); refused if the cycle forbids
    it or if `at` is before the current status's time."""
    wanted = check_transition(mission.status, target)
    when = at or now
    if when < mission.status_at:
        raise TransitionRefused(
            f"{wanted} at {when.isoformat()} is before {mission.status} at {mission.status_at.isoformat()}"
        )
    entry = StatusEntry(len(mission.history) + 1, wanted, when, now, source, actor)
    mission.history.append(entry)
    mission.status = wanted
    mission.status_at = when
    mission.version += 1
    return entry
