"""Lost calls and the callback list: pure rules, time passed in.

A hang-up before the answer is *lost* when the caller waited at least the lost-call threshold
(`Settings.lost_call_threshold_s`, 15 s in many SAMUs); shorter hang-ups are kept with their wait but not counted
lost and not put on the callback list. Each lost call with a number goes to the SAMU's callback list; while an
entry for that number is open (pending or in progress), further lost calls from the same number merge into it.

pending → in_progress (an ARM starts the callback: one attempt) → done (reached, wrong number) or back to
pending (no answer, busy, voicemail) until `max_attempts`, then done. An answered call from the same number
closes the open entry (`called_back`: the caller got through by themselves).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sisamu.domain.errors import TransitionRefused

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "RETRY_OUTCOMES",
    "Callback",
    "CallbackOutcome",
    "CallbackState",
    "close_called_back",
    "is_lost",
    "merge_abandoned",
    "new_callback",
    "record_outcome",
    "start_callback",
]

DEFAULT_MAX_ATTEMPTS = 3


class CallbackState(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class CallbackOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    CALLED_BACK = "called_back"  # set by the platform: the caller called again and was answered
    GAVE_UP = "gave_up"  # set by the platform: `max_attempts` reached without reaching the caller

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CallbackOutcome.REACHED: "Appelant joint",
    CallbackOutcome.NO_ANSWER: "Pas de réponse",
    CallbackOutcome.BUSY: "Occupé",
    CallbackOutcome.VOICEMAIL: "Messagerie (message laissé)",
    CallbackOutcome.WRONG_NUMBER: "Faux numéro",
    CallbackOutcome.CALLED_BACK: "L'appelant a rappelé",
    CallbackOutcome.GAVE_UP: "Abandon après plusieurs tentatives",
}
RETRY_OUTCOMES = frozenset({CallbackOutcome.NO_ANSWER, CallbackOutcome.BUSY, CallbackOutcome.VOICEMAIL})
ARM_OUTCOMES = frozenset(CallbackOutcome) - {CallbackOutcome.CALLED_BACK, CallbackOutcome.GAVE_UP}


@dataclass(frozen=True, slots=True)
class Callback:
    samu_id: str
    callback_id: int
    caller_number: str
    call_ids: tuple[str, ...]  # abandoned calls merged here, in order
    first_abandoned_at: datetime
    last_abandoned_at: datetime
    longest_wait_s: float
    state: CallbackState = CallbackState.PENDING
    attempts: int = 0
    outcome: CallbackOutcome | None = None
    seat_id: str | None = None
    started_at: datetime | None = None
    done_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state is not CallbackState.DONE


def is_lost(waited_s: float, threshold_s: float) -> bool:
    """A hang-up counts as a lost call when the caller waited at least the threshold."""
    return waited_s >= threshold_s


def new_callback(
    samu_id: str, callback_id: int, caller_number: str, call_id: str, waited_s: float, at: datetime
) -> Callback:
    if not caller_number:
        raise TransitionRefused(f"call {call_id}: no number to call back")
    return Callback(samu_id, callback_id, caller_number, (call_id,), at, at, waited_s)


def merge_abandoned(callback: Callback, call_id: str, waited_s: float, at: datetime) -> Callback:
    """Another lost call from the same number joins the open entry (idempotent for a call already merged)."""
    if not callback.is_open:
        raise TransitionRefused(f"callback {callback.callback_id}: cannot merge into a closed callback")
    if call_id in callback.call_ids:
        return callback
    return replace(
        callback,
        call_ids=(*callback.call_ids, call_id),
        first_abandoned_at=min(callback.first_abandoned_at, at),
        last_abandoned_at=max(callback.last_abandoned_at, at),
        longest_wait_s=max(callback.longest_wait_s, waited_s),
    )


def start_callback(callback: Callback, seat_id: str, now: datetime) -> Callback:
    """An ARM dials the number: one more attempt."""
    if callback.state is not CallbackState.PENDING:
        raise TransitionRefused(
            f"callback {callback.callback_id}: cannot start a callback that is {callback.state.value}"
        )
    return replace(
        callback,
        state=CallbackState.IN_PROGRESS,
        attempts=callback.attempts + 1,
        seat_id=seat_id,
        started_at=now,
    )


def record_outcome(
    callback: Callback, outcome: CallbackOutcome, now: datetime, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Callback:
    """The attempt's result: done, or back to pending for another attempt (done with `gave_up` at the max)."""
    if callback.state is not CallbackState.IN_PROGRESS:
        raise TransitionRefused(
            f"callback {callback.callback_id}: cannot record an outcome on a callback that is "
            f"{callback.state.value}"
        )
    if outcome not in ARM_OUTCOMES:
        raise TransitionRefused(f"callback {callback.callback_id}: {outcome.value} is not an attempt outcome")
    if outcome in RETRY_OUTCOMES and callback.attempts < max_attempts:
        return replace(callback, state=CallbackState.PENDING, outcome=outcome, seat_id=None)
    final = CallbackOutcome.GAVE_UP if outcome in RETRY_OUTCOMES else outcome
    return replace(callback, state=CallbackState.DONE, outcome=final, done_at=now)


def close_called_back(callback: Callback, now: datetime) -> Callback:
    """The caller called again and was answered: nothing left to call back."""
    if not callback.is_open:
        raise TransitionRefused(f"callback {callback.callback_id}: already closed")
    return replace(callback, state=CallbackState.DONE, outcome=CallbackOutcome.CALLED_BACK, done_at=now)
