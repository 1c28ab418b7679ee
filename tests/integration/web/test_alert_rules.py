"""The Prometheus alert rules shipped in deploy/prometheus: valid, behaving as their unit tests say (promtool), and
naming only metrics the platform exposes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from sisamu.web.live import LiveHub
from sisamu.web.metrics_api import PlatformCollector, registry_for
from support import missing_service

RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        missing_service(
            "promtool is not installed (apt-get install --no-install-recommends prometheus); CI installs it"
        )
    return str(found)


def test_rules_are_valid_and_pass_their_unit_tests():
    promtool = _promtool()
    checked = subprocess.run(
        [promtool, "check", "rules", "alerts.yml"], cwd=RULES, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [promtool, "test", "rules", "alerts.test.yml"], cwd=RULES, capture_output=True, text=True, check=False
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


@pytest.mark.db
def test_rules_name_only_metrics_the_platform_exposes(platform):
    exposed = {
        family.name
        for family in text_string_to_metric_families(
            generate_latest(
                registry_for(PlatformCollector(platform, LiveHub("postgresql://unused")))
            ).decode()
        )
    }
    rules = yaml.safe_load((RULES / "alerts.yml").read_text(encoding="utf-8"))
    used = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            used |= set(re.findall(r"\bsisamu_[a-z0-9_]+", rule["expr"]))
    assert used, "no sisamu metric in the rules"
    named = {next((n[: -len(s)] for s in SUFFIXES if n.endswith(s)), n) for n in used}
    assert named <= exposed, f"rules name metrics nobody exposes: {sorted(named - exposed)}"
