"""The scheduled job: automatic life-cycle steps (CLOTURE 24 h after ACTIF, CLASSE 3 months after CLOTURE).

Safe with several instances: each batch takes its files with `FOR UPDATE SKIP LOCKED`, so two workers never pick
the same file, and the model refuses a step that is no longer due if a file was moved meanwhile.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sisamu.cases import lifecycle, queue, store
from sisamu.cases.service import audit_file, emit_file
from sisamu.platform.events import FileChanged
from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
BATCH = 200


def run_automatic_steps(
    new_uow: Callable[[], UnitOfWork], now: datetime, *, batch: int = BATCH
) -> Counter[str]:
    """Move every file whose automatic step is due at `now`; returns how many files reached each state."""
    moved: Counter[str] = Counter()
    with new_uow() as uow:
        samu_ids = store.samu_ids(uow.conn)
    for samu_id in samu_ids:
        while True:
            done = _one_batch(new_uow, samu_id, now, batch)
            moved.update(done)
            if sum(done.values()) < batch:
                break
    if moved:
        log.info("automatic file steps at %s: %s", now.isoformat(), dict(moved))
    return moved


def _one_batch(new_uow: Callable[[], UnitOfWork], samu_id: str, now: datetime, batch: int) -> Counter[str]:
    done: Counter[str] = Counter()
    with new_uow() as uow:
        numbers = queue.due_for_automatic_step(
            uow.conn,
            samu_id,
            close_before=now - lifecycle.CLOSE_AFTER,
            classify_before=lifecycle.add_months(now, -lifecycle.CLASSIFY_AFTER_MONTHS),
            limit=batch,
        )
        for number in numbers:
            file = store.load(uow.conn, samu_id, number, lock=True)
            if file is None:  # pragma: no cover - locked above, cannot vanish
                continue
            state = lifecycle.apply_due_step(file, now)
            if state is None:  # pragma: no cover - the query and the model agree on what is due
                continue
            store.save(uow.conn, file, now)
            audit_file(uow, None, file, "file.state", now, {"to": str(state), "automatic": True})
            emit_file(uow, file, "case.status", now)
            uow.record(
                FileChanged(
                    samu_id=samu_id,
                    number=number,
                    version=file.version,
                    action="file.state",
                    at=now,
                    actor=None,
                )
            )
            done[str(state)] += 1
    return done
