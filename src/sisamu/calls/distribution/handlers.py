"""What the distribution does when a seat or the overflow rules change (subscribed in `bootstrap.build_bus`): a
pass at once, in the same transaction, so that a waiting call rings at the seat its ARM just made available
(logged in, back from a pause, ready before the end of after-call work) or goes where the new rules send it.

Seats and overflow record their events and know nothing of the distribution, which sits above them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.distribution.passes import distribution_pass
from sisamu.calls.seats.model import AgentAfterCallWorkEnded

if TYPE_CHECKING:
    from sisamu.calls.overflow.model import OverflowRulesChanged
    from sisamu.calls.seats.model import AgentLoggedIn, AgentResumed
    from sisamu.storage.uow import UnitOfWork


def seat_available(uow: UnitOfWork, event: AgentLoggedIn | AgentResumed | AgentAfterCallWorkEnded) -> None:
    """A pass for the seat's SAMU (and its partners) when its ARM made it available."""
    if isinstance(event, AgentAfterCallWorkEnded) and not event.early:
        return  # the timers ended it: their own pass follows
    distribution_pass(uow, event.at, [event.samu_id])


def overflow_rules_changed(uow: UnitOfWork, event: OverflowRulesChanged) -> None:
    """A pass for the SAMU whose agreement changed, or for every SAMU when national pooling did."""
    distribution_pass(uow, event.at, None if event.samu_id is None else [event.samu_id])
