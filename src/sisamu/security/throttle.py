"""Login throttling per (account name, address), with growing delays rather than a lock-out.

Three rules, each answering one attack without handing an attacker a way to lock someone else out:

- An (account name, address) pair gets `login_max_failures` free failures within the window (counted since that
  pair's last success); each further attempt from the pair must wait a delay that doubles with every failure
  (`login_delay_base_s`, up to `login_delay_max_s`). Guessing one account's password from one address slows to
  one try every few minutes; the account's owner, from any other address, is not concerned.
- Failures are keyed by the name typed, whether or not an account has it: failures of unknown names only ever
  slow the address they come from.
- An address that failed `login_max_failures_per_ip` times within the window (any names: password spraying) is
  "capped": from it, only a login with a password and a valid second factor succeeds; any other attempt, right
  password of an account without second factor included, gets the same "too many attempts" answer, so a sprayer
  learns nothing there. A person with a second factor behind the same address (a hospital's NAT) still logs in.

The client address is the connection's, or the one a trusted reverse proxy forwarded (`SISAMU_TRUSTED_PROXIES`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sisamu.storage.tables import login_attempt

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.config import Settings


@dataclass(frozen=True, slots=True)
class Standing:
    """What the recent attempts say about one login attempt, before its credentials are checked."""

    wait_s: int  # > 0: the pair must wait this long before its next attempt is even checked
    address_capped: bool  # only a login with a valid second factor succeeds from this address


def delay_s(failures: int, settings: Settings) -> float:
    """The delay a pair with `failures` recent failures waits after its last one (0: free attempts left)."""
    extra = failures - settings.login_max_failures
    if extra < 0:
        return 0.0
    return min(settings.login_delay_base_s * 2.0 ** min(extra, 32), settings.login_delay_max_s)


def standing(conn: Connection, *, username: str, ip: str, now: datetime, settings: Settings) -> Standing:
    since = now - timedelta(seconds=settings.login_window_seconds)
    last_success = (
        select(func.max(login_attempt.c.at))
        .where(login_attempt.c.username == username, login_attempt.c.ip == ip, login_attempt.c.success)
        .scalar_subquery()
    )
    failures, last_failure = conn.execute(
        select(func.count(), func.max(login_attempt.c.at)).where(
            login_attempt.c.username == username,
            login_attempt.c.ip == ip,
            ~login_attempt.c.success,
            login_attempt.c.at >= since,
            (last_success.is_(None)) | (login_attempt.c.at > last_success),
        )
    ).one()
    wait = 0
    if last_failure is not None:
        until = last_failure + timedelta(seconds=delay_s(int(failures), settings))
        wait = math.ceil((until - now).total_seconds()) if until > now else 0
    by_address = conn.execute(
        select(func.count()).where(
            login_attempt.c.ip == ip, ~login_attempt.c.success, login_attempt.c.at >= since
        )
    ).scalar_one()
    return Standing(wait_s=wait, address_capped=int(by_address) >= settings.login_max_failures_per_ip)
