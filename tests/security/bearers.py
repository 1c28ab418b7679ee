"""Accounts with bearer tokens for the security tests that talk HTTP to the app as several people and machines:
`bearers(platform, {"regulator.680": Role.REGULATOR, …})` creates each SAMU named by a username's suffix (none for
a nationwide account without one) and each account, and answers username → `Authorization` headers."""

from __future__ import annotations

from collections.abc import Mapping

from factories import add_account, add_samu
from sisamu.bootstrap import Platform
from sisamu.security import service, store
from sisamu.security.roles import NATIONWIDE_ROLES, Role
from sisamu.storage.tables import samu


def _home(username: str, role: Role) -> str | None:
    if role in NATIONWIDE_ROLES or "." not in username:
        return None
    return username.rsplit(".", 1)[1]


def bearers(platform: Platform, accounts: Mapping[str, Role]) -> dict[str, dict[str, str]]:
    now = platform.clock.now()
    with platform.uow() as uow:
        known = set(uow.conn.execute(samu.select().with_only_columns(samu.c.samu_id)).scalars())
        for username, role in accounts.items():
            home = _home(username, role)
            if home is not None and home not in known:
                known.add(add_samu(uow, home))
            add_account(uow, username, role, home, now=now)
    headers: dict[str, dict[str, str]] = {}
    for username in accounts:
        with platform.engine.connect() as conn:
            principal = store.principal_from_row(store.account_by_username(conn, username))
        with platform.uow() as uow:
            token = service.issue_token(uow, principal=principal, name="security", now=now)
        headers[username] = {"Authorization": f"Bearer {token}"}
    return headers
