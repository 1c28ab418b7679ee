"""Errors of the telephony use cases."""

from __future__ import annotations

from sisamu.security.errors import NotFound


class NotFoundError(NotFound):
    """The call, seat or callback does not exist (in this SAMU): 404 on the web."""
