"""Tables of this feature, registered on the platform's shared metadata (tenant-owned: `samu_id` leads each key)."""

from __future__ import annotations

from sisamu.storage.tables import metadata

__all__ = ["metadata"]
