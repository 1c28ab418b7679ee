"""Second factor: time-based one-time passwords (RFC 6238) through pyotp.

A code is good for its 30-second time step and one step either side (clock drift), and only once: the caller
keeps the last step used by each account and passes it back (`after_step`), so a code seen over a shoulder or in
a proxy's log cannot be played again.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

import pyotp

if TYPE_CHECKING:
    from datetime import datetime

ISSUER = "sisamu"
DRIFT_STEPS = 1


def new_secret() -> str:
    return str(pyotp.random_base32())


def provisioning_uri(secret: str, username: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER))


def code_at(secret: str, moment: datetime) -> str:
    return str(pyotp.TOTP(secret).at(moment))


def matching_step(secret: str, code: str, moment: datetime, *, after_step: int | None = None) -> int | None:
    """The time step whose code `code` is (current step ± drift), if later than `after_step`; else None."""
    cleaned = code.replace(" ", "")
    if not cleaned.isdigit():
        return None
    generator = pyotp.TOTP(secret)
    current = generator.timecode(moment)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared (in constant time): the answer's time says nothing of which one matched.
        if hmac.compare_digest(generator.generate_otp(step), cleaned) and (
            after_step is None or step > after_step
        ):
            found = step
    return found


def verify_code(secret: str, code: str, moment: datetime) -> bool:
    """Whether `code` is good at `moment`, replay aside (see `matching_step` for a code accepted once)."""
    return matching_step(secret, code, moment) is not None
