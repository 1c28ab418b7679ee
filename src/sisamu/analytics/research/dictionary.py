"""The data dictionary of the research export: every table's columns with their Parquet type and meaning. The
writer builds its schemas from it and writes it beside the data (`dictionary.json`, `dictionary.md`)."""

from __future__ import annotations

import pyarrow as pa

from sisamu.domain.codes import StatutVecteur

_WHEN = [
    (
        "period",
        pa.string(),
        "semaine (AAAA-Snn), mois (AAAA-MM) ou trimestre (AAAA-Tn), heure de Paris, selon le niveau",
    ),
    (
        "day_band",
        pa.string(),
        "tranche du jour (nuit 0–6 h, matin, après-midi, soir) ; vide aux niveaux 4 et 5",
    ),
    ("place", pa.string(), "département, région ou France, selon le niveau"),
]
_STATUSES = [s for s in StatutVecteur if s is not StatutVecteur.DECISION]

COLUMNS: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "calls": [
        ("call_id", pa.string(), "pseudonyme de l'appel"),
        ("caller_id", pa.string(), "pseudonyme du numéro appelant (relie les appels d'un même numéro) ; vide si masqué"),
        *_WHEN,
        ("flux", pa.string(), "flux téléphonique (15, 116117…)"),
        ("priority", pa.string(), "priorité téléphonique (UV, PX)"),
        ("state", pa.string(), "dernier état de l'appel"),
        ("answered", pa.bool_(), "décroché par un ARM"),
        ("abandoned", pa.bool_(), "raccroché avant la réponse"),
        ("wait_s", pa.float64(), "attente en secondes, de l'offre à la réponse ou au raccroché"),
        ("overflowed", pa.bool_(), "servi par un autre SAMU (débordement)"),
    ],
    "files": [
        ("file_id", pa.string(), "pseudonyme du dossier de régulation"),
        ("call_id", pa.string(), "pseudonyme de l'appel qui l'a ouvert (table calls)"),
        *_WHEN,
        ("priority", pa.string(), "priorité de régulation (P0–P3, NR)"),
        ("motif", pa.string(), "motif de recours (nomenclature Hub Santé)"),
        ("lieu", pa.string(), "type de lieu (nomenclature Hub Santé)"),
        ("attribution", pa.string(), "attribution DR / DRM"),
        ("state", pa.string(), "état du dossier (nomenclature Hub Santé)"),
        ("aml", pa.bool_(), "localisation AML reçue"),
        ("queue_s", pa.float64(), "secondes de l'ouverture à la mise en file de régulation"),
        ("duration_s", pa.float64(), "secondes de l'ouverture à la clôture"),
    ],
    "patients": [
        ("patient_id", pa.string(), "pseudonyme du patient dans ce dossier"),
        ("file_id", pa.string(), "pseudonyme du dossier (table files)"),
        *_WHEN,
        ("age_band", pa.string(), "tranche d'âge (10 ans, 20 ans ou 0-17 / 18-64 / 65+, selon le niveau)"),
        ("sex", pa.string(), "sexe (nomenclature Hub Santé)"),
        ("care_level", pa.string(), "niveau de soins R1–R4"),
        ("hypothesis_code", pa.string(), "hypothèse diagnostique principale (CIM-10)"),
    ],
    "decisions": [
        ("file_id", pa.string(), "pseudonyme du dossier"),
        ("patient_id", pa.string(), "pseudonyme du patient concerné, s'il est précisé"),
        ("decision_no", pa.int32(), "rang de la décision dans le dossier"),
        ("kind", pa.string(), "type de décision (nomenclature Hub Santé)"),
        ("resource_type", pa.string(), "type de ressource décidé"),
        ("reflex", pa.bool_(), "départ réflexe"),
        ("orientation", pa.string(), "type d'orientation"),
        ("medical_transport", pa.bool_(), "transport médicalisé"),
        ("after_s", pa.float64(), "secondes de l'ouverture du dossier à la décision"),
    ],
    "missions": [
        ("mission_id", pa.string(), "pseudonyme de la mission"),
        ("file_id", pa.string(), "pseudonyme du dossier"),
        ("vehicle", pa.string(), "type de vecteur (SMUR.VLM, SIS.VSAV…)"),
        ("crew_level", pa.string(), "niveau de l'équipage (MED, PARAMED, SECOURS)"),
        ("last_status", pa.string(), "dernier statut du vecteur"),
        *((f"{s.value.lower()}_after_s", pa.float64(), f"secondes de l'engagement au premier statut {s.value}")
          for s in _STATUSES),
    ],
}  # fmt: skip
STATUS_COLUMNS = {s.value: f"{s.value.lower()}_after_s" for s in _STATUSES}


def schema(table: str) -> pa.Schema:
    return pa.schema([(name, kind) for name, kind, _ in COLUMNS[table]])


def as_json() -> dict[str, list[dict[str, str]]]:
    return {
        table: [{"name": name, "type": str(kind), "description": text} for name, kind, text in columns]
        for table, columns in COLUMNS.items()
    }


def as_markdown() -> str:
    lines = ["# Dictionnaire des données (export recherche sisamu)", ""]
    for table, columns in COLUMNS.items():
        lines += [f"## {table}.parquet", "", "| colonne | type | signification |", "| --- | --- | --- |"]
        lines += [f"| `{name}` | {kind} | {text} |" for name, kind, text in columns]
        lines.append("")
    return "\n".join(lines)
