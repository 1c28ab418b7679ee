"""Security errors; the web layer maps them to 401, 403, 404 and 429 with French messages."""

from __future__ import annotations


class SecurityError(Exception):
    """Base class: `message_fr` is what a person is shown, `code` what a client program tests, `str(self)` what
    the log says. A refusal of its own subclasses one of these with its code and message."""

    message_fr = "Accès refusé."
    code = "ACCES_REFUSE"


class NotAuthenticated(SecurityError):
    message_fr = "Veuillez vous identifier."
    code = "NON_AUTHENTIFIE"


class LoginFailed(SecurityError):
    message_fr = "Identifiant, mot de passe ou code de vérification incorrect."


class Throttled(SecurityError):
    message_fr = "Trop de tentatives de connexion. Réessayez dans quelques minutes."
    code = "TROP_DE_TENTATIVES"


class Forbidden(SecurityError):
    message_fr = "Vous n'avez pas les droits nécessaires pour cette action."


class NotFound(SecurityError):
    message_fr = "Élément introuvable."
    code = "INTROUVABLE"


class Refused(SecurityError):
    """A request refused for a stated reason: `code` for programs, `message_fr` for people, `status` for HTTP.

    `str(self)` (the log's text) says who asked what; the answer carries the code and the French message only.
    """

    def __init__(self, code: str, message_fr: str, *, status: int = 403, log: str = "") -> None:
        super().__init__(log or code)
        self.code = code
        self.message_fr = message_fr
        self.status = status
