"""A small SI-SAMU telephony for end-to-end tests: the two operations sisamu calls as an LRM
(`swagger-si-samu.json`), served over HTTP on a free port. Each request is checked — bearer token, path, body
against the official Swagger — and recorded; the answer is 202, or the next status of `script` (with an `Error`
body the Swagger accepts)."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sisamu.calls.cti.schema import schema_errors, validate_body

ROOT = "/si-samu-back-synchro-lrm-web/api"
OPERATIONS = {
    "POST": (
        re.compile(ROOT + r"/v1/cti/(?P<idCrra>[^/]+)/agents/(?P<idNatPs>[^/]+)/calls"),
        "DemandeAppelSortant",
    ),
    "PUT": (
        re.compile(ROOT + r"/v1/cti/(?P<idCrra>[^/]+)/dossiers/(?P<idDossier>[^/]+)"),
        "CorrelationDossier",
    ),
}


@dataclass
class Received:
    method: str
    definition: str
    params: dict[str, str]
    body: Any
    authorization: str | None
    errors: list[str]  # what the Swagger finds wrong with the body (none expected)
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeSiSamu:
    token: str
    received: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)  # statuses answered, in order, before 202 again
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{ROOT}"

    def of(self, definition: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.definition == definition]

    def answer(
        self, method: str, path: str, authorization: str | None, raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        operation = OPERATIONS.get(method)
        matched = operation[0].fullmatch(path) if operation else None
        if operation is None or matched is None:
            return 404, {"code": "INCONNU", "message": f"{method} {path}"}
        try:
            body = json.loads(raw)
            errors = schema_errors("si-samu", operation[1], body)
        except ValueError:
            body, errors = raw.decode(errors="replace"), ["$: not JSON"]
        with self.lock:
            if authorization != f"Bearer {self.token}":
                status = 403
            elif errors:
                status = 400
            else:
                status = self.script.pop(0) if self.script else 202
            self.received.append(
                Received(method, operation[1], matched.groupdict(), body, authorization, errors, status)
            )
        return status, {"code": f"FAUX_{status}", "message": "réponse de la téléphonie de test"}

    def start(self) -> FakeSiSamu:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, error = fake.answer(self.command, self.path, self.headers.get("Authorization"), raw)
                payload = b""
                if status != 202:
                    validate_body("si-samu", "Error", error)
                    payload = json.dumps(error).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = _serve  # noqa: N815

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, name="fake-si-samu", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
