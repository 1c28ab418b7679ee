"""Official code lists for the consoles' pickers (reference data, any logged-in user)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from sisamu.domain.codes import code_list, code_list_names
from sisamu.platform.http import PrincipalDep
from sisamu.security.errors import NotFound

router = APIRouter(prefix="/api/codes", tags=["codes"])


class CodeOut(BaseModel):
    code: str
    label: str
    level: int
    description: str


@router.get("", summary="Names of the official Hub Santé code lists")
def list_names(_: PrincipalDep) -> list[str]:
    return list(code_list_names())


@router.get("/{name}", summary="One official code list (HubSante.<name>), in file order")
def get_list(name: str, _: PrincipalDep) -> list[CodeOut]:
    if name not in code_list_names():
        raise NotFound(f"code list {name!r} does not exist")
    return [
        CodeOut(code=c.code, label=c.label, level=c.level, description=c.description) for c in code_list(name)
    ]
