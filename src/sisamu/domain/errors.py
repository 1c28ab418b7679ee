"""Domain errors shared by every feature: rules refused, not crashes."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused what was asked; the message says why, in English."""


class TransitionRefused(DomainError):
    """A state machine was asked for a transition its current state does not allow."""
