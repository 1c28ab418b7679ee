"""Domain errors shared by every feature: rules refused, not crashes."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused what was asked; the message says why, in English. A rule whose refusal a person
    reads sets `code` and a French `message_fr` (answered as such; otherwise the English message)."""

    code = "REFUS"
    message_fr: str | None = None


class TransitionRefused(DomainError):
    """A state machine was asked for a transition its current state does not allow."""
