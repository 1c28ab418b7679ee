"""Mutual aid between SAMUs: a resource request (RS-DR) and its answer (RS-RR).

A request we send is kept `sent` and `PENDING` until the RS-RR of the SAMU we asked arrives (nobody else answers it);
a request we receive is kept `received` and `PENDING`, listed for the supervisor and the physicians, until one of
them answers it (RS-RR back), attached to our file only when the requester shares that case with us.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from sisamu.domain.errors import DomainError, FrenchRefusal
from sisamu.hubsante.datetimes import format_hub_datetime
from sisamu.hubsante.identifiers import case_id as make_case_id
from sisamu.hubsante.inbox import RejectMessageError
from sisamu.hubsante.replies import ErrorCode
from sisamu.hubsante.tables import hub_resource_request
from sisamu.interop.case_share import _writable
from sisamu.interop.common import (
    OBJECT_REQUEST,
    hub_id_of,
    link_of_case,
    links_of_file,
    record,
    samu_of_client,
    send,
)
from sisamu.security.access import authorize
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, allows

if TYPE_CHECKING:
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

CONVENTIONS = frozenset(
    {"DRSIS", "MISSION", "ITSP", "CARENCE", "CONVENT", "SPE", "HORS", "AUTRE1", "AUTRE2", "AUTRE3"}
)
PURPOSES = frozenset(
    {"SAP", "REGUL", "CUMP", "SMUR", "MG", "PARAMED", "SAMU", "RELEVE", "NOVI", "TIH", "BRANCARD", "BARIA"}
)
DEADLINES = frozenset({"DEL0", "ASAP", "30M", "45M", "1H", "2H", "4H", "8H", "12H", "24H", "RDV"})
ANSWERS = frozenset({"ACCEPTEE", "PARTIELLE", "REFUSEE", "DIFFEREE"})


class InvalidRequest(DomainError):
    """A value of the request or answer is outside the Hub's code lists."""

    code = "DEMANDE_INVALIDE"
    summary_fr = None  # its messages are French


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    samu_id: str
    request_id: str
    direction: str
    case_id: str
    partner: str
    number: str | None
    request: dict[str, Any]
    status: str
    response: dict[str, Any] | None
    answered_by: str | None
    created_at: datetime
    answered_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "direction": self.direction,
            "case_id": self.case_id,
            "partner": self.partner,
            "number": self.number,
            "request": self.request,
            "status": self.status,
            "response": self.response,
            "answered_by": self.answered_by,
            "created_at": self.created_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
        }


def _check(value: str | None, allowed: frozenset[str], what: str) -> None:
    if value is not None and value not in allowed:
        raise InvalidRequest(f"{value!r} n'est pas une valeur de {what} ({', '.join(sorted(allowed))})")


def request_resources(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    to: str,
    purpose: str,
    now: datetime,
    convention: str | None = None,
    deadline: str | None = None,
    freetext: str | None = None,
) -> HubMessage:
    """Ask the SAMU `to` for help on file `number` (RS-DR), e.g. its HeliSMUR (`purpose` SMUR)."""
    _check(purpose, PURPOSES, "purpose")
    _check(convention, CONVENTIONS, "convention")
    _check(deadline, DEADLINES, "deadline")
    file = _writable(uow, principal, number, now)
    us = hub_id_of(uow.conn, file.samu_id)
    links = links_of_file(uow.conn, file.samu_id, number)
    shared = next((link.case_id for link in links if link.partner == to), None)
    case_id = shared or (links[0].case_id if links else make_case_id(us, number))
    request_id = f"{us}.request.{uuid.uuid4().hex[:12]}"
    request = {
        k: v
        for k, v in {
            "requestId": request_id,
            "datetime": format_hub_datetime(now),
            "convention": convention,
            "purpose": purpose,
            "deadline": deadline,
            "freetext": freetext,
        }.items()
        if v is not None
    }
    message = send(
        uow,
        "RS-DR",
        {"resourcesRequest": {"request": request, "caseId": case_id}},
        sender=us,
        recipient=to,
        now=now,
    )
    uow.execute(
        insert(hub_resource_request).values(
            samu_id=file.samu_id,
            request_id=request_id,
            direction="sent",
            case_id=case_id,
            partner=to,
            number=number,
            request=request,
            created_at=now,
        )
    )
    record(
        uow, principal, file.samu_id, "file.hub.request", number, now, {"to": to, "request_id": request_id}
    )
    return message


