"""What a crisis does when other features' events happen (subscribed in `bootstrap`): a file opened in a room in
crisis is attributed to the crisis and linked in its log; a mission engaged, or changing status, on a crisis file
is written in the log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.cases import service as cases
from sisamu.crisis import file_access, service, store
from sisamu.crisis.model import EntryIn, Verification
from sisamu.platform.events import FileOpened, MissionEngaged, MissionStatusChanged, Origin

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.storage.bus import MessageBus
    from sisamu.storage.uow import UnitOfWork


def file_opened(uow: UnitOfWork, event: FileOpened) -> None:
    if event.origin is not Origin.LOCAL:
        return  # a partner's file received over Hub Santé keeps the partner's attribution
    crisis = store.open_crisis_of(uow.conn, event.samu_id)
    if crisis is None:
        return
    store.add_file(
        uow.conn,
        crisis_id=crisis.crisis_id,
        samu_id=event.samu_id,
        number=event.number,
        attribution=str(crisis.attribution),
        at=event.at,
    )
    cases.attribute(
        uow,
        samu_id=event.samu_id,
        number=event.number,
        attribution=crisis.attribution,
        by=f"crisis:{crisis.crisis_id}",
        now=event.at,
    )
    for grantee in file_access.reinforcing_samus(uow, crisis.crisis_id, crisis.samus):
        file_access.open_file(uow, owner=event.samu_id, number=event.number, grantee=grantee, now=event.at)
    who = f" par {event.actor.display_name}" if event.actor is not None else ""
    entry = EntryIn(
        source="Dossier",
        information=f"Dossier {event.number} ouvert{who} (SAMU {event.samu_id}), "
        f"attribution {crisis.attribution}.",
        verification=Verification.CONFIRMED,
        link_kind="file",
        link_id=event.number,
    )
    service.append_entry(uow, principal=None, crisis_id=crisis.crisis_id, entry=entry, now=event.at)


def _mission(uow: UnitOfWork, file_number: str, text: str, mission_id: int, at: datetime) -> None:
    crisis_id = store.open_crisis_of_file(uow.conn, file_number)
    if crisis_id is None:
        return
    entry = EntryIn(
        source="Moyens",
        information=text,
        verification=Verification.CONFIRMED,
        link_kind="mission",
        link_id=f"{file_number}/{mission_id}",
    )
    service.append_entry(uow, principal=None, crisis_id=crisis_id, entry=entry, now=at)


def mission_engaged(uow: UnitOfWork, event: MissionEngaged) -> None:
    _mission(
        uow,
        event.file_number,
        f"Moyen {event.resource_id} engagé sur le dossier {event.file_number}.",
        event.mission_id,
        event.at,
    )


def mission_status_changed(uow: UnitOfWork, event: MissionStatusChanged) -> None:
    _mission(
        uow,
        event.file_number,
        f"Moyen {event.resource_id} : statut {event.status} (dossier {event.file_number}).",
        event.mission_id,
        event.at,
    )


def subscribe(bus: MessageBus) -> None:
    bus.subscribe(FileOpened, file_opened)
    bus.subscribe(MissionEngaged, mission_engaged)
    bus.subscribe(MissionStatusChanged, mission_status_changed)
