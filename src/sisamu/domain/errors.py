"""Domain errors shared by every feature: rules refused, not crashes."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused what was asked; the message says why, in English. A rule whose refusal a person
    reads sets `code` and a French `message_fr` (answered as such; otherwise the English message)."""

    code = "REFUS"
    message_fr: str | None = None
    # What the console shows when the refusal has no `message_fr` of its own: a French sentence for the kind of
    # refusal (answered as `message`, beside the English `detail`); None: the message itself is French.
    summary_fr: str | None = "Action refusée par les règles de la plateforme."


class FrenchRefusal(DomainError):
    """A refusal whose message is already French, for the person: shown as it is."""

    summary_fr = None


class TransitionRefused(DomainError):
    """A state machine was asked for a transition its current state does not allow."""

    code = "TRANSITION_REFUSEE"
    summary_fr = "Cette action n'est pas possible dans l'état actuel."


class GuardRefused(TransitionRefused):
    """A life-critical step refused until the person makes it good or says why (ACHEVE with a decision not carried
    out…). Carries a stable `code` the consoles act on, a French message they show, and the `gaps` in French."""

    def __init__(self, message: str, *, code: str, message_fr: str, gaps: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message_fr = message_fr
        self.gaps = gaps
