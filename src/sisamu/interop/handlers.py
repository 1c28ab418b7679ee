"""What the Hub flows do when the SAMU's state changes: partners hear of a file shared with them — each change of
the file (RS-EDA-MAJ), an engagement (RS-RI), each status (RS-SR), each move (GEO-POS); the crew's reports leave for
the LRM.

Subscribed in the same transaction as the change (`bootstrap.build_bus`): the message leaves through the Hub
outbox if and only if the change commits. Nothing is sent for a file shared with no one (one cheap query first). A
message the Hub's schemas would refuse is not sent, and the change stands (a unit, a note must never be held back
by a message): the failure is logged, inside a savepoint so that nothing half-written remains.

A partner's change of a file (`FileChanged` with origin HUB) is never sent back to that partner. It goes on at once
to the file's other partners when this SAMU is in charge of the file (it owns the shared case on a link): the SAMU
in charge shared the file with each of them and may be the only one they all know. A SAMU not in charge passes
nothing on (when the partners also share among themselves, one SAMU relays, once: no echo between them); its other
partners hear of that change with its own next change, which carries all they have not heard yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sisamu.hubsante.outbox import InvalidOutgoingMessageError
from sisamu.interop import case_share, positions, resources_share, smur_reports, smur_role
from sisamu.interop.common import hub_id_of, is_shared, links_of_file
from sisamu.platform.events import (
    FileChanged,
    MissionEngaged,
    MissionStatusChanged,
    Origin,
    SmurReport,
    SmurReportRecorded,
    SmurReportSent,
    UnitMoved,
)
from sisamu.resources import service as resources
from sisamu.smur import queries as smur

if TYPE_CHECKING:
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.bus import MessageBus
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _shared(uow: UnitOfWork, samu_id: str, number: str) -> bool:
    """Whether the file is shared with a partner (one query: most files are not)."""
    return is_shared(uow.conn, samu_id, number)


def _in_charge(uow: UnitOfWork, samu_id: str, number: str) -> bool:
    """Whether this SAMU is in charge of the shared file (the owner of the case on one of its links)."""
    us = hub_id_of(uow.conn, samu_id)
    return any(link.owner == us for link in links_of_file(uow.conn, samu_id, number))


def file_changed(uow: UnitOfWork, event: FileChanged) -> None:
    """RS-EDA-MAJ with what changed to the partners of the file: all of them for our own change; for a partner's,
    the others, and only when we are in charge of the file. The SMUR software (a file an LRM sent to our SMUR
    client) sends none: its crew's reports go as RS-BPV, RS-RPIS, RS-URL."""
    if not _shared(uow, event.samu_id, event.number):
        return
    if smur.intervention(uow.conn, event.samu_id, event.number) is not None:
        return
    if event.origin is Origin.HUB and not _in_charge(uow, event.samu_id, event.number):
        return
    try:
        with uow.savepoint():
            case_share.send_changes(
                uow,
                principal=event.actor,
                samu_id=event.samu_id,
                number=event.number,
                now=event.at,
                but=event.partner,
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("file %s changed (%s), RS-EDA-MAJ not sent: %s", event.number, event.action, exc)


def mission_engaged(uow: UnitOfWork, event: MissionEngaged) -> None:
    """RS-RI about this mission's unit to every partner of its file."""
    if not _shared(uow, event.samu_id, event.file_number):
        return
    try:
        with uow.savepoint():
            if smur_role.mission_engaged(uow, event):  # our SMUR software answers its LRM
                return
            resources_share.share_resources(
                uow,
                principal=event.actor,
                samu_id=event.samu_id,
                number=event.file_number,
                now=event.at,
                mission_ids=[event.mission_id],
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("mission %s engaged, RS-RI not sent: %s", event.mission_id, exc)


def mission_status(uow: UnitOfWork, event: MissionStatusChanged) -> None:
    """RS-SR with this mission's new status to every partner of its file."""
    if not _shared(uow, event.samu_id, event.file_number):
        return
    try:
        with uow.savepoint():
            if smur_role.mission_status(uow, event):  # from our SMUR client
                return
            resources_share.share_status(
                uow, principal=event.actor, samu_id=event.samu_id, mission_id=event.mission_id, now=event.at
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("mission %s at %s, RS-SR not sent: %s", event.mission_id, event.status, exc)


def unit_moved(uow: UnitOfWork, event: UnitMoved) -> None:
    """GEO-POS of a unit that moved while on a mission, to the partners of the mission's file."""
    if event.mission_id is None:
        return
    mission = resources.load_mission(uow, event.samu_id, event.mission_id, lock=False)
    if not _shared(uow, event.samu_id, mission.file_number):
        return
    try:
        with uow.savepoint():
            positions.share_position(
                uow,
                samu_id=event.samu_id,
                resource_id=event.resource_id,
                now=event.at,
                speed_kmh=event.speed_kmh,
                heading=event.heading,
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("unit %s moved, GEO-POS not sent: %s", event.resource_id, exc)


RpisRecipient = Callable[[str], str | None]
"""The configured RPIS recipient of a SAMU (`Settings.rpis_recipient_for`), None when it has none."""


def _senders(
    rpis_recipient: RpisRecipient,
) -> dict[SmurReport, Callable[[UnitOfWork, Any], HubMessage | None]]:
    return {
        SmurReport.BILAN: lambda uow, e: smur_reports.send_bilan(
            uow, samu_id=e.samu_id, bilan_id=e.report_id, now=e.at
        ),
        SmurReport.RPIS: lambda uow, e: smur_reports.send_rpis(
            uow, samu_id=e.samu_id, rpis_id=e.report_id, now=e.at, recipient=rpis_recipient(e.samu_id)
        ),
        SmurReport.DOCUMENTS: lambda uow, e: smur_reports.send_documents(
            uow, samu_id=e.samu_id, link_id=e.report_id, now=e.at
        ),
    }


def smur_report_recorded(rpis_recipient: RpisRecipient) -> Callable[[UnitOfWork, SmurReportRecorded], None]:
    """The crew's report leaves for the LRM (RS-BPV, RS-URL) or the RPIS recipient (RS-RPIS: the configured one,
    else the LRM), in the same transaction, and `SmurReportSent` names its message. An RPIS that cannot be built
    yet (`RpisIncomplete`: a time, the diagnosis, the commune missing) refuses the recording, so that the crew
    completes it; a message the Hub's schemas refuse is not sent and the report stays recorded on the file (no
    `SmurReportSent`)."""
    senders = _senders(rpis_recipient)

    def handle(uow: UnitOfWork, event: SmurReportRecorded) -> None:
        try:
            with uow.savepoint():
                message = senders[event.report](uow, event)
        except InvalidOutgoingMessageError as exc:
            log.warning("%s %s recorded, not sent: %s", event.report, event.report_id, exc)
            return
        if message is not None:
            uow.record(
                SmurReportSent(
                    samu_id=event.samu_id,
                    report=event.report,
                    report_id=event.report_id,
                    distribution_id=message.distribution_id,
                )
            )

    return handle


def _no_rpis_recipient(_samu_id: str) -> str | None:
    return None


def subscribe(bus: MessageBus, *, rpis_recipient: RpisRecipient = _no_rpis_recipient) -> None:
    """The Hub flows' handlers of the platform's events; `rpis_recipient` names each SAMU's configured RPIS
    recipient (`SISAMU_HUB_RPIS_RECIPIENT`)."""
    bus.subscribe(FileChanged, file_changed)
    bus.subscribe(MissionEngaged, mission_engaged)
    bus.subscribe(MissionStatusChanged, mission_status)
    bus.subscribe(UnitMoved, unit_moved)
    bus.subscribe(SmurReportRecorded, smur_report_recorded(rpis_recipient))
