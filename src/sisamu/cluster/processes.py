"""The cluster's processes: started detached (their own session, output to a log), remembered by a pid file, stopped
by SIGTERM then SIGKILL — by their pid, never by name."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sisamu.cluster.layout import Layout


def run_as_postgres() -> bool:
    """PostgreSQL refuses to run as root: as root, Patroni (and the servers it starts) run as `postgres`."""
    return os.geteuid() == 0


def start(
    layout: Layout,
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
) -> int:
    """Start `argv` as `name` unless it already runs; its pid."""
    running = pid_of(layout, name)
    if running is not None:
        return running
    environment = {**os.environ, **(env or {})}
    if environment.get(
        "PYTHONPATH"
    ):  # the processes run in the cluster's folder: keep relative entries valid
        environment["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) for entry in environment["PYTHONPATH"].split(os.pathsep)
        )
    layout.log_dir.mkdir(parents=True, exist_ok=True)
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    with (layout.log_dir / f"{name}.log").open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - the cluster's own programs
            list(argv),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=user,
            cwd=layout.root,
        )
    (layout.run_dir / f"{name}.pid").write_text(str(proc.pid))
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own child, killed but not reaped) is dead.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return False


def pid_of(layout: Layout, name: str) -> int | None:
    """The pid of `name` if it runs (a stale pid file is removed)."""
    path = layout.run_dir / f"{name}.pid"
    try:
        pid = int(path.read_text())
    except (OSError, ValueError):
        return None
    if alive(pid):
        return pid
    path.unlink(missing_ok=True)
    return None


def stop_pid(pid: int, *, timeout: float = 20.0) -> None:
    """SIGTERM `pid` (and its process group when it leads one), SIGKILL after `timeout`."""
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        _signal(pid, signal.SIGKILL)
        wait_until(lambda: not alive(pid), 10, f"process {pid} to die")


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def stop(layout: Layout, name: str, *, timeout: float = 20.0) -> bool:
    """Stop `name` if it runs; whether it ran."""
    pid = pid_of(layout, name)
    if pid is None:
        return False
    stop_pid(pid, timeout=timeout)
    (layout.run_dir / f"{name}.pid").unlink(missing_ok=True)
    return True


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the PostgreSQL server running on `data_dir` (its postmaster.pid), if it runs."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def wait_until(check: Callable[[], bool], timeout: float, what: str, *, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001, S110 - not there yet: try again until the deadline
            pass
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
