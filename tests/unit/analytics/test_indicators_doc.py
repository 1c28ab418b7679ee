"""docs/indicators.md publishes every indicator as the code defines it."""

from __future__ import annotations

from pathlib import Path

from sisamu.analytics.indicators import ACTIVITY_INDICATORS, INDICATORS

DOC = Path(__file__).parents[3] / "docs" / "indicators.md"


def test_the_published_table_matches_the_definitions() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    every = (*INDICATORS, *ACTIVITY_INDICATORS)
    assert set(rows) == {i.key for i in every}
    for indicator in every:
        assert rows[indicator.key] == [
            indicator.label_fr,
            indicator.unit,
            indicator.formula,
            indicator.sources,
        ]
