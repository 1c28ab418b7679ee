"""HTTP routes of the Hub Santé flows: share a file with another SAMU, take charge of a shared file or hand it over,
ask a SMUR software to engage, mutual-aid requests received and answered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from sisamu.cases.api_deps import FileWriter
from sisamu.interop import case_share, engagement, mutual_aid
from sisamu.platform.http import PlatformDep, require
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.hubsante.envelope import HubMessage

router = APIRouter(tags=["hub santé"])
HUB_ID = r"^[a-z]+(\.[a-zA-Z0-9_-]+){2,}$"


class ShareIn(BaseModel):
    to: str = Field(pattern=HUB_ID, description="Hub client id of the other SAMU, e.g. fr.health.samu680")


class HandOverIn(BaseModel):
    to: str = Field(
        pattern=HUB_ID,
        description="Hub client id of the partner taking charge of the file, e.g. fr.health.samu680",
    )


class AskedIn(BaseModel):
    vehicle: str | None = Field(
        default=None, max_length=24, description="HubSante.typeVecteur, e.g. SMUR.VLM"
    )
    medical_level: Literal["MED", "PARAMED", "SECOURS", "SANS"] | None = None
    resource_id: str | None = Field(default=None, max_length=40, description="one of the SMUR's units")
    freetext: list[str] = Field(default=[], max_length=5)


class EngagementIn(BaseModel):
    to: str = Field(
        pattern=HUB_ID, description="Hub client id of the SMUR software, e.g. fr.health.samu440.smur"
    )
    resources: list[AskedIn] = Field(min_length=1, max_length=10)


class AnswerIn(BaseModel):
    answer: Literal["ACCEPTEE", "PARTIELLE", "REFUSEE", "DIFFEREE"]
    deadline: str | None = None
    freetext: str | None = Field(default=None, max_length=2000)


@router.post(
    "/api/files/{file_number}/share",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Share the file with another SAMU (RS-EDA through Hub Santé)",
)
def share_file(
    file_number: str, payload: ShareIn, platform: PlatformDep, principal: FileWriter
) -> dict[str, Any]:
    with platform.uow() as uow:
        message = case_share.share_file(
            uow, principal=principal, number=file_number, to=payload.to, now=platform.clock.now()
        )
    return {"distribution_id": message.distribution_id, "to": payload.to}


def _owner_changed(sent: list[HubMessage], owner: str) -> dict[str, Any]:
    return {
        "owner": owner,
        "sent": [{"distribution_id": m.distribution_id, "to": m.recipient_id} for m in sent],
    }


@router.post(
    "/api/files/{file_number}/take-charge",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Take charge of a file a partner shared (RS-EDA-MAJ owner = this SAMU to each partner)",
)
def take_charge(file_number: str, platform: PlatformDep, principal: FileWriter) -> dict[str, Any]:
    with platform.uow() as uow:
        sent = case_share.take_charge(uow, principal=principal, number=file_number, now=platform.clock.now())
        owner = case_share.our_hub_id(uow, file_number)
    return _owner_changed(sent, owner)


@router.post(
    "/api/files/{file_number}/hand-over",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Hand a shared file over to a partner (RS-EDA-MAJ owner = the partner to each partner)",
)
def hand_over(
    file_number: str, payload: HandOverIn, platform: PlatformDep, principal: FileWriter
) -> dict[str, Any]:
    with platform.uow() as uow:
        sent = case_share.change_owner(
            uow, principal=principal, number=file_number, owner=payload.to, now=platform.clock.now()
        )
    return _owner_changed(sent, payload.to)


@router.post(
    "/api/files/{file_number}/engagement-request",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask a SMUR software to engage resources on the shared file (RS-ER through Hub Santé)",
)
def request_engagement(
    file_number: str, payload: EngagementIn, platform: PlatformDep, principal: FileWriter
) -> dict[str, Any]:
    asked = [
        engagement.Asked(
            vehicle=r.vehicle,
            medical_level=r.medical_level,
            resource_id=r.resource_id,
            freetext=tuple(text[:500] for text in r.freetext),
        )
        for r in payload.resources
    ]
    with platform.uow() as uow:
        message = engagement.request_engagement(
            uow, principal=principal, number=file_number, to=payload.to, asked=asked, now=platform.clock.now()
        )
    return {"distribution_id": message.distribution_id, "to": payload.to}


@router.get("/api/samus/{samu_id}/mutual-aid", summary="Mutual-aid requests received (RS-DR) by the SAMU")
def list_requests(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
    state: Annotated[str | None, Query(alias="status", description="PENDING for those to answer")] = None,
) -> list[dict[str, Any]]:
    with platform.uow() as uow:
        found = mutual_aid.list_requests(uow, principal=principal, samu_id=samu_id, status=state)
    return [r.to_dict() for r in found]


@router.post(
    "/api/samus/{samu_id}/mutual-aid/{request_id}/answer",
    summary="Answer a mutual-aid request (RS-RR back to the asking SAMU)",
)
def answer_request(
    samu_id: str,
    request_id: str,
    payload: AnswerIn,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
) -> dict[str, Any]:
    with platform.uow() as uow:
        message = mutual_aid.answer_request(
            uow,
            principal=principal,
            samu_id=samu_id,
            request_id=request_id,
            answer=payload.answer,
            deadline=payload.deadline,
            freetext=payload.freetext,
            now=platform.clock.now(),
        )
    return {"distribution_id": message.distribution_id, "request_id": request_id, "status": payload.answer}
