"""Lost-call threshold and the callback list's rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sisamu.calls.callbacks.model import (
    CallbackOutcome,
    CallbackState,
    close_called_back,
    is_lost,
    merge_abandoned,
    new_callback,
    record_outcome,
    start_callback,
)
from sisamu.domain.errors import TransitionRefused

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _entry():
    return new_callback("250", 1, "0611111111", "c1", 20.0, T0)


def test_threshold_is_inclusive():
    assert not is_lost(14.9, 15)
    assert is_lost(15, 15)
    assert is_lost(0, 0)


def test_merge_keeps_order_longest_wait_and_is_idempotent():
    merged = merge_abandoned(_entry(), "c2", 45.0, T0 + timedelta(minutes=3))
    assert merged.call_ids == ("c1", "c2")
    assert merged.longest_wait_s == 45
    assert merged.last_abandoned_at == T0 + timedelta(minutes=3)
    assert merge_abandoned(merged, "c2", 45.0, T0 + timedelta(minutes=3)) == merged


def test_retry_outcomes_go_back_to_pending_until_the_last_attempt():
    entry = _entry()
    for attempt in (1, 2):
        entry = start_callback(entry, "P1", T0)
        entry = record_outcome(entry, CallbackOutcome.BUSY, T0, max_attempts=3)
        assert (entry.state, entry.attempts, entry.seat_id) == (CallbackState.PENDING, attempt, None)
    entry = record_outcome(start_callback(entry, "P1", T0), CallbackOutcome.NO_ANSWER, T0, max_attempts=3)
    assert (entry.state, entry.outcome, entry.done_at) == (CallbackState.DONE, CallbackOutcome.GAVE_UP, T0)


def test_final_outcomes_close_at_once():
    for outcome in (CallbackOutcome.REACHED, CallbackOutcome.WRONG_NUMBER):
        done = record_outcome(start_callback(_entry(), "P1", T0), outcome, T0)
        assert (done.state, done.outcome) == (CallbackState.DONE, outcome)


def test_refusals():
    entry = _entry()
    with pytest.raises(TransitionRefused):
        record_outcome(entry, CallbackOutcome.REACHED, T0)  # not started
    started = start_callback(entry, "P1", T0)
    with pytest.raises(TransitionRefused):
        start_callback(started, "P2", T0)  # one ARM at a time
    with pytest.raises(TransitionRefused):
        record_outcome(started, CallbackOutcome.CALLED_BACK, T0)  # platform-only outcome
    closed = close_called_back(started, T0)
    assert closed.outcome is CallbackOutcome.CALLED_BACK
    with pytest.raises(TransitionRefused):
        merge_abandoned(closed, "c9", 1.0, T0)
    with pytest.raises(TransitionRefused):
        close_called_back(closed, T0)
    with pytest.raises(TransitionRefused):
        new_callback("250", 2, "", "c1", 20.0, T0)
    assert CallbackOutcome.REACHED.label == "Appelant joint"
