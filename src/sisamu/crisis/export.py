"""The crisis log as CSV (semicolon-separated, UTF-8 with BOM: what a spreadsheet in French opens as is).

PDF is not produced: no maintained PDF library is a dependency of the platform (issue 16 left open)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from sisamu.crisis.model import VERIFICATION_LABELS_FR

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sisamu.crisis.model import LogEntry

COLUMNS = (
    "n°",
    "horodatage",
    "auteur",
    "SAMU",
    "source",
    "information",
    "statut",
    "décision",
    "action",
    "responsable",
    "échéance",
    "se rapporte à",
    "lien",
    "empreinte",
)


def spreadsheet_cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def log_csv(entries: Iterable[LogEntry]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in sorted(entries, key=lambda x: x.seq):
        x = e.entry
        link = f"{x.link_kind}:{x.link_id}" if x.link_kind else ""
        row = (
            str(e.seq),
            e.at.isoformat(),
            e.author,
            e.author_samu_id or "",
            x.source,
            x.information,
            VERIFICATION_LABELS_FR[x.verification],
            x.decision,
            x.action,
            x.owner,
            x.due_at.isoformat() if x.due_at else "",
            str(x.refers_to or ""),
            link,
            e.hash,
        )
        writer.writerow([spreadsheet_cell(v) for v in row])
    return out.getvalue()
