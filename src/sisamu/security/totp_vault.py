"""TOTP secrets encrypted at rest (Fernet: AES-128-CBC and HMAC-SHA256, from the `cryptography` library).

A copy of the database (a backup, a read replica, an SQL injection elsewhere) must not hand out every account's
second factor: the `account.totp_secret` column holds `fernet:<token>`, and the key lives outside the database, in
`SISAMU_TOTP_KEY` or, with the embedded database only, in `data_dir/totp_key` (generated on first use, readable by
its owner only). A production platform with an external database is given its key: several web instances must
share it, so none of them makes one up.

Transition: secrets stored in clear by earlier versions are still read; each one is sealed at its account's next
successful login, and `sisamu accounts seal-totp` seals all the others at once.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken

if TYPE_CHECKING:
    from pathlib import Path

    from sisamu.config import Settings

log = logging.getLogger(__name__)

PREFIX = "fernet:"
KEY_FILE = "totp_key"


class TotpKeyMissing(RuntimeError):
    """No key to seal or open TOTP secrets: SISAMU_TOTP_KEY must be set with an external database."""


class TotpVault:
    def __init__(self, key: bytes | str) -> None:
        self._fernet = Fernet(key)

    def seal(self, secret: str) -> str:
        return PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The secret of a stored value, sealed or (from before encryption at rest) in clear.

        ValueError when a sealed value does not open with this key (another platform's, or tampered with)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("TOTP secret does not open with this platform's key") from exc


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


_vaults: dict[str, TotpVault] = {}
_lock = threading.Lock()


def vault_for(settings: Settings) -> TotpVault:
    """The vault of these settings: SISAMU_TOTP_KEY, else data_dir/totp_key with the embedded database."""
    if settings.totp_key:
        source = "env:" + settings.totp_key
    elif settings.database_url is None:
        source = "file:" + str(settings.data_dir / KEY_FILE)
    else:
        raise TotpKeyMissing("SISAMU_TOTP_KEY is not set (required with an external database)")
    with _lock:
        vault = _vaults.get(source)
        if vault is None:
            key = settings.totp_key or _key_file(settings.data_dir / KEY_FILE)
            try:
                vault = TotpVault(key)
            except ValueError as exc:
                raise TotpKeyMissing(f"the TOTP key is not a Fernet key: {exc}") from exc
            _vaults[source] = vault
        return vault


def _key_file(path: Path) -> bytes:
    """The key in `path`, generated there (owner-only) when missing."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    log.info("TOTP key generated in %s", path)
    return key
