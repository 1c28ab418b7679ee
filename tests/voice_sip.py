"""SIP user agents and audio analysis for the voice tests: `tests/voice_agent.py` processes driven over their
stdin/stdout, an ARM's HTTP session, waiting for a condition, and which tone a WAV holds (FFT)."""

from __future__ import annotations

import json
import queue
import random
import socket
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from sisamu.tenants.service import DEMO_PASSWORD

AGENT_SCRIPT = Path(__file__).resolve().parent / "voice_agent.py"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rtp_base() -> int:
    """A random even base for RTP ports, so that tests (and other work on the machine) rarely collide."""
    return 20000 + 2 * random.randrange(0, 15000)


class UserAgent:
    """A `voice_agent.py` process: its JSON lines in a queue, commands on its stdin."""

    def __init__(self, mode: str, port: int, record: Path, tone: float, *extra: str) -> None:
        self.record = record
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(AGENT_SCRIPT),
                mode,
                "--port",
                str(port),
                "--tone",
                str(tone),
                "--record",
                str(record),
                "--rtp-port",
                str(rtp_base()),
                *extra,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def wait_for(self, what: Callable[[dict[str, Any]], bool], timeout_s: float = 15) -> dict[str, Any]:
        for seen in self.seen:
            if what(seen):
                return seen
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(item)
            if what(item):
                return item
        raise AssertionError(f"user agent: not within {timeout_s} s; saw {self.seen}")

    def state(self, name: str, timeout_s: float = 15) -> dict[str, Any]:
        return self.wait_for(lambda item: item.get("state") == name, timeout_s)

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


@contextmanager
def user_agent(mode: str, port: int, record: Path, tone: float, *extra: str) -> Iterator[UserAgent]:
    agent = UserAgent(mode, port, record, tone, *extra)
    try:
        agent.wait_for(lambda item: "ready" in item)
        yield agent
    finally:
        agent.close()


@contextmanager
def arm_session(base_url: str, username: str = "arm.250") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10, follow_redirects=False) as client:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, response.text
        token = response.cookies["sisamu_session"]
        client.cookies.clear()
        client.headers["cookie"] = f"sisamu_session={token}"
        client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
        yield client


def until(condition: Callable[[], Any], what: str, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not within {timeout_s} s: {what}"
        time.sleep(0.05)
    return found


def samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64)
    return data, rate


def tone_windows(
    path: Path, frequency: float, *, start_s: float = 0.0, end_s: float | None = None
) -> tuple[int, int]:
    """Of the 100 ms windows between start_s and end_s that are not silent, how many have `frequency` (± 25 Hz) as
    their strongest component, and how many there are."""
    data, rate = samples(path)
    window = rate // 10
    first = int(start_s * rate)
    last = len(data) if end_s is None else min(len(data), int(end_s * rate))
    hits = voiced = 0
    for begin in range(first, last - window + 1, window):
        spectrum = np.abs(np.fft.rfft(data[begin : begin + window] * np.hanning(window)))
        if spectrum.max() < 1e4:  # silence (a full-scale sine peaks near 1e6 here)
            continue
        voiced += 1
        hits += abs(np.argmax(spectrum) * rate / window - frequency) <= 25
    return hits, voiced


def wav_duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def tone_present(path: Path, frequency: float) -> tuple[int, int]:
    """Of the 100 ms windows that are not silent, how many hold `frequency` (± 25 Hz) at a quarter of their strongest
    component or more — a voice heard in a mix, whether or not it leads — and how many there are."""
    data, rate = samples(path)
    window = rate // 10
    present = voiced = 0
    for begin in range(0, len(data) - window + 1, window):
        spectrum = np.abs(np.fft.rfft(data[begin : begin + window] * np.hanning(window)))
        if spectrum.max() < 1e4:
            continue
        voiced += 1
        freqs = np.fft.rfftfreq(window, 1 / rate)
        present += spectrum[np.abs(freqs - frequency) <= 25].max() >= 0.25 * spectrum.max()
    return present, voiced
