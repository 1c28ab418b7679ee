"""Signed checkpoints of the audit chains, kept outside the database.

Someone with every right on the database (a DBA, a stolen owner password) could cut a chain's tail, or rewrite
entries and recompute their hashes and the head: the chain alone would still verify. So at an interval the platform
signs each chain's head (Ed25519, with a key the database never holds) and appends it to a JSON-lines file outside
the database; `sisamu audit verify` checks every signature and that the chain still holds every checkpointed head.
What is rewritten after the last checkpoint goes unseen: the interval bounds that window.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, select

from sisamu.security.audit import Anchor, AuditProblem
from sisamu.storage.tables import audit_head

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from sisamu.config import Settings

log = logging.getLogger(__name__)

KEY_FILE = "audit_signing_key"
FOLDER = "audit-checkpoints"
LOG_FILE = "audit-checkpoints.jsonl"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One chain's head at one time, signed: a line of the checkpoint file."""

    at: datetime
    samu_id: str
    seq: int
    hash: str
    key_id: str
    signature: str = ""  # base64 of the Ed25519 signature of `signed_bytes`

    def signed_bytes(self) -> bytes:
        body = {
            "at": self.at.astimezone(UTC).isoformat(),
            "samu_id": self.samu_id,
            "seq": self.seq,
            "hash": self.hash,
            "key_id": self.key_id,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def to_line(self) -> str:
        body = json.loads(self.signed_bytes())
        body["signature"] = self.signature
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Raises ValueError (or KeyError, TypeError) when the line is not a checkpoint."""
        body: dict[str, Any] = json.loads(line)
        at = datetime.fromisoformat(str(body["at"]))
        if at.tzinfo is None:
            raise ValueError("checkpoint time without a time zone")
        return cls(
            at=at,
            samu_id=str(body["samu_id"]),
            seq=int(body["seq"]),
            hash=str(body["hash"]),
            key_id=str(body["key_id"]),
            signature=str(body["signature"]),
        )

    def anchor(self) -> Anchor:
        return Anchor(samu_id=self.samu_id, seq=self.seq, hash=self.hash, at=self.at)


# ---- keys ----------------------------------------------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    """A short name of a key: the first 16 hex digits of the SHA-256 of its raw public bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key_path(settings: Settings, *, embedded: bool) -> Path | None:
    """The configured key file; with the embedded database, `data_dir/audit_signing_key` (generated on first
    use); else None: a production key is provisioned, never made up by the server."""
    if settings.audit_signing_key is not None:
        return settings.audit_signing_key
    return settings.data_dir / KEY_FILE if embedded else None


def load_signing_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The Ed25519 private key in `path` (PEM, PKCS#8); generated there, readable by its owner only, if missing and
    `create`. FileNotFoundError when missing otherwise, ValueError when not an Ed25519 private key."""
    if not path.exists() and create:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        log.info("audit signing key %s generated in %s", key_id(key.public_key()), path)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")  # noqa: TRY004 - a bad file, not a bad call
    return loaded


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file holding it, or holding the private key."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_signing_key(path).public_key()
    loaded = serialization.load_pem_public_key(data)
    if not isinstance(loaded, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")  # noqa: TRY004 - a bad file, not a bad call
    return loaded


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def sign(key: Ed25519PrivateKey, *, at: datetime, samu_id: str, seq: int, hash: str) -> Checkpoint:  # noqa: A002
    unsigned = Checkpoint(at=at, samu_id=samu_id, seq=seq, hash=hash, key_id=key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(at=at, samu_id=samu_id, seq=seq, hash=hash, key_id=unsigned.key_id, signature=signature)


# ---- the file ------------------------------------------------------------------------------------------------------


def checkpoint_file_path(settings: Settings) -> Path:
    return (settings.audit_checkpoint_dir or settings.data_dir / FOLDER) / LOG_FILE


class CheckpointFile:
    """The append-only JSON-lines file of checkpoints: one line per chain head signed, never rewritten.

    Lines are appended with O_APPEND in one write, so several processes may append to one file; with `fsync`,
    a line is on disk before the call returns.
    """

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self._fsync = fsync

    def append(self, checkpoints: Sequence[Checkpoint]) -> None:
        if not checkpoints:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = "".join(c.to_line() for c in checkpoints).encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            if self._fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> tuple[list[Checkpoint], list[int]]:
        """The checkpoints in file order, and the numbers of the lines that are not checkpoints."""
        found: list[Checkpoint] = []
        unreadable: list[int] = []
        if not self.path.exists():
            return found, unreadable
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    found.append(Checkpoint.from_line(line))
                except (ValueError, KeyError, TypeError):
                    unreadable.append(number)
        return found, unreadable

    def latest(self) -> dict[str, int]:
        """The last sequence number checkpointed for each chain."""
        last: dict[str, int] = {}
        for checkpoint in self.read()[0]:
            last[checkpoint.samu_id] = max(checkpoint.seq, last.get(checkpoint.samu_id, 0))
        return last


# ---- writing and checking ------------------------------------------------------------------------------------------


def write_checkpoints(
    conn: Connection, key: Ed25519PrivateKey, file: CheckpointFile, at: datetime, known: dict[str, int]
) -> list[Checkpoint]:
    """Sign and append the head of every chain that moved since `known` (updated); returns what was written."""
    heads = conn.execute(select(audit_head).order_by(audit_head.c.samu_id)).all()
    signed = [
        sign(key, at=at, samu_id=str(h.samu_id), seq=int(h.seq), hash=str(h.hash))
        for h in heads
        if int(h.seq) > 0 and known.get(str(h.samu_id)) != int(h.seq)
    ]
    file.append(signed)
    known.update({c.samu_id: c.seq for c in signed})
    return signed


def check_signatures(
    checkpoints: Iterable[Checkpoint], keys: Iterable[Ed25519PublicKey], unreadable: Iterable[int] = ()
) -> tuple[list[Anchor], list[AuditProblem]]:
    """The anchors of the checkpoints whose signature one of `keys` verifies; a problem for every other one."""
    by_id = {key_id(k): k for k in keys}
    anchors: list[Anchor] = []
    problems = [AuditProblem("?", 0, f"checkpoint file: line {n} is not a checkpoint") for n in unreadable]
    for checkpoint in checkpoints:
        public = by_id.get(checkpoint.key_id)
        if public is None:
            problems.append(
                AuditProblem(
                    checkpoint.samu_id,
                    checkpoint.seq,
                    f"checkpoint signed by unknown key {checkpoint.key_id}",
                )
            )
            continue
        try:
            public.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.signed_bytes())
        except (InvalidSignature, ValueError):
            problems.append(
                AuditProblem(
                    checkpoint.samu_id,
                    checkpoint.seq,
                    "checkpoint signature invalid (line forged or altered)",
                )
            )
            continue
        anchors.append(checkpoint.anchor())
    return anchors, problems


class Checkpointer:
    """The background service's work: every `interval_s`, sign the chain heads that moved (`run`)."""

    def __init__(
        self,
        engine: Engine,
        key_path: Path,
        file: CheckpointFile,
        *,
        interval_s: float,
        now: Callable[[], datetime],
        create_key: bool = False,
    ) -> None:
        self._engine = engine
        self._key_path = key_path
        self._create_key = create_key
        self.file = file
        self._interval_s = interval_s
        self._now = now
        self._key: Ed25519PrivateKey | None = None
        self._known: dict[str, int] | None = None

    def once(self) -> list[Checkpoint]:
        if self._key is None:
            self._key = load_signing_key(self._key_path, create=self._create_key)
        if self._known is None:
            self._known = self.file.latest()
        with self._engine.connect() as conn:
            return write_checkpoints(conn, self._key, self.file, self._now(), self._known)

    async def run(self) -> None:
        while True:
            written = await asyncio.to_thread(self.once)
            if written:
                log.info("audit checkpoints: %d chain head(s) signed into %s", len(written), self.file.path)
            await asyncio.sleep(self._interval_s)


def checkpointer_for(
    engine: Engine, settings: Settings, *, embedded: bool, now: Callable[[], datetime]
) -> Checkpointer | None:
    """The checkpoint service the settings ask for: None when the interval is 0 or no signing key is provided."""
    key_path = signing_key_path(settings, embedded=embedded)
    if settings.audit_checkpoint_interval_s <= 0 or key_path is None:
        return None
    file = CheckpointFile(checkpoint_file_path(settings), fsync=settings.audit_checkpoint_fsync)
    return Checkpointer(
        engine,
        key_path,
        file,
        interval_s=settings.audit_checkpoint_interval_s,
        now=now,
        create_key=embedded and settings.audit_signing_key is None,
    )
