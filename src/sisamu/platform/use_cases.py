"""Running one use case the way every route does between its access check and its reply: in a unit of work of its
own, at the platform's clock. The use case itself checks, writes, audits and records its events; this only opens
and commits the transaction, so that a route reads as check (its dependency), run, reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sisamu.platform import Platform

T = TypeVar("T")


def run(platform: Platform, use_case: Callable[..., T], /, **arguments: Any) -> T:
    """`use_case(uow, now=<the platform's now>, **arguments)` in its own transaction, committed on return."""
    with platform.uow() as uow:
        return use_case(uow, now=platform.clock.now(), **arguments)