def receive_request(uow: UnitOfWork, message: HubMessage, now: datetime) -> None:
    """RS-DR: a pending request for the supervisor (701 when the same request id arrives again)."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    request = dict(body["request"])
    exists = uow.execute(
        select(hub_resource_request.c.request_id).where(
            (hub_resource_request.c.samu_id == samu_id)
            & (hub_resource_request.c.request_id == request["requestId"])
        )
    ).first()
    if exists is not None:
        raise RejectMessageError(
            ErrorCode.CASE_ALREADY_EXISTS, f"request {request['requestId']} already received"
        )
    # the request is about the sender's file only when the sender shares that case with us
    link = link_of_case(uow.conn, samu_id, str(body["caseId"]), partner=message.sender_id)
    uow.execute(
        insert(hub_resource_request).values(
            samu_id=samu_id,
            request_id=request["requestId"],
            direction="received",
            case_id=body["caseId"],
            partner=message.sender_id,
            number=link.number if link else None,
            request=request,
            created_at=now,
        )
    )
    record(
        uow,
        None,
        samu_id,
        "hub.request.receive",
        request["requestId"],
        now,
        {"from": message.sender_id, "purpose": request.get("purpose")},
        object_type=OBJECT_REQUEST,
    )


def _row(row: Any) -> ResourceRequest:
    return ResourceRequest(**{name: getattr(row, name) for name in ResourceRequest.__slots__})


def list_requests(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    direction: str = "received",
    status: str | None = None,
) -> list[ResourceRequest]:
    """Mutual-aid requests of SAMU `samu_id` (received by default; `status` PENDING for those to answer)."""
    authorize(principal, Permission.ROOM_READ, samu_id)
    query = (
        select(hub_resource_request)
        .where((hub_resource_request.c.samu_id == samu_id) & (hub_resource_request.c.direction == direction))
        .order_by(hub_resource_request.c.created_at.desc(), hub_resource_request.c.request_id)
    )
    if status is not None:
        query = query.where(hub_resource_request.c.status == status)
    return [_row(row) for row in uow.execute(query)]


def answer_request(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    request_id: str,
    answer: str,
    now: datetime,
    deadline: str | None = None,
    freetext: str | None = None,
) -> HubMessage:
    """Answer a received request (RS-RR): supervisor or physician of the SAMU asked."""
    if not allows(principal, Permission.REGULATE, samu_id):
        authorize(principal, Permission.ROOM_WRITE, samu_id)
    _check(answer, ANSWERS, "answer")
    _check(deadline, DEADLINES, "deadline")
    row = uow.execute(
        select(hub_resource_request)
        .where(
            (hub_resource_request.c.samu_id == samu_id)
            & (hub_resource_request.c.request_id == request_id)
            & (hub_resource_request.c.direction == "received")
        )
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no request {request_id}")
    if row.status != "PENDING":
        raise FrenchRefusal(f"la demande {request_id} a déjà reçu une réponse ({row.status})")
    response = {
        k: v
        for k, v in {
            "datetime": format_hub_datetime(now),
            "answer": answer,
            "deadline": deadline,
            "freetext": freetext,
        }.items()
        if v is not None
    }
    us = hub_id_of(uow.conn, samu_id)
    body = {"resourcesResponse": {"caseId": row.case_id, "requestId": request_id, "response": response}}
    message = send(uow, "RS-RR", body, sender=us, recipient=row.partner, now=now)
    uow.execute(
        update(hub_resource_request)
        .where(
            (hub_resource_request.c.samu_id == samu_id) & (hub_resource_request.c.request_id == request_id)
        )
        .values(status=answer, response=response, answered_by=principal.display_name, answered_at=now)
    )
    record(
        uow,
        principal,
        samu_id,
        "hub.request.answer",
        request_id,
        now,
        {"to": row.partner, "answer": answer},
        object_type=OBJECT_REQUEST,
    )
    return message


def receive_response(uow: UnitOfWork, message: HubMessage, now: datetime) -> None:
    """RS-RR: the answer to a request we sent, from the SAMU we asked (702 when we never asked the sender: the same
    answer as for a request never sent)."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    request_id = str(body["requestId"])
    response = dict(body["response"])
    done = uow.execute(
        update(hub_resource_request)
        .where(
            (hub_resource_request.c.samu_id == samu_id)
            & (hub_resource_request.c.request_id == request_id)
            & (hub_resource_request.c.direction == "sent")
            & (hub_resource_request.c.partner == message.sender_id)
        )
        .values(status=response["answer"], response=response, answered_by=message.sender_id, answered_at=now)
    )
    if done.rowcount != 1:
        raise RejectMessageError(ErrorCode.WRONG_MESSAGE_SEQUENCE, f"no request {request_id} was sent")
    record(
        uow,
        None,
        samu_id,
        "hub.request.answered",
        request_id,
        now,
        {"from": message.sender_id, "answer": response["answer"]},
        object_type=OBJECT_REQUEST,
    )
