"""Audit review API (`/api/audit`): the trail for principals holding `audit.read`, their SAMU's chain (every chain
without a home SAMU); each reading and each verification is itself audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from sisamu.admin import trail_check
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security import audit_review as review
from sisamu.security.errors import Refused
from sisamu.security.roles import Principal

router = APIRouter(prefix="/api/audit", tags=["audit"])


async def auditor(principal: PrincipalDep) -> Principal:
    if not review.holds(principal):
        raise Refused(
            "audit.forbidden",
            "Vous n'avez pas accès au journal d'audit.",
            log=f"{principal.username} ({principal.role}) called the audit review",
        )
    return principal


AuditorDep = Annotated[Principal, Depends(auditor)]
Text = Annotated[str | None, Query(max_length=120)]


class EntryOut(BaseModel):
    samu_id: str
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


class PageOut(BaseModel):
    entries: list[EntryOut]
    total: int
    offset: int
    limit: int


class ProblemOut(BaseModel):
    samu_id: str
    seq: int
    reason: str
    reason_fr: str


# The verification's reasons (English, as `sisamu audit verify` prints them) for the console, by their start.
_REASONS_FR = (
    ("sequence gap", "trou dans la numérotation (entrée supprimée ?)"),
    ("previous-hash link broken", "lien avec l'entrée précédente rompu"),
    ("content does not match its hash", "contenu différent de son empreinte (entrée modifiée)"),
    ("differs from the checkpoint", "différente du point de contrôle signé (chaîne réécrite)"),
    ("checkpointed entry", "entrée d'un point de contrôle signé absente (fin de chaîne coupée)"),
    (
        "chain ends at",
        "la tête de chaîne ne correspond pas à la dernière entrée (entrées supprimées ou ajoutées)",
    ),
    ("checkpoint signed by unknown key", "point de contrôle signé par une clé inconnue"),
    ("checkpoint signature invalid", "signature de point de contrôle invalide (ligne falsifiée ou modifiée)"),
    ("checkpoint file", "ligne illisible dans le fichier des points de contrôle"),
)


def reason_fr(reason: str) -> str:
    return next((fr for start, fr in _REASONS_FR if reason.startswith(start)), reason)


class VerificationOut(BaseModel):
    samu_id: str | None = Field(description="The chain checked; none: every chain.")
    intact: bool
    checked: int
    checkpoints: int
    anchors: int
    problems: list[ProblemOut]
    summary: str = Field(description="The result in French, for the console.")


@router.get("", summary="Audit entries, newest first (the reading is audited)")
def search(
    platform: PlatformDep,
    principal: AuditorDep,
    samu_id: Annotated[str | None, Query(alias="samu", max_length=8)] = None,
    actor: Text = None,
    action: Text = None,
    subject: Text = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=review.MAX_PAGE)] = 50,
) -> PageOut:
    filters = review.Filters(
        samu_id=samu_id, actor=actor, action=action, subject=subject, since=since, until=until
    )
    with platform.uow() as uow:
        page = review.search(
            uow, by=principal, filters=filters, offset=offset, limit=limit, now=platform.clock.now()
        )
    return PageOut(
        entries=[_entry(e) for e in page.entries],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


def _entry(entry: review.Entry) -> EntryOut:
    return EntryOut(
        samu_id=entry.samu_id,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        detail=entry.detail,
    )


def _summary(result: trail_check.TrailCheck) -> str:
    if result.no_key:
        return (
            f"Vérification incomplète : {result.checkpoints} point(s) de contrôle signé(s) mais aucune clé pour "
            "les vérifier sur ce serveur ; vérifiez avec « sisamu audit verify --public-key »."
        )
    if result.intact:
        signed = (
            f"{result.anchors} point(s) de contrôle signé(s) concordent."
            if result.checkpoints
            else "aucun point de contrôle signé : une fin de chaîne coupée ne serait pas détectée."
        )
        return f"Journal intègre : {result.checked} entrée(s) vérifiée(s) ; {signed}"
    return f"Journal altéré : {len(result.problems)} anomalie(s) sur {result.checked} entrée(s) vérifiée(s)."


@router.post(
    "/verify", summary="Verify the hash chain against the signed checkpoints (as `sisamu audit verify`)"
)
def verify(
    platform: PlatformDep,
    principal: AuditorDep,
    samu_id: Annotated[str | None, Query(alias="samu", max_length=8)] = None,
) -> VerificationOut:
    chain = review.chains_of(principal, samu_id)
    result = trail_check.check(platform, chain)
    with platform.uow() as uow:
        review.record_verification(
            uow,
            by=principal,
            samu_id=chain,
            checked=result.checked,
            problems=len(result.problems),
            now=platform.clock.now(),
        )
    return VerificationOut(
        samu_id=chain,
        intact=result.intact,
        checked=result.checked,
        checkpoints=result.checkpoints,
        anchors=result.anchors,
        problems=[
            ProblemOut(samu_id=p.samu_id, seq=p.seq, reason=p.reason, reason_fr=reason_fr(p.reason))
            for p in result.problems
        ],
        summary=_summary(result),
    )
