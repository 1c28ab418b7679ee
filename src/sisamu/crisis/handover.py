"""The handover summary (relève) of a crisis log for the next shift: what is still unverified, what is due, the
decisions of the shift and what the platform linked. Pure: built from the log's entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sisamu.crisis.model import Verification

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from sisamu.crisis.model import LogEntry


@dataclass(frozen=True, slots=True)
class Handover:
    since: datetime
    entries: int  # written since `since`
    files: int  # files linked since
    missions: int  # mission entries linked since
    unverified: list[LogEntry] = field(default_factory=list)  # informations still unverified, oldest first
    due: list[LogEntry] = field(
        default_factory=list
    )  # entries with a due time from `since` on, soonest first
    decisions: list[LogEntry] = field(default_factory=list)  # decisions written since, oldest first


def current_status(entries: Iterable[LogEntry]) -> dict[int, Verification]:
    """Each information's status now: its newest verification entry's, else its own."""
    status: dict[int, tuple[int, Verification]] = {}
    for e in entries:
        root = e.entry.refers_to or e.seq
        if root not in status or status[root][0] < e.seq:
            status[root] = (e.seq, e.entry.verification)
    return {root: v for root, (_, v) in status.items()}


def handover(entries: list[LogEntry], *, since: datetime) -> Handover:
    recent = [e for e in entries if e.at >= since]
    status = current_status(entries)
    firsts = [e for e in entries if e.entry.refers_to is None and e.entry.link_kind is None]
    return Handover(
        since=since,
        entries=len(recent),
        files=sum(1 for e in recent if e.entry.link_kind == "file"),
        missions=sum(1 for e in recent if e.entry.link_kind == "mission"),
        unverified=sorted(
            (e for e in firsts if status.get(e.seq) is Verification.UNVERIFIED), key=lambda e: e.seq
        ),
        due=sorted(
            (e for e in entries if e.entry.due_at is not None and e.entry.due_at >= since),
            key=lambda e: (e.entry.due_at, e.seq),
        ),
        decisions=sorted((e for e in recent if e.entry.decision), key=lambda e: e.seq),
    )
