"""`export`: the research data set of a period, in two passes over the platform's data.

1. Count the quasi-identifier classes of calls, files and patients at every level of the ladder
   (`generalise.LADDER`) and take the first level at which the smallest class holds k records; refuse below k.
2. Write each table as Parquet at that level: identifiers replaced by keyed pseudonyms, no phone number, name,
   address, note or other free text, times as durations from the file's (or the mission's) start.

Then write the data dictionary and a manifest (parameters, the k reached, row counts, SHA-256 of each file) that
lets a study be reproduced, and append the export to the audit trail. Memory stays bounded by the number of
quasi-identifier classes (each table is written as it is read).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from sisamu import __version__
from sisamu.analytics.research import dictionary
from sisamu.analytics.research.generalise import (
    LADDER,
    PARIS,
    Classes,
    Level,
    age_band,
    age_years,
    day_band,
    departement_of_commune,
    period,
    place,
)
from sisamu.analytics.research.pseudonyms import Pseudonymiser
from sisamu.analytics.service import bounds
from sisamu.calls import queries as calls
from sisamu.cases import queries as cases
from sisamu.resources import queries as resources
from sisamu.security import audit
from sisamu.tenants import queries as tenants

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

FORMAT = "sisamu-research/1"
_BATCH = 10_000


class BelowK(Exception):
    """Even the most general level leaves a class smaller than k: nothing is written."""

    def __init__(self, k: int, reached: int) -> None:
        super().__init__(f"k-anonymity not reached: the smallest class holds {reached} records at the most "
                         f"general level, below k = {k}")  # fmt: skip
        self.k = k
        self.reached = reached


@dataclass(frozen=True, slots=True)
class Exported:
    level: Level
    k_reached: int
    rows: dict[str, int]
    manifest: Path


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds()


class _Sources:
    """The platform's facts of the period, read through each feature's public queries."""

    def __init__(self, conn: Connection, since: datetime, until: datetime) -> None:
        self.conn, self.since, self.until = conn, since, until
        self.departements = tenants.departements(conn)

    def calls(self) -> Iterator[dict[str, Any]]:
        return calls.research_calls(self.conn, self.since, self.until)

    def files(self) -> Iterator[dict[str, Any]]:
        return cases.research_files(self.conn, self.since, self.until)

    def patients(self) -> Iterator[dict[str, Any]]:
        return cases.research_patients(self.conn, self.since, self.until)

    def decisions(self) -> Iterator[dict[str, Any]]:
        return cases.research_decisions(self.conn, self.since, self.until)

    def missions(self) -> Iterator[dict[str, Any]]:
        return resources.research_missions(self.conn, self.since, self.until)

    def departement(self, samu_id: str, commune_insee: str | None = None) -> str | None:
        return departement_of_commune(commune_insee) or self.departements.get(samu_id)


@lru_cache(maxsize=1 << 20)
def _generalised(
    day: date, band: int, departement: str | None, level: Level
) -> tuple[str, str | None, str | None]:
    return period(day, level), day_band(band * 6, level), place(departement, level)


def _when(local: datetime, departement: str | None, level: Level) -> tuple[str, str | None, str | None]:
    """When and where at this level; few distinct answers (days × bands × départements), so they are cached."""
    return _generalised(local.date(), local.hour // 6, departement, level)


def _paris(at: datetime) -> datetime:
    return at.astimezone(PARIS)


def _place_key(level: Level, raw: tuple[Any, ...]) -> tuple[Any, ...]:
    day, band, departement = raw
    return _generalised(day, band, departement, level)


def _patient_class(level: Level, raw: tuple[Any, ...]) -> tuple[Any, ...]:
    day, band, departement, years, sex = raw
    return (*_generalised(day, band, departement, level), age_band(years, level), sex)


def _classes(src: _Sources) -> Classes:
    classes = Classes()
    for c in src.calls():
        local = _paris(c["offered_at"])
        classes.add("calls", _place_key, (local.date(), local.hour // 6, src.departement(c["samu_id"])))
    for f in src.files():
        local = _paris(f["created_at"])
        dep = src.departement(f["samu_id"], f["commune_insee"])
        classes.add("files", _place_key, (local.date(), local.hour // 6, dep))
    for p in src.patients():
        local = _paris(p["created_at"])
        dep = src.departement(p["samu_id"], p["commune_insee"])
        years = age_years(p["birth_date"], p["age"], p["created_at"])
        classes.add("patients", _patient_class, (local.date(), local.hour // 6, dep, years, p["sex"]))
    return classes


def choose_level(classes: Classes, k: int) -> tuple[Level, int]:
    for level in LADDER:
        smallest = classes.smallest(level)
        if smallest >= k:
            return level, smallest
    raise BelowK(k, classes.smallest(LADDER[-1]))


class _Rows:
    """Builds each table's rows at the chosen level."""

    def __init__(self, src: _Sources, ps: Pseudonymiser, level: Level) -> None:
        self.src, self.ps, self.level = src, ps, level

    def calls(self) -> Iterator[dict[str, Any]]:
        for c in self.src.calls():
            period_, band, where = _when(
                _paris(c["offered_at"]), self.src.departement(c["samu_id"]), self.level
            )
            number = c["caller_number"]
            yield {
                "call_id": self.ps("call", c["samu_id"], c["call_id"]),
                "caller_id": self.ps("caller", number) if number else None,
                "period": period_, "day_band": band, "place": where,
                "flux": c["flux"], "priority": c["priority"], "state": c["state"],
                "answered": c["answered_at"] is not None, "abandoned": c["abandoned_at"] is not None,
                "wait_s": _seconds(c["offered_at"], c["answered_at"] or c["abandoned_at"]),
                "overflowed": c["handling_samu_id"] != c["samu_id"],
            }  # fmt: skip

    def files(self) -> Iterator[dict[str, Any]]:
        for f in self.src.files():
            dep = self.src.departement(f["samu_id"], f["commune_insee"])
            period_, band, where = _when(_paris(f["created_at"]), dep, self.level)
            yield {
                "file_id": self.ps("file", f["samu_id"], f["number"]),
                "call_id": self.ps("call", f["samu_id"], f["call_id"]) if f["call_id"] else None,
                "period": period_, "day_band": band, "place": where,
                "priority": f["priority"], "motif": f["motif"], "lieu": f["lieu"], "attribution": f["attribution"],
                "state": f["state"], "aml": f["aml"],
                "queue_s": _seconds(f["created_at"], f["queued_at"]),
                "duration_s": _seconds(f["created_at"], f["closed_at"]),
            }  # fmt: skip

    def patients(self) -> Iterator[dict[str, Any]]:
        for p in self.src.patients():
            dep = self.src.departement(p["samu_id"], p["commune_insee"])
            period_, band, where = _when(_paris(p["created_at"]), dep, self.level)
            yield {
                "patient_id": self.ps("patient", p["samu_id"], p["number"], p["patient_no"]),
                "file_id": self.ps("file", p["samu_id"], p["number"]),
                "period": period_, "day_band": band, "place": where,
                "age_band": age_band(age_years(p["birth_date"], p["age"], p["created_at"]), self.level),
                "sex": p["sex"], "care_level": p["care_level"], "hypothesis_code": p["hypothesis_code"],
            }  # fmt: skip

    def decisions(self) -> Iterator[dict[str, Any]]:
        for d in self.src.decisions():
            patient = d["patient_no"]
            yield {
                "file_id": self.ps("file", d["samu_id"], d["number"]),
                "patient_id": self.ps("patient", d["samu_id"], d["number"], patient) if patient else None,
                "decision_no": d["decision_no"], "kind": d["kind"], "resource_type": d["resource_type"],
                "reflex": d["reflex"], "orientation": d["orientation"], "medical_transport": d["medical_transport"],
                "after_s": _seconds(d["file_created_at"], d["created_at"]),
            }  # fmt: skip

    def missions(self) -> Iterator[dict[str, Any]]:
        for m in self.src.missions():
            times = m["times"] or {}
            row = {
                "mission_id": self.ps("mission", m["samu_id"], m["mission_id"]),
                "file_id": self.ps("file", m["samu_id"], m["file_number"]),
                "vehicle": m["vehicle"], "crew_level": m["crew_level"], "last_status": m["status"],
            }  # fmt: skip
            for status, column in dictionary.STATUS_COLUMNS.items():
                at = times.get(status)
                row[column] = _seconds(m["created_at"], datetime.fromisoformat(at)) if at else None
            yield row


