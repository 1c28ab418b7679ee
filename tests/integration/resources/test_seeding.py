"""Demo units of the pilot rooms: SMUR vehicles at the SMUR bases, ambulances in the largest communes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sisamu.resources.tables import resource
from sisamu.seeding import seed
from sisamu.storage.tables import account

pytestmark = pytest.mark.db


def test_pilot_rooms_get_deterministic_demo_units(platform):
    seed(platform, "pilots")
    with platform.engine.connect() as conn:
        rows = conn.execute(select(resource).where(resource.c.samu_id == "250")).all()
        total = conn.execute(select(func.count()).select_from(resource)).scalar_one()
    by_id = {row.resource_id: row for row in rows}
    assert {"VLM.chu-besancon-25", "AR.chu-besancon-25", "HELI.chu-besancon-25"} <= by_id.keys()
    assert {"VLM.ch-montbeliard-25", "AR.ch-montbeliard-25"} <= by_id.keys()
    assert "HELI.ch-montbeliard-25" not in by_id
    assert {"TSU1.25056", "TSU2.25056", "VSAV.25056"} <= by_id.keys()  # Besançon, the largest commune
    assert sum(row.vehicle == "TSU.AMB" for row in rows) == 6
    assert sum(row.partner for row in rows) == 3
    vlm = by_id["VLM.chu-besancon-25"]
    assert (vlm.base_id, vlm.crew_level, vlm.availability) == ("smur.chu-besancon-25", "MED", "AVAILABLE")
    seed(platform, "pilots")  # idempotent
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(resource)).scalar_one() == total


def test_each_demo_crew_works_on_its_rooms_first_smur_car(platform):
    seed(platform, "pilots", demo_accounts=True)
    seed(platform, "pilots", demo_accounts=True)  # idempotent: still one car per crew
    with platform.engine.connect() as conn:
        crews = dict(
            conn.execute(
                select(account.c.username, account.c.account_id).where(account.c.username.like("crew.%"))
            ).all()
        )
        linked = conn.execute(
            select(resource.c.samu_id, resource.c.resource_id, resource.c.crew_account_id).where(
                resource.c.crew_account_id.is_not(None)
            )
        ).all()
    assert len(linked) == len(crews) == 11  # the pilot rooms
    for row in linked:
        assert row.crew_account_id == crews[f"crew.{row.samu_id.lower()}"]
        assert row.resource_id.startswith("VLM.")
    assert ("250", "VLM.ch-montbeliard-25") in {(row.samu_id, row.resource_id) for row in linked}
