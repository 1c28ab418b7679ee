"""The ledger of a `sisamu load run --ledger` against the database afterwards: every operation the platform
acknowledged must be there once; and what the clients saw of the outage."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

# Acknowledged: the status the platform answers when it has recorded the operation.
ACKNOWLEDGED = {"offer": 201, "answer": 200, "file_open": 201, "file_qualify": 200, "handover": 200, "end": 200,
                "hangup": 200}  # fmt: skip


@dataclass
class Ledger:
    run_id: str
    epoch: float
    entries: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> Ledger:
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return cls(lines[0]["run_id"], lines[0]["epoch"], lines[1:])

    def acknowledged(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if ACKNOWLEDGED.get(e["op"]) == e["status"]]

    def numbers(self) -> dict[str, str]:
        """call id → number of the file it opened (acknowledged)."""
        return {e["key"]: e["number"] for e in self.entries if e["op"] == "file_number"}

    def outage_s(self, fault_epoch: float) -> float:
        """The longest time without any successful answer, from the fault to the end of the run."""
        assert fault_epoch >= self.epoch, "the fault came before the load started"
        fault = fault_epoch - self.epoch
        done = sorted(
            e["t1"] for e in self.entries if isinstance(e["status"], int) and 200 <= e["status"] < 300
        )
        after = [t for t in done if t >= fault]
        before = [t for t in done if t < fault]
        points = [before[-1] if before else fault, *after]
        return max((b - a for a, b in itertools.pairwise(points)), default=0.0)

    def errors_after(self, fault_epoch: float) -> dict[str, int]:
        fault = fault_epoch - self.epoch
        seen: dict[str, int] = {}
        for e in self.entries:
            status = e["status"]
            if (
                e["t1"] >= fault
                and e["op"] != "file_number"
                and not (isinstance(status, int) and status < 400)
            ):
                name = f"{e['op']} {status}"
                seen[name] = seen.get(name, 0) + 1
        return seen


@dataclass
class Check:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


def check(ledger: Ledger, database_url: str) -> Check:
    """Each acknowledged operation found in the database (else lost); no call with two files (duplicated)."""
    result = Check()
    numbers = ledger.numbers()
    prefix = f"load-{ledger.run_id}-%"
    with psycopg.connect(database_url) as conn:
        calls = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT call_id, answered_at, ended_at, abandoned_at FROM phone_call WHERE call_id LIKE %s",
                (prefix,),
            )
        }
        files = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT number, call_id, motif, step FROM case_file WHERE call_id LIKE %s", (prefix,)
            )
        }
        per_call = conn.execute(
            "SELECT call_id, count(*) FROM case_file WHERE call_id LIKE %s GROUP BY call_id HAVING count(*) > 1",
            (prefix,),
        ).fetchall()
    result.duplicated = [f"{call_id}: {n} dossiers" for call_id, n in per_call]
    for entry in ledger.acknowledged():
        result.acknowledged += 1
        if not _present(entry, calls, files, numbers):
            result.lost.append(f"{entry['op']} {entry['key']} at {entry['t1']:.2f} s")
    return result


def _present(
    entry: dict[str, Any],
    calls: dict[str, tuple[Any, ...]],
    files: dict[str, tuple[Any, ...]],
    numbers: dict[str, str],
) -> bool:
    op, key = entry["op"], entry["key"]
    if op in {"offer", "answer", "end", "hangup"}:
        call = calls.get(key)
        if call is None:
            return False
        answered_at, ended_at, abandoned_at = call
        return {"offer": True, "answer": answered_at is not None, "end": ended_at is not None,
                "hangup": abandoned_at is not None}[op]  # fmt: skip
    if op == "file_open":
        number = numbers.get(key)
        return number is not None and number in files and files[number][0] == key
    found = files.get(key)  # file_qualify, handover: by number
    if found is None:
        return False
    _call_id, motif, step = found
    return motif == "M01.01" if op == "file_qualify" else step != "QUALIFYING"


def table(rows: Iterable[tuple[str, str, int, int, int, str]]) -> str:
    lines = [
        "| fault | outage seen by clients | acknowledged operations | lost | duplicated | errors seen after the fault |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} | {e} | {f} |" for a, b, c, d, e, f in rows]
    return "\n".join(lines)
