"""What a partner tells us about its resources on a shared file, kept on the link, and notes on the local file.

A partner's resources are not units of ours (they never enter the fleet nor the recommendation): each one is kept
in `hub_case_link.received["_partnerResources"]` under its Hub `resourceId` (the RS-RI `resource` object, its
`state` history merged with the RS-SR statuses, and its last GEO-POS `position`), and what a person in the room
must see becomes a note on the linked local file, written as the partner.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from sisamu.cases import queries as files
from sisamu.cases import regulation, service
from sisamu.cases.model import CLOSED_STATES, Actor
from sisamu.hubsante.tables import hub_case_link
from sisamu.interop.case_body import case_body
from sisamu.interop.case_receive import absorb
from sisamu.interop.common import CaseLink, link_from_row, links_of_file, timezone_of

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.cases.model import RegulationFile
    from sisamu.storage.uow import UnitOfWork

PARTNER_RESOURCES = "_partnerResources"
PARTNER_ROLE = "partner"


def partner_resources(link: CaseLink) -> dict[str, dict[str, Any]]:
    """The partner's resources on this link, by Hub `resourceId` (a copy)."""
    found = (link.received or {}).get(PARTNER_RESOURCES) or {}
    return {str(k): dict(v) for k, v in copy.deepcopy(found).items()}


def save_partner_resources(
    uow: UnitOfWork, link: CaseLink, resources: Mapping[str, Any], now: datetime
) -> None:
    received = copy.deepcopy(link.received or {})
    received[PARTNER_RESOURCES] = dict(resources)
    uow.execute(
        update(hub_case_link)
        .where(
            (hub_case_link.c.samu_id == link.samu_id)
            & (hub_case_link.c.case_id == link.case_id)
            & (hub_case_link.c.partner == link.partner)
        )
        .values(received=received, updated_at=now)
    )


def links_following(uow: UnitOfWork, samu_id: str, resource_id: str, *, sender: str) -> list[CaseLink]:
    """The links on which `sender` told us about `resource_id` (a GEO-POS carries no case id): a partner moves
    only the resources it announced itself (RS-RI, RS-SR, EMSI), never another partner's."""
    announced = hub_case_link.c.received[(PARTNER_RESOURCES, resource_id, "from")].astext == sender
    rows = uow.execute(
        select(hub_case_link)
        .where((hub_case_link.c.samu_id == samu_id) & announced)
        .order_by(hub_case_link.c.created_at)
        .with_for_update()
    )
    return [link_from_row(row) for row in rows]


def merge_states(
    known: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Statuses by (status, datetime), newest first; a repeated one is kept once (the later copy wins)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for state in [*known, *new]:
        merged[(str(state.get("status")), str(state.get("datetime")))] = dict(state)
    return sorted(merged.values(), key=lambda s: str(s.get("datetime")), reverse=True)


def add_notes(
    uow: UnitOfWork, link: CaseLink, sender: str, notes: Iterable[tuple[datetime, str]], now: datetime
) -> int:
    """Write `notes` (time, text) on the linked local file as the partner; none on a closed file. Returns how many.

    A partner's change of the file (`cases.service.partner_change`), audited `file.hub.notes`."""
    pending = sorted(notes, key=lambda n: n[0])
    state = files.file_state(uow.conn, link.samu_id, link.number)
    if not pending or state is None or state in CLOSED_STATES:
        return 0
    links = links_of_file(uow.conn, link.samu_id, link.number, lock=True)
    timezone = timezone_of(uow.conn, link.samu_id)
    actor = Actor(account_id=None, name=f"Partenaire ({sender})", role=PARTNER_ROLE)

    def apply(file: RegulationFile) -> int:
        if file.closed:  # pragma: no cover - closed between the look and the lock
            return 0
        before = {lk.partner: _body(file, lk, timezone) for lk in links}
        for at, text in pending:
            regulation.add_note(file, actor, at, text)
        # What the partners told us is not sent back in our next RS-EDA-MAJ: the notes count as already sent.
        for lk in links:
            after = _body(file, lk, timezone)
            last_sent = absorb(lk.last_sent or before[lk.partner], before[lk.partner], after)
            uow.execute(
                update(hub_case_link)
                .where(
                    (hub_case_link.c.samu_id == lk.samu_id)
                    & (hub_case_link.c.case_id == lk.case_id)
                    & (hub_case_link.c.partner == lk.partner)
                )
                .values(last_sent=last_sent)
            )
        return len(pending)

    _, added = service.partner_change(
        uow,
        samu_id=link.samu_id,
        number=link.number,
        partner=sender,
        now=now,
        apply=apply,
        action="file.hub.notes",
        detail={"from": sender, "notes": len(pending)},
    )
    return added


def _body(file: RegulationFile, link: CaseLink, timezone: str) -> dict[str, Any]:
    return case_body(
        file, case_id=link.case_id, owner=link.owner, patient_map=link.patient_map, timezone=timezone
    )
