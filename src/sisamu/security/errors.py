"""Security errors; the web layer maps them to 401, 403, 404 and 429 with French messages."""

from __future__ import annotations


class SecurityError(Exception):
    """Base class: `message_fr` is what a person is shown, `str(self)` is what the log says."""

    message_fr = "Accès refusé."


class NotAuthenticated(SecurityError):
    message_fr = "Veuillez vous identifier."


class LoginFailed(SecurityError):
    message_fr = "Identifiant, mot de passe ou code de vérification incorrect."


class Throttled(SecurityError):
    message_fr = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


class Forbidden(SecurityError):
    message_fr = "Vous n'avez pas les droits nécessaires pour cette action."


class NotFound(SecurityError):
    message_fr = "Élément introuvable."