def _write(path: Path, table: str, rows: Iterable[dict[str, Any]]) -> int:
    schema = dictionary.schema(table)
    written = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for row in rows:
            batch.append(row)
            if len(batch) == _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written, batch = written + len(batch), []
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return written + len(batch)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export(
    engine: Engine,
    *,
    start: date,
    end: date,
    out_dir: Path,
    pseudonymiser: Pseudonymiser,
    k: int,
    now: datetime,
    operator: str,
    progress: Callable[[str], None] | None = None,
) -> Exported:
    """Write the research data set of the local days [start, end] into `out_dir` (new or empty)."""
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty: an export never overwrites another")
    since, until = bounds(start, end, PARIS)
    with engine.connect() as conn:
        src = _Sources(conn, since, until)
        level, reached = choose_level(_classes(src), k)
        out_dir.mkdir(parents=True, exist_ok=True)
        rows = _Rows(src, pseudonymiser, level)
        tables: dict[str, dict[str, Any]] = {}
        for table in dictionary.COLUMNS:
            if progress is not None:
                progress(table)
            path = out_dir / f"{table}.parquet"
            count = _write(path, table, getattr(rows, table)())
            tables[table] = {"file": path.name, "rows": count, "sha256": _sha256(path)}
    (out_dir / "dictionary.json").write_text(json.dumps(dictionary.as_json(), ensure_ascii=False, indent=2))
    (out_dir / "dictionary.md").write_text(dictionary.as_markdown(), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "sisamu_version": __version__,
        "created_at": now.isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat(), "time_zone": "Europe/Paris"},
        "k_requested": k,
        "k_reached": reached,
        "level": asdict(level),
        "key_fingerprint": pseudonymiser.fingerprint,
        "tables": tables,
    }
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    with engine.begin() as conn:
        audit.record(
            conn, principal=None, samu_id=None, action="research.export", object_type="research_export",
            object_id=_sha256(manifest_path)[:16], at=now, actor=operator,
            detail={"period": manifest["period"], "k_requested": k, "k_reached": reached, "level": level.number,
                    "rows": {t: v["rows"] for t, v in tables.items()}, "key_fingerprint": pseudonymiser.fingerprint},
        )  # fmt: skip
    return Exported(level, reached, {t: v["rows"] for t, v in tables.items()}, manifest_path)
