"""What the fault suite's fixtures and tests share: the SAMUs under load and the `sisamu` command."""

from __future__ import annotations

import os
import subprocess

from processes import sisamu_command

SAMUS = ("250", "680")
ARMS = 6


def sisamu(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        [*sisamu_command(), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"sisamu {' '.join(args)} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout
