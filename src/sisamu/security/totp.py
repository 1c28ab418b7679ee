"""Second factor: time-based one-time passwords (RFC 6238) through pyotp."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyotp

if TYPE_CHECKING:
    from datetime import datetime

ISSUER = "sisamu"


def new_secret() -> str:
    return str(pyotp.random_base32())


def provisioning_uri(secret: str, username: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER))


def code_at(secret: str, moment: datetime) -> str:
    return str(pyotp.TOTP(secret).at(moment))


def verify_code(secret: str, code: str, moment: datetime) -> bool:
    """Accept the current 30-second step and one step either side (clock drift)."""
    cleaned = code.replace(" ", "")
    if not cleaned.isdigit():
        return False
    return bool(pyotp.TOTP(secret).verify(cleaned, for_time=moment, valid_window=1))
