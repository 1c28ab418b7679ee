"""Server side of the SI-SAMU → LRM interface (`swagger-lrm.json`): sisamu is the LRM under the national
telephony, which calls these two operations with a bearer token (a `partner` machine account of the SAMU, which
holds the `telephony` permission).

- `POST /v1/cti/{idCrra}/agents/{idNatPs}/calls` (`AppelEntrant`): the national telephony gave a call to the
  agent `idNatPs`; sisamu records it as presented at that person's seat (offered, queued and presented at once).
- `POST /v1/cti/{idCrra}/dossiers/{idDossier}` (`AffichageDossier`): show case file `idDossier` on the agent's
  screen; sent to the consoles as the live event `cti.display_file`.

Bodies are checked against the official Swagger; every refusal is an `Error` body (`code`, `message`) with a
status the Swagger declares: 400 malformed or refused, 403 not allowed for this `idCrra`, 404 agent not logged
in. `nePasExecuter: true`: validated, nothing done (202).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import Response

from sisamu.calls.cti.http import CtiSide
from sisamu.calls.cti.models import AffichageDossier, AppelEntrant
from sisamu.calls.distribution import service, store
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.seats import store as seat_store
from sisamu.domain.errors import DomainError
from sisamu.domain.events import LiveEvent
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security.roles import Principal

router = APIRouter(prefix="/v1/cti/{idCrra}", tags=["cti"])

LRM = CtiSide("lrm")
MASKED_NUMBER = "***"
IdCrraPath = Annotated[str, Path(alias="idCrra")]


def _seat_of(platform: PlatformDep, samu_id: str, id_nat_ps: str) -> str | None:
    with platform.engine.connect() as conn:
        return seat_store.seat_of_id_nat_ps(conn, samu_id, id_nat_ps)


def _present(
    platform: PlatformDep, principal: Principal, samu_id: str, id_nat_ps: str, appel: AppelEntrant
) -> None:
    try:
        parsed = appel.parsed_id_flux()
    except ValueError as exc:
        raise LRM.refused(400, "ID_FLUX_INVALIDE", str(exc)) from exc
    flux = Flux.from_token(parsed.flux)
    if flux is None:
        raise LRM.refused(400, "FLUX_INCONNU", f"Flux {parsed.flux!r} non pris en charge.")
    if appel.ne_pas_executer:
        return
    seat_id = _seat_of(platform, samu_id, id_nat_ps)
    if seat_id is None:
        raise LRM.refused(404, "AGENT_NON_CONNECTE", f"Aucun poste connecté pour l'agent {id_nat_ps}.")
    with platform.engine.connect() as conn:
        known = store.get_call(conn, samu_id, appel.id_appel)
    if known is not None:
        return  # the telephony repeated itself: already recorded
    try:
        with platform.uow() as uow:
            service.present_external(
                uow,
                principal=principal,
                samu_id=samu_id,
                seat_id=seat_id,
                call_id=appel.id_appel,
                flux=flux,
                priority=PrioritySignal.UV if parsed.priority == "UV" else PrioritySignal.PX,
                caller_number=None if appel.num_tel == MASKED_NUMBER else appel.num_tel,
                now=platform.clock.now(),
            )
    except DomainError as exc:
        raise LRM.refused(400, "APPEL_REFUSE", str(exc)) from exc


@router.post(
    "/agents/{idNatPs}/calls",
    status_code=status.HTTP_202_ACCEPTED,
    summary="AppelEntrant: the national telephony presents a call to an agent (SI-SAMU → LRM)",
)
async def appel_entrant(
    id_crra: IdCrraPath,
    id_nat_ps: Annotated[str, Path(alias="idNatPs", max_length=32)],
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
) -> Response:
    return await LRM.accept(
        request,
        principal,
        id_crra,
        AppelEntrant,
        lambda samu_id, body: _present(platform, principal, samu_id, id_nat_ps, body),
    )


def _display(platform: PlatformDep, samu_id: str, id_dossier: str, demande: AffichageDossier) -> None:
    seat_id = _seat_of(platform, samu_id, demande.id_nat_ps)
    if seat_id is None:
        raise LRM.refused(
            400, "AGENT_NON_CONNECTE", f"Aucun poste connecté pour l'agent {demande.id_nat_ps}."
        )
    data = {"file_id": id_dossier, "call_id": demande.id_appel, "num_tel": demande.num_tel}
    with platform.uow() as uow:
        uow.emit(
            LiveEvent(
                samu_id, "cti.display_file", seat_id, data={k: v for k, v in data.items() if v is not None}
            )
        )


@router.post(
    "/dossiers/{idDossier}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="AffichageDossier: show a case file on an agent's screen (SI-SAMU → LRM)",
)
async def affichage_dossier(
    id_crra: IdCrraPath,
    id_dossier: Annotated[str, Path(alias="idDossier", max_length=25)],
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
) -> Response:
    return await LRM.accept(
        request,
        principal,
        id_crra,
        AffichageDossier,
        lambda samu_id, body: _display(platform, samu_id, id_dossier, body),
    )
