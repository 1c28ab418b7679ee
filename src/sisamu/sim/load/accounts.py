"""`--setup`: the accounts and bearer tokens a load run needs, created straight in the database.

Per SAMU: one `telephony_gateway` machine account (`load.gateway.<samu>`, the telephony gateway) and N ARM accounts
(`load.arm.<samu>.<n>`), created once (no password, no second factor: they only use tokens) and reused by later
runs; every setup issues fresh tokens that expire after `days`. The SAMUs must exist (`sisamu seed pilots`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sisamu.security import service, store
from sisamu.security.roles import Principal, Role
from sisamu.storage.tables import samu

if TYPE_CHECKING:
    from sisamu.platform import Platform
    from sisamu.storage.uow import UnitOfWork

__all__ = ["create_load_accounts", "tokens_document"]

TOKEN_NAME = "sisamu load"  # noqa: S105 - the name shown in the account's token list, not a secret


def _principal(uow: UnitOfWork, *, username: str, role: Role, samu_id: str, now: datetime) -> Principal:
    row = store.account_by_username(uow.conn, username)
    if row is None:
        service.create_account(
            uow, username=username, display_name=f"Charge {role.value} {samu_id}", role=role,
            samu_id=samu_id, password=None, now=now, with_totp=False,
        )  # fmt: skip
        row = store.account_by_username(uow.conn, username)
    return store.principal_from_row(row)


def create_load_accounts(
    platform: Platform, samu_ids: list[str], *, arms_per_samu: int, days: float = 2.0
) -> dict[str, dict[str, Any]]:
    """`{samu_id: {"gateway": token, "arms": [token, …]}}`; raises LookupError for an unknown SAMU."""
    now = platform.clock.now()
    out: dict[str, dict[str, Any]] = {}
    with platform.uow() as uow:
        known = set(uow.conn.execute(select(samu.c.samu_id).where(samu.c.samu_id.in_(samu_ids))).scalars())
        missing = [s for s in samu_ids if s not in known]
        if missing:
            raise LookupError(", ".join(missing))
        for samu_id in samu_ids:
            key = samu_id.lower()
            gateway = _principal(
                uow, username=f"load.gateway.{key}", role=Role.TELEPHONY_GATEWAY, samu_id=samu_id, now=now
            )
            arms = [
                _principal(uow, username=f"load.arm.{key}.{n + 1}", role=Role.ARM, samu_id=samu_id, now=now)
                for n in range(arms_per_samu)
            ]
            out[samu_id] = {
                "gateway": service.issue_token(uow, principal=gateway, name=TOKEN_NAME, now=now, days=days),
                "arms": [
                    service.issue_token(uow, principal=arm, name=TOKEN_NAME, now=now, days=days)
                    for arm in arms
                ],
            }
    return out


def tokens_document(url: str | None, tokens: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The JSON file `sisamu load run --tokens FILE` reads."""
    return {"url": url, "samus": tokens}
