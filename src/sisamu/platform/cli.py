"""How a feature's CLI command gets the platform: from the root `sisamu` command, which builds it through
`bootstrap` (the command's Typer context carries the builder), so that a feature never imports the composition
root."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from psycopg.errors import UndefinedTable
from sqlalchemy.exc import ProgrammingError

from sisamu.console_output import refusal

if TYPE_CHECKING:
    from sisamu.platform import Platform

PlatformBuilder = Callable[..., "Platform"]


@contextmanager
def platform_of(ctx: typer.Context, **overrides: Any) -> Iterator[Platform]:
    """The platform for this command (closed when the block ends); `overrides` go to `build_platform`."""
    build = ctx.find_root().obj
    if not callable(build):
        raise TypeError("this command runs under the root `sisamu` command, which builds the platform")
    platform: Platform = build(**overrides)
    try:
        yield platform
    except ProgrammingError as exc:
        if not isinstance(exc.orig, UndefinedTable):
            raise
        raise refusal(
            "la base de données n'est pas à jour (table absente) : lancez `sisamu db upgrade` (puis "
            "`sisamu seed pilots` pour une base neuve), ou `sisamu demo`.",
            1,
        ) from exc
    finally:
        platform.close()


async def until_stopped() -> None:
    """Wait for SIGINT or SIGTERM, so that a long-running command leaves cleanly (connections, topology)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
