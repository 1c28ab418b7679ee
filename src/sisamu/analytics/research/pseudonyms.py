"""Keyed pseudonyms: HMAC-SHA-256 of an identifier under a secret key held apart from the data. The same key gives
the same pseudonym to the same caller or file across exports (studies can link them); without the key nobody can
recompute or reverse them, not even from a list of every phone number."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
_PSEUDONYM_HEX = 20  # 80 bits: no collision in any realistic data set


class KeyError_(ValueError):  # noqa: N801 - not the builtin KeyError
    """The pseudonymisation key is missing, too short or stored where it must not be."""


def new_key(path: Path) -> None:
    """Write a fresh random key readable by its owner only; never overwrite one (pseudonyms would change)."""
    if path.exists():
        raise KeyError_(f"{path} exists already: a new key would change every pseudonym")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(KEY_BYTES) + "\n")


def load_key(path: Path, *, out_dir: Path) -> bytes:
    """The key in `path` (hex), refused when it lies inside the export's folder or is readable by others."""
    resolved = path.resolve()
    if resolved.is_relative_to(out_dir.resolve()):
        raise KeyError_("the key must not be stored with the export it pseudonymises")
    try:
        mode = resolved.stat().st_mode
        text = resolved.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise KeyError_(f"cannot read the key file {path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise KeyError_(f"the key file {path} is readable by others than its owner (chmod 600)")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyError_(f"the key file {path} does not hold a hexadecimal key") from None
    if len(key) < KEY_BYTES:
        raise KeyError_(f"the key in {path} is shorter than {KEY_BYTES} bytes")
    return key


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self._keyed = hmac.new(
            key, digestmod=hashlib.sha256
        )  # copied for each pseudonym: the key is set once

    def __call__(self, kind: str, *parts: object) -> str:
        message = "\x1f".join([kind, *(str(p) for p in parts)]).encode()
        mac = self._keyed.copy()
        mac.update(message)
        return mac.hexdigest()[:_PSEUDONYM_HEX]

    @property
    def fingerprint(self) -> str:
        """Names the key in a manifest (two exports with the same fingerprint share their pseudonyms)."""
        return self("key-fingerprint")[:12]
