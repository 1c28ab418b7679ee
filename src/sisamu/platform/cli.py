"""How a feature's CLI command gets the platform: from the root `sisamu` command, which builds it through
`bootstrap` (the command's Typer context carries the builder), so that a feature never imports the composition
root."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sisamu.platform import Platform

PlatformBuilder = Callable[..., "Platform"]


@contextmanager
def platform_of(ctx: typer.Context, **overrides: Any) -> Iterator[Platform]:
    """The platform for this command (closed when the block ends); `overrides` go to `build_platform`."""
    build = ctx.find_root().obj
    if not callable(build):
        raise RuntimeError("this command runs under the root `sisamu` command, which builds the platform")
    platform: Platform = build(**overrides)
    try:
        yield platform
    finally:
        platform.close()
