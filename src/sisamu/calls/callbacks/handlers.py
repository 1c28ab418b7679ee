"""What the callback list does when a call ends before or after the answer (subscribed in `bootstrap.build_bus`,
in the transaction of the hang-up or the answer): a lost call with a number joins the list, an answered call from
a number closes its open entry.

The call's events carry what the list needs (number, wait): this package reads no call row and imports nothing of
the distribution at run time, which stays free to read the list (`sisamu.calls.wallboard`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sisamu.calls.callbacks import service
from sisamu.calls.callbacks.model import is_lost

if TYPE_CHECKING:
    from sisamu.calls.distribution.model import CallAbandoned, CallAnswered
    from sisamu.storage.uow import UnitOfWork


def lost_calls(threshold_s: float) -> Callable[[UnitOfWork, CallAbandoned], None]:
    """The handler of `CallAbandoned` for a lost-call threshold (`Settings.lost_call_threshold_s`)."""

    def call_abandoned(uow: UnitOfWork, event: CallAbandoned) -> None:
        """A hang-up before the answer after at least the threshold, from a number: a callback to make."""
        if event.caller_number and is_lost(event.waited_s, threshold_s):
            service.add_lost_call(
                uow,
                samu_id=event.samu_id,
                call_id=event.call_id,
                caller_number=event.caller_number,
                waited_s=event.waited_s,
                now=event.at,
            )

    return call_abandoned


def call_answered(uow: UnitOfWork, event: CallAnswered) -> None:
    """The caller got through: their open callback entry, if any, is done (`called_back`)."""
    if event.caller_number:
        service.close_for_number(uow, event.samu_id, event.caller_number, event.at)
