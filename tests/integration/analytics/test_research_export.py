"""The research export on real PostgreSQL: pseudonymised, no identifier or free text left in the Parquet files,
k-anonymous (or refused), reproducible from its manifest, audited, and queried with DuckDB through the CLI."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from factories import add_samu, add_unit
from sisamu.analytics.research import export as exporting
from sisamu.analytics.research.pseudonyms import Pseudonymiser, load_key, new_key
from sisamu.calls.tables import phone_call
from sisamu.cases.tables import case_decision, case_file, case_note, case_patient
from sisamu.cli import app
from sisamu.resources.tables import mission, mission_status
from sisamu.security import audit
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRETS = (
    "0612345678",
    "Dupont",
    "Jeanne",
    "12 rue des Lilas",
    "douleur thoracique depuis ce matin",
    "DRFR15",
)


def _file(conn, n: int, *, insee: str = "25056", birth: date = date(1950, 6, 1)) -> None:
    number = f"DRFR152502606100{n:03d}"
    at = T0 + timedelta(minutes=n)
    conn.execute(sa.insert(phone_call).values(
        samu_id="250", call_id=f"call-{n}", handling_samu_id="250", flux="15", priority="PX", state="ended",
        caller_number="0612345678", offered_at=at, answered_at=at + timedelta(seconds=20), ended_at=at + timedelta(minutes=3),
        updated_at=at,
    ))  # fmt: skip
    conn.execute(sa.insert(case_file).values(
        samu_id="250", number=number, case_id=f"fr.health.samu250.{number}", state="ACHEVE", created_at=at,
        opened_by="arm.250", updated_at=at, priority="P1", step="REGULATED", call_id=f"call-{n}",
        caller_name="Jeanne Dupont", caller_phone="+33612345678", address="12 rue des Lilas",
        commune_insee=insee, commune_name="Besançon", motif="MALAISE", queued_at=at + timedelta(minutes=2),
        closed_at=at + timedelta(hours=1),
    ))  # fmt: skip
    conn.execute(sa.insert(case_patient).values(
        samu_id="250", number=number, patient_no=1, last_name="Dupont", first_name="Jeanne", birth_date=birth,
        sex="F", care_level="R2", search_name="dupont jeanne", hypothesis={"main": {"code": "I21", "label": "IDM"}},
    ))  # fmt: skip
    conn.execute(sa.insert(case_decision).values(
        samu_id="250", number=number, decision_no=1, kind="INTER", patient_no=1, resource_type="SMUR",
        destination="12 rue des Lilas", comment="douleur thoracique depuis ce matin", author="Dr House",
        role="regulator", created_at=at + timedelta(minutes=5),
    ))  # fmt: skip
    conn.execute(sa.insert(case_note).values(
        samu_id="250", number=number, note_no=1, body="douleur thoracique depuis ce matin", author="Dr House",
        role="regulator", created_at=at,
    ))  # fmt: skip
    mission_id = conn.execute(sa.insert(mission).values(
        samu_id="250", resource_id="VLM.250", file_number=number, status="ARRIVEE", status_at=at,
        engaged_by="Dr House", created_at=at + timedelta(minutes=6),
    ).returning(mission.c.mission_id)).scalar_one()  # fmt: skip
    for seq, (status, after) in enumerate((("DECLENCHE", 1), ("DEPART", 3), ("ARRIVEE", 15))):
        conn.execute(sa.insert(mission_status).values(
            samu_id="250", mission_id=mission_id, seq=seq, status=status, at=at + timedelta(minutes=6 + after),
            recorded_at=at, source="CREW", actor="crew",
        ))  # fmt: skip


@pytest.fixture
def files(platform):
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_unit(uow, "250", "VLM.250", now=T0)
    with platform.engine.begin() as conn:
        for n in range(6):
            _file(conn, n)
    return platform


@pytest.fixture
def key(tmp_path) -> Path:
    path = tmp_path / "custodian" / "research.key"
    new_key(path)
    return path


def _export(platform, key: Path, out: Path, k: int = 5) -> exporting.Exported:
    return exporting.export(
        platform.engine, start=DAY, end=DAY, out_dir=out, pseudonymiser=Pseudonymiser(load_key(key, out_dir=out)),
        k=k, now=T0 + timedelta(days=1), operator="cli:test",
    )  # fmt: skip


def test_no_identifier_or_free_text_survives_and_pseudonyms_link_the_tables(files, key, tmp_path):
    out = tmp_path / "export"
    done = _export(files, key, out)
    assert done.rows == {"calls": 6, "files": 6, "patients": 6, "decisions": 6, "missions": 6}
    for parquet in out.glob("*.parquet"):
        raw = parquet.read_bytes()
        text = json.dumps(pq.read_table(parquet).to_pylist(), default=str)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} in {parquet.name}"
            assert secret.encode() not in raw
    patients = pq.read_table(out / "patients.parquet").to_pylist()
    file_ids = {f["file_id"] for f in pq.read_table(out / "files.parquet").to_pylist()}
    assert {p["file_id"] for p in patients} == file_ids
    assert {p["age_band"] for p in patients} == {"70-79"}  # born 1950, called in 2026
    assert {p["place"] for p in patients} == {"25"}
    callers = {c["caller_id"] for c in pq.read_table(out / "calls.parquet").to_pylist()}
    assert len(callers) == 1  # the same number, the same pseudonym: repeated calls stay linked
    missions = pq.read_table(out / "missions.parquet").to_pylist()
    assert missions[0]["depart_after_s"] == 180.0
    decisions = pq.read_table(out / "decisions.parquet").to_pylist()
    assert decisions[0]["after_s"] == 300.0


def test_the_manifest_reproduces_the_export_and_the_export_is_audited(files, key, tmp_path):
    out = tmp_path / "export"
    done = _export(files, key, out)
    manifest = json.loads(done.manifest.read_text())
    assert manifest["k_requested"] == 5
    assert manifest["k_reached"] >= 5
    for table in manifest["tables"].values():
        assert hashlib.sha256((out / table["file"]).read_bytes()).hexdigest() == table["sha256"]
    again = _export(files, key, tmp_path / "again")
    for name, table in json.loads(again.manifest.read_text())["tables"].items():
        assert table["rows"] == manifest["tables"][name]["rows"]
        assert pq.read_table(out / table["file"]).equals(pq.read_table(tmp_path / "again" / table["file"]))
    with files.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_event.c.action, audit_event.c.actor))]
        assert actions.count("research.export") == 2
        assert audit.verify(conn)[1] == []


def test_an_export_below_k_is_refused_and_writes_nothing(files, key, tmp_path):
    with files.engine.begin() as conn:  # one patient alone of their age in another département
        _file(conn, 50, insee="75056", birth=date(2001, 1, 1))
    with pytest.raises(exporting.BelowK) as refused:
        _export(files, key, tmp_path / "export", k=10)
    assert refused.value.reached < 10
    assert not (tmp_path / "export").exists()


def test_a_rare_record_generalises_the_export_until_k_holds(files, key, tmp_path):
    with files.engine.begin() as conn:
        for n in range(50, 55):
            _file(conn, n, birth=date(1975, 1, 1))  # five patients in their fifties
        _file(conn, 60, birth=date(1985, 1, 1))  # one alone in their forties
    done = _export(files, key, tmp_path / "export", k=5)
    assert done.level.number == 2  # 20-year bands: the forties join the fifties
    assert done.k_reached >= 5
    patients = pq.read_table(tmp_path / "export" / "patients.parquet").to_pylist()
    assert len(patients) == 12  # generalised, none suppressed
    assert {p["age_band"] for p in patients} == {"40-59", "60-79"}


def test_the_key_is_never_kept_with_the_export(tmp_path):
    inside = tmp_path / "export" / "research.key"
    new_key(inside)
    with pytest.raises(ValueError, match="must not be stored with the export"):
        load_key(inside, out_dir=tmp_path / "export")
    loose = tmp_path / "loose.key"
    new_key(loose)
    loose.chmod(0o644)
    with pytest.raises(ValueError, match="readable by others"):
        load_key(loose, out_dir=tmp_path / "export")


def test_the_cli_exports_and_duckdb_answers_over_the_export(files, key, tmp_path, monkeypatch):
    monkeypatch.setenv("SISAMU_DATABASE_URL", files.settings.database_url)
    monkeypatch.setenv("SISAMU_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    out = tmp_path / "cli-export"
    exported = runner.invoke(app, ["research", "export", "--start", "2026-03-02", "--end", "2026-03-02", "--out",
                                   str(out), "--key-file", str(key)])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert "k atteint" in exported.output
    answer = runner.invoke(app, ["research", "query", str(out),
                                 "SELECT age_band, count(*) AS n FROM patients GROUP BY age_band", "--csv"])  # fmt: skip
    assert answer.exit_code == 0, answer.output
    assert answer.stdout.splitlines() == ["age_band,n", "70-79,6"]
    example = Path(__file__).parents[3] / "examples" / "research" / "activity_figures.sql"
    figures = runner.invoke(app, ["research", "query", str(out), "--file", str(example), "--csv"])
    assert figures.exit_code == 0, figures.output
    header, row = figures.stdout.splitlines()
    got = dict(zip(header.split(","), row.split(","), strict=True))
    assert (got["calls"], got["files"], got["p1_pct"], got["smur_missions"]) == ("6", "6", "100.0", "6")
    assert (float(got["decision_median_s"]), float(got["departure_median_s"])) == (300.0, 180.0)
    refused = runner.invoke(app, ["research", "query", str(out), "SELECT nope FROM patients"])
    assert refused.exit_code == 2
    assert "requête refusée par DuckDB" in refused.output
