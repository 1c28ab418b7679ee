"""Concurrent SIP calls through the voice node (`sisamu voice`, PJSIP and the call distribution on PostgreSQL).

One load process (this one: one pjsua2 endpoint, PJSIP allows one a process) holds both sides: callers that dial the
SAMU's line and, for each ARM seat, a phone that answers at once. `sisamu voice` runs as a subprocess on a fresh
database (on SISAMU_DATABASE_URL's server, else an embedded PostgreSQL) with one SAMU, one line and as many seats
logged in (no after-call work) as calls in flight. A call: the caller's INVITE; the node answers 180, offers the
call to the distribution (a transaction and a distribution pass), answers 200 (the announcement), rings the phone
of the seat the distribution chose, bridges the two legs when it answers and records the conversation; the caller
talks `--talk-s` (a tone both ways) and hangs up; the node hangs the phone up and ends the call. `--concurrent`
callers keep dialling until `--calls` calls are done.

Setup time = the caller's INVITE → its 200 OK (the call offered, persisted, placed, and answered by the node). The
floor is the same load endpoint and the same number of calls, as many in flight, each caller calling one of the
load's own phones directly — two bare pjsua2 user agents without sisamu, a 200 OK as soon as the INVITE arrives;
the ratio of the p99s is the figure to watch (absolute figures move with whatever else the machine runs).

The `pjsua2-python` 2.15.1 wheel carries 4 call legs a process (PJSUA's compile-time ceiling; docs/performance.md):
one call in flight by default, since the load endpoint holds a caller and a phone per call, and so does the node.

Usage (from the repo root): python benchmarks/voice.py [--calls 100] [--concurrent 1] [--talk-s 1.0] [--runs 1]
                                                     [--keep]
Last line: `calls=… concurrent=… failed=… answered=… setup_p50_ms=… setup_p99_ms=… floor_setup_p50_ms=…
floor_setup_p99_ms=… ratio_p99=… calls_per_s=…` (medians over the runs).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj
from floors.databases import fresh_database
from sqlalchemy import text

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.calls.seats import service as seats
from sisamu.config import Settings
from sisamu.storage.database import Database
from sisamu.storage.tables import samu
from sisamu.voice.media import write_wav

SAMU = "250"
LINE = "0381151515"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- the load: callers and phones on one pjsua2 endpoint ----------------------------------------------------------


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, load: Load, account: Any, call_id: int = -1, *, caller: bool) -> None:
        super().__init__(account, call_id)
        self.load, self.caller = load, caller
        self.started = time.monotonic()
        self.confirmed_at: float | None = None
        self.done = False

    def onCallState(self, _prm: Any) -> None:  # noqa: N802 - pjsua2's name
        state = self.getInfo().state
        if state == pj.PJSIP_INV_STATE_CONFIRMED and self.confirmed_at is None:
            self.confirmed_at = time.monotonic()
            if self.caller:
                self.load.setups.append((self.confirmed_at - self.started) * 1000)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.done = True

    def onCallMediaState(self, _prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.load.tone.startTransmit(self.getAudioMedia(media.index))


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, load: Load) -> None:
        super().__init__()
        self.load = load

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802 - a phone answers at once
        call = _Call(self.load, self, prm.callId, caller=False)
        self.load.phones.append(call)
        ok = pj.CallOpParam()
        ok.statusCode = 200
        call.answer(ok)


class Load:
    def __init__(self, port: int, rtp_port: int, max_calls: int, folder: Path) -> None:
        self.port = port
        self.endpoint = pj.Endpoint()
        self.endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.maxCalls = max_calls
        config.medConfig.maxMediaPorts = max(254, max_calls + 16)
        config.medConfig.noVad = True
        config.logConfig.level = config.logConfig.consoleLevel = 1
        self.endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port, transport.boundAddress = port, "127.0.0.1"
        self.endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.endpoint.libStart()
        self.endpoint.audDevManager().setNullDev()
        self.account = _Account(self)
        account_config = pj.AccountConfig()
        account_config.idUri = f"sip:load@127.0.0.1:{port}"
        account_config.mediaConfig.transportConfig.port = rtp_port
        account_config.mediaConfig.transportConfig.portRange = 4 * max_calls
        account_config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account.create(account_config, True)
        tone = write_wav(folder / "load-tone.wav", [(1000, 1000)], amplitude=0.3)
        self.tone = pj.AudioMediaPlayer()
        self.tone.createPlayer(str(tone), 0)
        self.setups: list[float] = []
        self.phones: list[_Call] = []
        self.refused = 0

    def run(
        self, target: Callable[[int], str], calls: int, concurrent: int, talk_s: float
    ) -> tuple[int, float]:
        """`calls` calls, `concurrent` at a time, each to `target(n)`; returns (failed, seconds)."""
        self.setups = []
        active: list[_Call] = []
        placed = failed = 0
        self.refused = 0
        began = time.monotonic()
        deadline = began + 120 + calls * (talk_s + 2) / concurrent * 4
        while (placed < calls or active) and time.monotonic() < deadline:
            while placed < calls and len(active) < concurrent and self._dial(target(placed), active):
                placed += 1  # a dial PJSIP refuses (its call slots still held by legs ending) is tried again
            self.endpoint.libHandleEvents(5)
            failed += self._step(active, talk_s)
        failed += len(active)
        for call in active:
            with contextlib.suppress(pj.Error):
                call.hangup(pj.CallOpParam())
        self.settle(1.0)
        return failed, time.monotonic() - began

    def _dial(self, uri: str, active: list[_Call]) -> bool:
        call = _Call(self, self.account, caller=True)
        try:
            call.makeCall(uri, pj.CallOpParam(True))
        except pj.Error:
            self.refused += 1
            return False
        active.append(call)
        return True

    def _step(self, active: list[_Call], talk_s: float) -> int:
        """Hang up the callers that talked long enough, forget the calls over; returns the failed ones."""
        failed = 0
        now = time.monotonic()
        for call in list(active):
            if call.done:
                failed += call.confirmed_at is None
                active.remove(call)
            elif call.confirmed_at is not None and now - call.confirmed_at >= talk_s:
                call.confirmed_at = float("inf")  # hung up once
                try:
                    call.hangup(pj.CallOpParam())
                except pj.Error:
                    call.done = True
        self.phones = [p for p in self.phones if not p.done]
        return failed

    def settle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.endpoint.libHandleEvents(10)
        self.phones = [p for p in self.phones if not p.done]

    def close(self) -> None:
        self.phones = []
        self.tone = None
        self.account.shutdown()
        self.endpoint.libDestroy()


# ---- the platform: a database with seats logged in, `sisamu voice` --------------------------------------------


def prepare(url: str, seat_count: int) -> None:
    migrate.upgrade(url)
    platform = build_platform(Settings(database_url=url, secret_key="voice"), database=Database(url=url))
    try:
        now = platform.clock.now()
        with platform.uow() as uow:
            uow.execute(
                samu.insert().values(
                    samu_id=SAMU, hub_id=f"fr.health.samu{SAMU}", departement="25", name="SAMU 25",
                    city_insee="25056", timezone="Europe/Paris",
                )
            )  # fmt: skip
        with platform.uow() as uow:
            for n in range(seat_count):
                seats.log_in(uow, principal=None, samu_id=SAMU, seat_id=f"P{n}", now=now, after_call_work_s=0)
    finally:
        platform.close()


def answered(url: str) -> int:
    platform = build_platform(Settings(database_url=url, secret_key="voice"), database=Database(url=url))
    try:
        with platform.engine.connect() as conn:
            query = "SELECT count(*) FROM phone_call WHERE answered_at IS NOT NULL"
            return int(conn.execute(text(query)).scalar_one())
    finally:
        platform.close()


def start_node(
    url: str, data_dir: Path, sip_port: int, load_port: int, seat_count: int
) -> subprocess.Popen[bytes]:
    phones = ",".join(f"{SAMU}/P{n}=sip:p{n}@127.0.0.1:{load_port}" for n in range(seat_count))
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": url,
        "SISAMU_DATA_DIR": str(data_dir),
        "SISAMU_SECRET_KEY": "voice-benchmark",
        "SISAMU_VOICE_LINES": f"{LINE}={SAMU}:15",
        "SISAMU_VOICE_PHONES": phones,
        "SISAMU_VOICE_RTP_PORT": str(20000 + 2 * random.randrange(0, 10000)),
        "SISAMU_VOICE_MAX_LEGS": str(max(16, 3 * seat_count)),
    }
    command = [sys.executable, "-m", "sisamu.cli", "voice", "--host", "127.0.0.1", "--port", str(sip_port)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "voice.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "voice endpoint listening" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("sisamu voice did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=1)
    parser.add_argument("--talk-s", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the node's log and recordings")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sisamu-voice-bench-"))
    folder.chmod(0o755)
    load_port = free_udp_port()
    load = Load(load_port, 40000 + 2 * random.randrange(0, 5000), 4 * args.concurrent + 8, folder)
    figures: dict[str, list[float]] = {}
    try:
        for run in range(args.runs):
            with fresh_database("sisamu_voice") as url:
                prepare(url, args.concurrent)
                sip_port = free_udp_port()
                node = start_node(url, folder / f"run{run}", sip_port, load_port, args.concurrent)
                try:
                    failed, seconds = load.run(
                        lambda _n, port=sip_port: f"sip:{LINE}@127.0.0.1:{port}",
                        args.calls,
                        args.concurrent,
                        args.talk_s,
                    )
                    setups = load.setups or [float("nan")]
                    load.settle(2.0)
                    done = answered(url)
                finally:
                    node.send_signal(2)
                    node.wait(30)
            load.settle(1.0)
            floor_failed, _ = load.run(
                lambda n: f"sip:p{n}@127.0.0.1:{load_port}", args.calls, args.concurrent, args.talk_s
            )
            floor = load.setups or [float("nan")]
            recordings = len(list((folder / f"run{run}" / "recordings").rglob("*.wav")))
            for key, value in {
                "failed": failed + floor_failed,
                "answered": done,
                "recordings": recordings,
                "setup_p50_ms": percentile(setups, 0.5),
                "setup_p99_ms": percentile(setups, 0.99),
                "floor_setup_p50_ms": percentile(floor, 0.5),
                "floor_setup_p99_ms": percentile(floor, 0.99),
                "calls_per_s": args.calls / seconds,
            }.items():
                figures.setdefault(key, []).append(float(value))
            print(
                f"run {run + 1}: {len(setups)} calls set up, {failed} failed, {done} answered, "
                f"{recordings} recorded, setup p50 {percentile(setups, 0.5):.1f} ms p99 "
                f"{percentile(setups, 0.99):.1f} ms; floor p50 {percentile(floor, 0.5):.1f} ms p99 "
                f"{percentile(floor, 0.99):.1f} ms ({floor_failed} failed); {args.calls / seconds:.1f} calls/s",
                flush=True,
            )
    finally:
        load.close()
        if args.keep:
            print(f"kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    median = {key: statistics.median(values) for key, values in figures.items()}
    print(
        f"calls={args.calls} concurrent={args.concurrent} failed={median['failed']:.0f} "
        f"answered={median['answered']:.0f} recordings={median['recordings']:.0f} "
        f"setup_p50_ms={median['setup_p50_ms']:.2f} setup_p99_ms={median['setup_p99_ms']:.2f} "
        f"floor_setup_p50_ms={median['floor_setup_p50_ms']:.2f} floor_setup_p99_ms={median['floor_setup_p99_ms']:.2f} "
        f"ratio_p99={median['setup_p99_ms'] / median['floor_setup_p99_ms']:.2f} "
        f"calls_per_s={median['calls_per_s']:.2f}"
    )


if __name__ == "__main__":
    main()
