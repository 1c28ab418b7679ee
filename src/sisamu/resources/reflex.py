# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The départ réflexe carried out: when the ARM sends a reflex departure on a P0 file, the nearest available unit
of the type sent leaves at once — engaged already triggered (DECLENCHE), in the same transaction.

When no unit can be engaged (no location yet, none available or on duty), the reflex decision stays recorded and
nothing is engaged: the consoles show the file without a mission and the physician is alerted as for any P0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sisamu.cases import service as cases
from sisamu.domain.codes import NiveauSoin
from sisamu.domain.errors import DomainError
from sisamu.domain.ports import TravelTimeEstimator
from sisamu.platform.events import ReflexDeparture
from sisamu.resources import store
from sisamu.resources.completion import same_kind
from sisamu.resources.dispatch import NoLocation, file_point
from sisamu.resources.model import snapshot
from sisamu.resources.recommend import Fleet, rank_resources
from sisamu.resources.service import engage, local_now
from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# The degrees of urgency whose units may answer a reflex departure of each type, most demanding first.
LEVELS = {
    "SMUR": (NiveauSoin.R1, NiveauSoin.R2),
    "SIS": (NiveauSoin.R2,),
    "TSU": (NiveauSoin.R3, NiveauSoin.R2),
}


def nearest_unit(
    uow: UnitOfWork,
    samu_id: str,
    number: str,
    resource_type: str,
    estimator: TravelTimeEstimator,
    now: datetime,
) -> str | None:
    """The available unit of `resource_type` nearest to file `number` (by travel time), or None."""
    file = cases.load_file(uow, samu_id, number, lock=False)
    try:
        point = file_point(number, file.qualification.location)
    except NoLocation:
        return None
    local = local_now(uow, samu_id, now)
    rows = [
        row for row in store.resources_of(uow.conn, samu_id) if same_kind(resource_type, row.resource_type)
    ]
    fleet = Fleet([snapshot(row, local) for row in rows])
    for level in LEVELS.get(resource_type.split(".", maxsplit=1)[0], (NiveauSoin.R2,)):
        ranked = rank_resources(point, level, fleet, estimator, top=1)
        if ranked:
            return ranked[0].resource.id
    return None


def engage_reflex(estimator: TravelTimeEstimator) -> Callable[[UnitOfWork, ReflexDeparture], None]:
    """Handler of `ReflexDeparture`: the nearest suitable unit engaged, triggered, by the ARM who sent it."""

    def handle(uow: UnitOfWork, event: ReflexDeparture) -> None:
        unit = nearest_unit(uow, event.samu_id, event.number, event.resource_type, estimator, event.at)
        if unit is None:
            log.info("reflex departure on %s: no %s to engage", event.number, event.resource_type)
            return
        try:
            with uow.savepoint():
                engage(
                    uow,
                    principal=event.actor,
                    number=event.number,
                    resource_id=unit,
                    now=event.at,
                    triggered=True,
                )
        except DomainError as exc:  # taken meanwhile, off duty…: the reflex stays, without a unit
            log.warning("reflex departure on %s: %s not engaged: %s", event.number, unit, exc)

    return handle
