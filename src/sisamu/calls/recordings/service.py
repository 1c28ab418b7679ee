"""Use cases of the calls' recordings. A recording is patient data (the caller's voice, what they say): every
listening is audited on the call's owner SAMU, and only the regulators and supervisors of a SAMU the call is visible
from (its owner, or the partner an overflow granted it to) may listen (`recording.listen`). ARMs do not: a recording
is listened to for a medical review, a complaint or a judicial request, which the regulator or the supervisor
leads; an ARM asks them.

The voice node, as the platform (`principal` None), attaches each recording to its call and deletes those older
than the retention (`purge`, the files through the callback it hands in)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sisamu.calls.distribution import store as calls_store
from sisamu.calls.distribution.access import visible_call
from sisamu.calls.recordings import store
from sisamu.security import audit
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.config import Settings
    from sisamu.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Recording:
    samu_id: str
    call_id: str
    path: str  # relative to the recordings folder
    started_at: datetime
    duration_s: float
    size_bytes: int


def folder_of(settings: Settings) -> Path:
    """The recordings folder: `voice_recordings_dir`, else `data_dir/recordings`."""
    return settings.voice_recordings_dir or settings.data_dir / "recordings"


def relative_path(samu_id: str, call_id: str) -> str:
    return f"{samu_id}/{call_id}.wav"


def attach(
    uow: UnitOfWork,
    *,
    samu_id: str,
    call_id: str,
    path: str,
    started_at: datetime,
    duration_s: float,
    size_bytes: int,
    now: datetime,
) -> Recording:
    """The voice node's recording of one of `samu_id`'s calls (NotFound for a call that does not exist)."""
    if calls_store.get_call(uow.conn, samu_id, call_id) is None:
        raise NotFound(f"recording of unknown call {samu_id}/{call_id}")
    recording = Recording(samu_id, call_id, path, started_at, duration_s, size_bytes)
    store.put(
        uow.conn,
        samu_id=samu_id,
        call_id=call_id,
        path=path,
        started_at=started_at,
        duration_s=duration_s,
        size_bytes=size_bytes,
        recorded_at=now,
    )
    audit.record(
        uow.conn,
        principal=None,
        samu_id=samu_id,
        action="call.recording.store",
        object_type="call",
        object_id=call_id,
        at=now,
        detail={"duration_s": round(duration_s, 1), "size_bytes": size_bytes},
        actor="voice",
    )
    return recording


def listen(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, folder: Path, now: datetime
) -> Path:
    """The WAV file of a call's recording, for `principal` to listen to; the listening is audited (who, which call).
    404 for a call not visible from `samu_id`, or without a recording (none, purged, file gone)."""
    record = visible_call(uow.conn, principal, samu_id, call_id, Permission.RECORDING_LISTEN)
    owner = record.call.samu_id
    row = store.get(uow.conn, owner, call_id)
    root = folder.resolve()
    path: Path | None = (root / str(row.path)).resolve() if row is not None else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        raise Refused(
            "ENREGISTREMENT_ABSENT",
            "Cet appel n'a pas d'enregistrement (non décroché, ou supprimé après la durée de conservation).",
            status=404,
            log=f"no recording of call {owner}/{call_id}",
        )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=owner,
        action="call.recording.listen",
        object_type="call",
        object_id=call_id,
        at=now,
        detail={"from_samu_id": samu_id, "duration_s": round(float(row.duration_s), 1)},  # type: ignore[union-attr]
    )
    return path


def purge(
    uow: UnitOfWork, *, before: datetime, delete_file: Callable[[str], bool], now: datetime, limit: int = 1000
) -> int:
    """Delete the recordings begun before `before`: the file (`delete_file(path)`, False if it could not be and
    then the row stays for the next purge) and its row; audited per SAMU with the number. Returns how many."""
    per_samu: Counter[str] = Counter()
    for row in store.started_before(uow.conn, before, limit):
        if delete_file(row.path):
            store.remove(uow.conn, row.samu_id, row.call_id)
            per_samu[row.samu_id] += 1
    for samu_id, count in sorted(per_samu.items()):
        audit.record(
            uow.conn,
            principal=None,
            samu_id=samu_id,
            action="call.recording.purge",
            object_type="call_recording",
            object_id=samu_id,
            at=now,
            detail={"recordings": count, "before": before.isoformat()},
            actor="voice",
        )
    return sum(per_samu.values())
