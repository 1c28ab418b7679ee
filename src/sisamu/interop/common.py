"""What every flow needs: our Hub id, the case links (read within the sender's own: `link_of_case`), sending through
the outbox, auditing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select

from sisamu.hubsante import outbox
from sisamu.hubsante.envelope import DistributionKind, HubMessage, new_message
from sisamu.hubsante.identifiers import samu_org_id
from sisamu.hubsante.inbox import RejectMessageError
from sisamu.hubsante.replies import ErrorCode
from sisamu.hubsante.tables import hub_case_link
from sisamu.security import audit
from sisamu.smur import queries as smur
from sisamu.storage.tables import samu

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

OBJECT_FILE = "regulation_file"
OBJECT_REQUEST = "hub_resource_request"


def hub_id_of(conn: Connection, samu_id: str) -> str:
    """Our Hub client id (the `samu.hub_id` column; `fr.health.samu<crra>` when it is not set)."""
    found = conn.execute(select(samu.c.hub_id).where(samu.c.samu_id == samu_id)).scalar_one_or_none()
    return str(found) if found else samu_org_id(samu_id)


def timezone_of(conn: Connection, samu_id: str) -> str:
    """The SAMU's time zone: datetimes in messages are written in its local time."""
    found = conn.execute(select(samu.c.timezone).where(samu.c.samu_id == samu_id)).scalar_one_or_none()
    return str(found) if found else "Europe/Paris"


class UnknownSenderError(LookupError):
    """No SAMU of the platform has this Hub client id."""


def samu_of_client(conn: Connection, client_id: str) -> str:
    """The `samu_id` whose Hub id is `client_id` (`fr.health.samu250` → `250`), or whose SMUR software it is
    (`smur_client`: `fr.health.samu440.smur` → `440`)."""
    found = conn.execute(select(samu.c.samu_id).where(samu.c.hub_id == client_id)).scalar_one_or_none()
    if found is None:
        found = smur.samu_of_client(conn, client_id)
    if found is None:
        raise UnknownSenderError(f"no SAMU with Hub id {client_id!r}")
    return str(found)


def send(
    uow: UnitOfWork,
    message_type: str,
    body: dict[str, Any],
    *,
    sender: str,
    recipient: str,
    now: datetime,
    kind: DistributionKind = DistributionKind.REPORT,
) -> HubMessage:
    """Wrap `body` ({"<rootKey>": {...}}) in an envelope and write it to the outbox in `uow`'s transaction."""
    (inner,) = body.values()
    message = new_message(
        message_type, inner, sender_id=sender, recipient_id=recipient, sent_at=now, kind=kind
    )
    outbox.enqueue(uow, message, samu_id=samu_of_client(uow.conn, sender))
    return message


def record(
    uow: UnitOfWork,
    principal: Principal | None,
    samu_id: str,
    action: str,
    object_id: str,
    now: datetime,
    detail: dict[str, Any],
    object_type: str = OBJECT_FILE,
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        at=now,
        detail=detail,
    )


@dataclass(frozen=True, slots=True)
class CaseLink:
    """One row of `hub_case_link`: our file `number` known to `partner` as `case_id`."""

    samu_id: str
    case_id: str
    partner: str
    number: str
    role: str
    owner: str
    last_sent: dict[str, Any] | None
    received: dict[str, Any] | None
    patient_map: dict[str, int]


def _link(row: Any) -> CaseLink:
    return CaseLink(
        samu_id=row.samu_id,
        case_id=row.case_id,
        partner=row.partner,
        number=row.number,
        role=row.role,
        owner=row.owner,
        last_sent=row.last_sent,
        received=row.received,
        patient_map={str(k): int(v) for k, v in (row.patient_map or {}).items()},
    )


link_from_row = _link


def is_shared(conn: Connection, samu_id: str, number: str) -> bool:
    """Whether file `number` is shared with a partner: one cheap query, most files are shared with no one."""
    linked = (hub_case_link.c.samu_id == samu_id) & (hub_case_link.c.number == number)
    return bool(conn.execute(select(exists().where(linked))).scalar())


def links_of_file(conn: Connection, samu_id: str, number: str, *, lock: bool = False) -> list[CaseLink]:
    query = (
        select(hub_case_link)
        .where((hub_case_link.c.samu_id == samu_id) & (hub_case_link.c.number == number))
        .order_by(hub_case_link.c.created_at, hub_case_link.c.partner)
    )
    if lock:
        query = query.with_for_update()
    return [_link(row) for row in conn.execute(query)]


def link_of_case(
    conn: Connection, samu_id: str, case_id: str, *, partner: str, lock: bool = False
) -> CaseLink | None:
    """The link on which `partner` shares the case `case_id` with us: what `partner` says about that case applies
    there and nowhere else. None when the case was never shared between us and `partner`, even when another
    partner shares a case with that id: case ids are sequential and guessable, so a case id names a file only
    within the links of the partner whose message it is (docs/security.md, "Partners over Hub Santé")."""
    query = select(hub_case_link).where(
        (hub_case_link.c.samu_id == samu_id)
        & (hub_case_link.c.case_id == case_id)
        & (hub_case_link.c.partner == partner)
    )
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _link(row) if row is not None else None


def unknown_case(case_id: str, why: str = "") -> RejectMessageError:
    """RS-ERROR 702 about a case the sender never shared with us: the same answer whether or not a case with that
    id is shared with someone else (nothing tells a stranger which case ids we hold)."""
    return RejectMessageError(
        ErrorCode.WRONG_MESSAGE_SEQUENCE, f"unknown case {case_id}" + (f": {why}" if why else "")
    )
