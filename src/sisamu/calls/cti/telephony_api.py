"""Server side of the LRM → SI-SAMU interface (`swagger-si-samu.json`): sisamu's telephony serving an external LRM,
which calls these two operations with a bearer token (a `partner` machine account of the SAMU, holding the
`telephony` permission).

- `POST …/v1/cti/{idCrra}/agents/{idNatPs}/calls` (`DemandeAppelSortant`, click-to-call): the agent `idNatPs`
  asks to dial `numTel` from their seat; recorded as `DialRequested` (reason `click_to_call`), which the platform's
  telephony executes when there is one (the telephony outbox and its relay, as for a callback), and sent to the
  agent's console as the live event `cti.outgoing_call` (`data`: `seat_id`, `num_tel`, `file_id`). 404 agent not
  logged in, 409 seat busy (ringing or on a call).
- `PUT …/v1/cti/{idCrra}/dossiers/{idDossier}` (`CorrelationDossier`): case file `idDossier` goes with call
  `idAppel` (by default the call at the agent's seat); live event `cti.file_correlated` (`data`: `file_id`,
  `call_id`, `seat_id`, `priorite_regul`). 400 agent not logged in or call unknown, 409 no call to correlate.

The LRM side (`cti_api.py`) already serves `POST /v1/cti/{idCrra}/agents/{idNatPs}/calls` with another body
(`AppelEntrant`): the same method and path, so this side lives under its own prefix, `/api/si-samu` (an external
LRM takes `https://<host>/api/si-samu` as the telephony's base URL instead of the Swagger's
`/si-samu-back-synchro-lrm-web/api`). Bodies are checked against the official Swagger; every refusal is an
`Error` body with a status the Swagger declares.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import Response

from sisamu.calls.cti.http import CtiSide
from sisamu.calls.cti.models import CorrelationDossier, DemandeAppelSortant
from sisamu.calls.distribution import store
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState
from sisamu.domain.events import LiveEvent
from sisamu.platform.events import DialReason, DialRequested
from sisamu.platform.http import PlatformDep, PrincipalDep

PREFIX = "/api/si-samu"
router = APIRouter(prefix=PREFIX + "/v1/cti/{idCrra}", tags=["cti"])
IdCrraPath = Annotated[str, Path(alias="idCrra")]
SISAMU = CtiSide("si-samu")
BUSY = frozenset({AgentState.PRESENTED, AgentState.ON_CALL})


def _seat(platform: PlatformDep, samu_id: str, id_nat_ps: str) -> seat_store.SeatRecord | None:
    with platform.engine.connect() as conn:
        seat_id = seat_store.seat_of_id_nat_ps(conn, samu_id, id_nat_ps)
        return seat_store.get_seat(conn, samu_id, seat_id) if seat_id is not None else None


def _dial(platform: PlatformDep, samu_id: str, id_nat_ps: str, demande: DemandeAppelSortant) -> None:
    seat = _seat(platform, samu_id, id_nat_ps)
    if seat is None:
        raise SISAMU.refused(404, "AGENT_NON_CONNECTE", f"Aucun poste connecté pour l'agent {id_nat_ps}.")
    if seat.agent.state in BUSY:
        raise SISAMU.refused(409, "POSTE_OCCUPE", f"Le poste {seat.agent.agent_id} a déjà un appel.")
    data = {"seat_id": seat.agent.agent_id, "num_tel": demande.num_tel, "file_id": demande.id_dossier}
    with platform.uow() as uow:
        uow.record(
            DialRequested(
                samu_id=samu_id,
                seat_id=seat.agent.agent_id,
                id_nat_ps=id_nat_ps,
                number=demande.num_tel,
                reason=DialReason.CLICK_TO_CALL,
                at=platform.clock.now(),
                file_number=demande.id_dossier,
            )
        )
        uow.emit(
            LiveEvent(
                samu_id,
                "cti.outgoing_call",
                seat.agent.agent_id,
                data={k: v for k, v in data.items() if v is not None},
            )
        )


@router.post(
    "/agents/{idNatPs}/calls",
    status_code=status.HTTP_202_ACCEPTED,
    summary="DemandeAppelSortant: an external LRM asks sisamu's telephony to dial from an agent's seat",
)
async def demande_appel_sortant(
    id_crra: IdCrraPath,
    id_nat_ps: Annotated[str, Path(alias="idNatPs", max_length=32)],
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
) -> Response:
    return await SISAMU.accept(
        request,
        principal,
        id_crra,
        DemandeAppelSortant,
        lambda samu_id, body: _dial(platform, samu_id, id_nat_ps, body),
    )


def _correlate(platform: PlatformDep, samu_id: str, id_dossier: str, correlation: CorrelationDossier) -> None:
    seat = _seat(platform, samu_id, correlation.id_nat_ps)
    if seat is None:
        raise SISAMU.refused(
            400, "AGENT_NON_CONNECTE", f"Aucun poste connecté pour l'agent {correlation.id_nat_ps}."
        )
    call_id = correlation.id_appel or seat.agent.call_id
    if call_id is None:
        raise SISAMU.refused(409, "AUCUN_APPEL", f"Aucun appel en cours au poste {seat.agent.agent_id}.")
    with platform.engine.connect() as conn:
        known = store.get_call(conn, samu_id, call_id) or store.get_call(
            conn, seat.call_samu_id or "", call_id
        )
    if known is None:
        raise SISAMU.refused(400, "APPEL_INCONNU", f"Appel {call_id} inconnu.")
    data = {
        "file_id": id_dossier,
        "call_id": call_id,
        "seat_id": seat.agent.agent_id,
        "priorite_regul": correlation.priorite_regul,
    }
    with platform.uow() as uow:
        uow.emit(
            LiveEvent(
                samu_id, "cti.file_correlated", call_id, data={k: v for k, v in data.items() if v is not None}
            )
        )


@router.put(
    "/dossiers/{idDossier}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="CorrelationDossier: an external LRM links a case file to a call (LRM → SI-SAMU)",
)
async def correlation_dossier(
    id_crra: IdCrraPath,
    id_dossier: Annotated[str, Path(alias="idDossier", max_length=25)],
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
) -> Response:
    return await SISAMU.accept(
        request,
        principal,
        id_crra,
        CorrelationDossier,
        lambda samu_id, body: _correlate(platform, samu_id, id_dossier, body),
    )
