"""What both sides of the SI-SAMU ↔ LRM REST interface share: the `idCrra` check, the caller's right on that SAMU,
bodies checked against the side's Swagger, and refusals as that Swagger's `Error` body."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sisamu.calls.cti.client import samu_of_id_crra
from sisamu.calls.cti.models import Error
from sisamu.calls.cti.schema import CtiSchemaError, CtiSpec, validate_body
from sisamu.security.access import authorize
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal

BodyT = TypeVar("BodyT", bound=BaseModel)
ID_CRRA = re.compile(r"^FR[0-9][0-9AB]{2}$")


class CtiRefused(Exception):
    """A refusal, answered with the `Error` body (`code`, French `message`) of the side's Swagger."""

    def __init__(self, spec: CtiSpec, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.spec, self.status_code, self.code, self.message = spec, status_code, code, message

    def response(self) -> JSONResponse:
        body = Error(code=self.code, message=self.message).to_body()
        validate_body(self.spec, "Error", body)
        return JSONResponse(body, status_code=self.status_code)


@dataclass(frozen=True, slots=True)
class CtiSide:
    """One side of the interface: `lrm` (swagger-lrm.json) or `si-samu` (swagger-si-samu.json)."""

    spec: CtiSpec

    def refused(self, status_code: int, code: str, message: str) -> CtiRefused:
        return CtiRefused(self.spec, status_code, code, message)

    def samu(self, principal: Principal, id_crra: str) -> str:
        """The SAMU named by `idCrra`, if the caller holds the telephony permission there."""
        if not ID_CRRA.match(id_crra):
            raise self.refused(
                400, "ID_CRRA_INVALIDE", f"idCrra {id_crra!r} ne suit pas le motif FR[0-9][0-9AB]{{2}}"
            )
        samu_id = samu_of_id_crra(id_crra)
        try:
            authorize(principal, Permission.TELEPHONY, samu_id)
        except Forbidden as exc:
            raise self.refused(403, "INTERDIT", f"Accès refusé pour {id_crra}.") from exc
        return samu_id

    async def body(self, request: Request, definition: str) -> dict[str, Any]:
        """The JSON body, valid against `definition` of this side's Swagger."""
        try:
            body = await request.json()
            validate_body(self.spec, definition, body)
        except CtiSchemaError as exc:
            raise self.refused(400, "REQUETE_INVALIDE", "; ".join(exc.errors)) from exc
        except ValueError as exc:
            raise self.refused(400, "REQUETE_INVALIDE", "Corps JSON illisible.") from exc
        if not isinstance(body, dict):
            raise self.refused(400, "REQUETE_INVALIDE", "Un objet JSON est attendu.")
        return body

    async def accept(
        self,
        request: Request,
        principal: Principal,
        id_crra: str,
        model: type[BodyT],
        action: Callable[[str, BodyT], None],
    ) -> Response:
        """One operation: check the SAMU and the body (Swagger definition named like `model`), run `action` off the
        event loop, answer 202 — or the Swagger's `Error` body for any refusal."""
        try:
            samu_id = self.samu(principal, id_crra)
            payload = model.model_validate(await self.body(request, model.__name__))
            await run_in_threadpool(action, samu_id, payload)
        except CtiRefused as refused:
            return refused.response()
        return Response(status_code=status.HTTP_202_ACCEPTED)
