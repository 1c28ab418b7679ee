"""The registry's exports, CSV (semicolon-separated, UTF-8 with BOM, French headers, as the crisis log's):

- for SI-VIC (ANS): SI-VIC has no public API, so the practice is a file its operators import or copy from — one row
  per victim with its SINUS number, identity, category, status and destination;
- for the victims' information cell (cellule d'information du public): the victims whose identity is known, with
  where they are (status, destination), and nothing clinical (no category).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from sisamu.crisis.export import spreadsheet_cell
from sisamu.crisis.victims.model import STATUS_LABELS_FR, TRIAGE_LABELS_FR, VECTOR_LABELS_FR
from sisamu.hospitals.directory import hospital

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sisamu.crisis.victims.model import Victim

SIVIC_COLUMNS = (
    "N° SINUS",
    "Numéro attribué par le SAMU",
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Tranche d'âge",
    "Nationalité",
    "Catégorie",
    "Statut",
    "Site",
    "PMA",
    "Vecteur",
    "Établissement de destination",
    "FINESS",
    "Dossier de régulation",
    "Enregistrée le",
    "Mise à jour le",
)

CELL_COLUMNS = (
    "N° SINUS",
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Tranche d'âge",
    "Nationalité",
    "Situation",
    "Établissement",
    "Mise à jour le",
)


def _csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    return out.getvalue()


def _hospital(key: str | None) -> tuple[str, str]:
    if not key:
        return "", ""
    h = hospital(key)
    return h.name, h.finess or ""


def sivic_csv(victims: Iterable[Victim]) -> str:
    def row(v: Victim) -> tuple[str, ...]:
        i = v.identity
        name, finess = _hospital(v.destination)
        return (
            "" if v.allocated else v.number,
            v.number if v.allocated else "",
            i.last_name or "",
            i.first_name or "",
            i.sex or "",
            i.birth_date.isoformat() if i.birth_date else "",
            str(i.age_band or ""),
            i.nationality or "",
            TRIAGE_LABELS_FR[v.triage],
            STATUS_LABELS_FR[v.status],
            v.site or "",
            v.pma or "",
            VECTOR_LABELS_FR[v.vector] if v.vector else "",
            name,
            finess,
            v.patient.file_number if v.patient else "",
            v.created_at.isoformat(),
            v.updated_at.isoformat(),
        )

    return _csv(SIVIC_COLUMNS, (row(v) for v in victims))


def information_cell_csv(victims: Iterable[Victim]) -> str:
    def row(v: Victim) -> tuple[str, ...]:
        i = v.identity
        name, _ = _hospital(v.destination)
        return (
            v.number,
            i.last_name or "",
            i.first_name or "",
            i.sex or "",
            i.birth_date.isoformat() if i.birth_date else "",
            str(i.age_band or ""),
            i.nationality or "",
            STATUS_LABELS_FR[v.status],
            name,
            v.updated_at.isoformat(),
        )

    return _csv(CELL_COLUMNS, (row(v) for v in victims if v.identity.known))
