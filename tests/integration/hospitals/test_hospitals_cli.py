"""`sisamu hospitals attach`: a hospital's account is attached to one establishment of its SAMU, and to nothing
else; another role, another SAMU's hospital or an unknown account is refused in French."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sisamu.cli import app
from sisamu.config import get_settings

pytestmark = pytest.mark.db


def _invoke(monkeypatch, tmp_path, url: str, *args: str):
    monkeypatch.setenv("SISAMU_DATABASE_URL", url)
    monkeypatch.setenv("SISAMU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SISAMU_SECRET_KEY", "cli-test-secret")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def test_attach_a_hospital_account_to_its_establishment(monkeypatch, tmp_path, database_url, api):
    assert api("unattached.250").get("/api/samus/250/hospitals/status").status_code == 403
    done = _invoke(
        monkeypatch, tmp_path, database_url, "hospitals", "attach", "unattached.250", "ch-montbeliard-25"
    )
    assert done.exit_code == 0, done.output
    assert "unattached.250 rattaché à ch-montbeliard-25 (SAMU 250)." in done.output
    own = api("unattached.250").get("/api/samus/250/hospitals/status").json()
    assert [h["hospital_id"] for h in own] == ["ch-montbeliard-25"]
    for args in (("unattached.250", "ch-colmar-68"), ("supervisor.250", "chu-besancon-25"), ("nobody", "x")):
        refused = _invoke(monkeypatch, tmp_path, database_url, "hospitals", "attach", *args)
        assert refused.exit_code == 1, (args, refused.output)
        assert "Erreur" in refused.output
    assert (
        "Seul un compte d'établissement"
        in _invoke(
            monkeypatch, tmp_path, database_url, "hospitals", "attach", "supervisor.250", "chu-besancon-25"
        ).output
    )
