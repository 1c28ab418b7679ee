"""The two kinds of events: domain events (what happened, for other features to react to, through the message bus)
and live events (what changed, for the consoles to refetch, pushed after commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LiveEvent:
    samu_id: str
    kind: str
    object_id: str
    version: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        return {
            "samu_id": self.samu_id,
            "kind": self.kind,
            "id": self.object_id,
            "version": self.version,
            **({"data": self.data} if self.data else {}),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> LiveEvent:
        return cls(
            samu_id=str(payload["samu_id"]),
            kind=str(payload["kind"]),
            object_id=str(payload["id"]),
            version=int(payload.get("version", 0)),
            data=dict(payload.get("data") or {}),
        )


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of every domain event: something that happened, named in the past tense (`CallAnswered`).

    Recorded by a service on its unit of work (`uow.record`); the bus hands it to the handlers `bootstrap`
    subscribed. The events features exchange are in `sisamu.platform.events`; a feature's own stay with it.
    """
