"""The audit trail's verification, shared by `sisamu audit verify` and the auditors' console: the hash chains
walked against the signed checkpoints kept outside the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sisamu.security import audit
from sisamu.security import audit_checkpoints as checkpoints

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from sisamu.platform import Platform


@dataclass(frozen=True, slots=True)
class TrailCheck:
    checked: int
    checkpoints: int  # signed checkpoints of the file
    anchors: int  # of which a known key verified the signature
    problems: list[audit.AuditProblem] = field(default_factory=list)
    no_key: bool = False  # checkpoints found, but no key to check them with

    @property
    def intact(self) -> bool:
        return not self.problems


def checkpoint_path(platform: Platform, given: Path | None = None) -> Path:
    return given or checkpoints.checkpoint_file_path(platform.settings)


def own_public_key_path(platform: Platform) -> Path | None:
    """The public half of the platform's own signing key, when this process can read that key."""
    own = checkpoints.signing_key_path(platform.settings, embedded=platform.database.embedded is not None)
    return own if own is not None and own.exists() else None


def check(
    platform: Platform,
    samu_id: str | None,
    *,
    path: Path | None = None,
    keys: list[Ed25519PublicKey] | None = None,
) -> TrailCheck:
    """Verify one chain (or every chain) against the checkpoints of `path` signed by one of `keys` (default: the
    platform's own key); a checkpoint no key verifies is a problem, like a changed, inserted or deleted entry."""
    found, unreadable = checkpoints.CheckpointFile(checkpoint_path(platform, path)).read()
    no_key = False
    if keys is None:
        own = own_public_key_path(platform)
        keys = [checkpoints.load_public_key(own)] if found and own is not None else []
        no_key = bool(found) and own is None
    anchors, problems = checkpoints.check_signatures(found, keys, unreadable)
    if samu_id is not None:  # another chain's checkpoints are not this chain's business
        problems = [p for p in problems if p.samu_id in {samu_id, "?"}]
    with platform.engine.connect() as conn:
        checked, chain_problems = audit.verify(conn, samu_id, anchors)
    mine = [a for a in anchors if samu_id is None or a.samu_id == samu_id]
    total = sum(1 for c in found if samu_id is None or c.samu_id == samu_id)
    return TrailCheck(checked, total, len(mine), problems + chain_problems, no_key=no_key and total > 0)
