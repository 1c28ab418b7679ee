"""Sharing a file with another SAMU: RS-EDA once, then RS-EDA-MAJ for what changed; taking charge of a shared file.

Each command reads the file through `sisamu.cases.service.get_file` (access checked, read audited), writes the
message to the outbox in the caller's transaction, keeps the link (`hub_case_link`) and audits the sending. After
each change of a shared file (`FileChanged`), `handlers.file_changed` calls `send_changes`: the change's own use case
checked who made it, so the file is read as the platform. An update carries what changed since the partner last
heard (`hub_case_link.last_sent`): a change sends one RS-EDA-MAJ to each partner, nothing when nothing it carries
changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from sisamu.cases import service
from sisamu.cases.access import check_file
from sisamu.cases.numbering import hub_patient_id
from sisamu.domain.errors import DomainError, FrenchRefusal
from sisamu.hubsante.envelope import DistributionKind, HubMessage
from sisamu.hubsante.identifiers import case_id as make_case_id
from sisamu.hubsante.tables import hub_case_link
from sisamu.interop.case_body import (
    announced,
    case_body,
    decision_comments,
    fit_update,
    update_body,
)
from sisamu.interop.common import (
    CaseLink,
    hub_id_of,
    links_of_file,
    record,
    send,
    timezone_of,
)
from sisamu.security.roles import Permission

if TYPE_CHECKING:
    from sisamu.cases.model import RegulationFile
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

RS_EDA = "RS-EDA"
RS_EDA_MAJ = "RS-EDA-MAJ"


class AlreadyShared(DomainError):
    """The file is already shared with that partner: updates go as RS-EDA-MAJ."""

    code = "DEJA_PARTAGE"
    summary_fr = None  # its message is French


def _writable(uow: UnitOfWork, principal: Principal, number: str, now: datetime) -> RegulationFile:
    check_file(uow.conn, principal, Permission.PATIENT_WRITE, service.file_owner(number), number, now)
    return service.get_file(uow, principal=principal, number=number, now=now)


def link_body(file: RegulationFile, link: CaseLink, timezone: str) -> dict[str, Any]:
    return case_body(
        file, case_id=link.case_id, owner=link.owner, patient_map=link.patient_map, timezone=timezone
    )


def share_file(uow: UnitOfWork, *, principal: Principal, number: str, to: str, now: datetime) -> HubMessage:
    """Share file `number` with the Hub client `to` (another SAMU): an RS-EDA `createCaseHealth`."""
    file = _writable(uow, principal, number, now)
    us = hub_id_of(uow.conn, file.samu_id)
    if to == us:
        raise FrenchRefusal("un dossier ne se partage pas avec son propre SAMU")
    links = links_of_file(uow.conn, file.samu_id, number, lock=True)
    if any(link.partner == to for link in links):
        raise AlreadyShared(f"le dossier {number} est déjà partagé avec {to}")
    # A file received from a partner keeps that partner's shared id and owner; our own files get ours.
    origin = next((link for link in links if link.role == "received"), None)
    if origin is not None:
        case_id, owner, patient_map = origin.case_id, origin.owner, origin.patient_map
    else:
        case_id, owner = make_case_id(us, number), us
        patient_map = {
            hub_patient_id(file.samu_id, number, p.patient_no): p.patient_no for p in file.patients
        }
    body = case_body(
        file,
        case_id=case_id,
        owner=owner,
        patient_map=patient_map if origin else None,
        timezone=timezone_of(uow.conn, file.samu_id),
    )
    message = send(uow, RS_EDA, {"createCaseHealth": announced(body)}, sender=us, recipient=to, now=now)
    uow.execute(
        insert(hub_case_link).values(
            samu_id=file.samu_id,
            case_id=case_id,
            partner=to,
            number=number,
            role="shared",
            owner=owner,
            last_sent=body,
            patient_map=patient_map,
            created_at=now,
            updated_at=now,
        )
    )
    record(uow, principal, file.samu_id, "file.hub.share", number, now, {"to": to, "case_id": case_id})
    return message


def _save_sent(uow: UnitOfWork, link: CaseLink, body: dict[str, Any], now: datetime, **values: Any) -> None:
    uow.execute(
        update(hub_case_link)
        .where(
            (hub_case_link.c.samu_id == link.samu_id)
            & (hub_case_link.c.case_id == link.case_id)
            & (hub_case_link.c.partner == link.partner)
        )
        .values(last_sent=body, updated_at=now, **values)
    )


def send_updates(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> list[HubMessage]:
    """Send each partner of file `number` an RS-EDA-MAJ with what changed since it last heard (none if nothing)."""
    file = _writable(uow, principal, number, now)
    links = links_of_file(uow.conn, file.samu_id, number, lock=True)
    return _updates(uow, principal, file, links, now)


def send_changes(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    number: str,
    now: datetime,
    but: str | None = None,
) -> list[HubMessage]:
    """RS-EDA-MAJ after a change of file `number` the platform has already checked (`FileChanged`): to each partner
    but `but` (the partner whose change it is), with what changed since it last heard. The file is read as the
    platform (no access check: the change's own use case made it); each sending is audited."""
    links = [lk for lk in links_of_file(uow.conn, samu_id, number, lock=True) if lk.partner != but]
    if not links:
        return []
    file = service.load_file(uow, samu_id, number, lock=False)
    return _updates(uow, principal, file, links, now, forwarded=but)


def _updates(
    uow: UnitOfWork,
    principal: Principal | None,
    file: RegulationFile,
    links: list[CaseLink],
    now: datetime,
    *,
    forwarded: str | None = None,
) -> list[HubMessage]:
    us = hub_id_of(uow.conn, file.samu_id)
    sent = []
    timezone = timezone_of(uow.conn, file.samu_id)
    for link in links:
        body = link_body(file, link, timezone)
        changes = update_body(link.last_sent, body)
        if changes is None:
            continue
        changes, others = fit_update(changes)
        text = "\n".join([*decision_comments(file, changes.get("decision", []), timezone), *others])
        if text:
            changes["freetext"] = text
        sent.append(
            send(
                uow,
                RS_EDA_MAJ,
                {"createCaseHealthUpdate": changes},
                sender=us,
                recipient=link.partner,
                now=now,
                kind=DistributionKind.UPDATE,
            )
        )
        _save_sent(uow, link, body, now)
        detail = {"to": link.partner, "case_id": link.case_id, "fields": sorted(set(changes) - {"caseId"})}
        if forwarded is not None:
            detail["from"] = forwarded  # a partner's change, passed on to the others
        record(uow, principal, file.samu_id, "file.hub.update", file.number, now, detail)
    return sent


def our_hub_id(uow: UnitOfWork, number: str) -> str:
    """The Hub client id of the SAMU that holds file `number` (the number names it)."""
    return hub_id_of(uow.conn, service.file_owner(number))


def take_charge(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> list[HubMessage]:
    """This SAMU takes charge of a file a partner shared (a bordering call): RS-EDA-MAJ `owner` = us."""
    return change_owner(uow, principal=principal, number=number, owner=our_hub_id(uow, number), now=now)


def change_owner(
    uow: UnitOfWork, *, principal: Principal, number: str, owner: str, now: datetime
) -> list[HubMessage]:
    """The organisation in charge of a shared file changes (call transferred): RS-EDA-MAJ `owner` to each partner.

    `owner` is us (we take charge of a file a partner shared) or a partner (we hand our file over to it).
    """
    file = _writable(uow, principal, number, now)
    us = hub_id_of(uow.conn, file.samu_id)
    links = links_of_file(uow.conn, file.samu_id, number, lock=True)
    if owner != us and all(link.partner != owner for link in links):
        raise FrenchRefusal(f"le dossier {number} n'est pas partagé avec {owner}")
    if not links:
        raise FrenchRefusal(f"le dossier {number} n'est partagé avec aucun partenaire")
    sent = []
    for link in links:
        if link.owner == owner:
            continue
        sent.append(
            send(
                uow,
                RS_EDA_MAJ,
                {"createCaseHealthUpdate": {"caseId": link.case_id, "owner": owner}},
                sender=us,
                recipient=link.partner,
                now=now,
                kind=DistributionKind.UPDATE,
            )
        )
        _save_sent(uow, link, {**(link.last_sent or {}), "owner": owner}, now, owner=owner)
    record(uow, principal, file.samu_id, "file.hub.owner", number, now, {"owner": owner})
    return sent
