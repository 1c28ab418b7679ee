"""The conformance scenarios' RS-RI, RS-SR and RS-ER `send` steps, typed into sisamu's resources feature.

An RS-RI step's units become sisamu units (call sign = the tail of the example's `resourceId`, vehicle, name, crew
level, team name and crew phone as written), engaged on the scenario's file at their DECISION time (a unit listed
from DECLENCHE without DECISION is engaged already triggered; else at its first status or its datetime) and moved
through the statuses the example lists, in time order; `share_resources` then builds the message from the
missions. An RS-SR step reports the status on the unit's mission (engaging it first if no RS-RI announced it) and
`share_status` builds the message. An RS-ER step is the physician asking the SMUR software for the example's kinds
of unit (`engagement.request_engagement`).
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime
from typing import Any

from scenario_driver import Replay, example

from factories import add_unit
from sisamu.domain.codes import StatutVecteur
from sisamu.hubsante.datetimes import parse_hub_datetime
from sisamu.interop import engagement, resources_share
from sisamu.resources import service as fleet
from sisamu.resources import store
from sisamu.resources.mission import NEXT
from sisamu.security.errors import NotFound


def call_sign(resource_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", resource_id.rsplit(".resource.", 1)[-1])[:40]


class ResourceReplay(Replay):
    """`Replay` that can also send RS-RI and RS-SR."""

    def send(self, step: dict[str, Any]) -> dict[str, Any]:
        if step["model"] == "RS-ER":
            return self._engagement(step)
        if step["model"] not in ("RS-RI", "RS-SR"):
            return super().send(step)
        body = next(iter(example(step).values()))
        with self.platform.uow() as uow:
            if step["model"] == "RS-RI":
                mission_ids = [self._engaged(uow, resource) for resource in body["resource"]]
                now = max(parse_hub_datetime(r["datetime"]) for r in body["resource"])
                sent = resources_share.share_resources(
                    uow,
                    principal=None,
                    samu_id=self.samu_id,
                    number=self._number(),
                    now=now,
                    mission_ids=mission_ids,
                )
            else:
                state = body["state"]
                resource = {"resourceId": body["resourceId"], "datetime": state["datetime"], "state": []}
                mission_id = self._engaged(uow, resource)
                self._report(uow, mission_id, state)
                sent = resources_share.share_status(
                    uow,
                    principal=None,
                    samu_id=self.samu_id,
                    mission_id=mission_id,
                    now=parse_hub_datetime(state["datetime"]),
                )
        (message,) = [m for m in sent if m.recipient_id == self.partner]
        return self._stored(message.distribution_id)

    def _engagement(self, step: dict[str, Any]) -> dict[str, Any]:
        """RS-ER: the physician asks the SMUR software for the example's resources (kind, crew level, free text)."""
        body = next(iter(example(step).values()))
        asked = [
            engagement.Asked(
                vehicle=r["vehicleType"],
                medical_level=(r.get("team") or {}).get("medicalLevel"),
                freetext=tuple(r.get("freetext") or ()),
            )
            for r in body["resource"]
        ]
        with self.platform.uow() as uow:
            message = engagement.request_engagement(
                uow,
                principal=self.who({"role": "MEDECIN"}),
                number=self._number(),
                to=self.partner,
                asked=asked,
                now=datetime.now().astimezone(),
            )
        return self._stored(message.distribution_id)

    def _stored(self, distribution_id: str) -> dict[str, Any]:
        import sqlalchemy as sa

        from sisamu.hubsante.tables import hub_outbox

        with self.platform.engine.connect() as conn:
            stored = conn.execute(
                sa.select(hub_outbox.c.body).where(hub_outbox.c.distribution_id == distribution_id)
            ).scalar_one()
        return dict(stored["content"][0]["jsonContent"]["embeddedJsonContent"]["message"])

    def _engaged(self, uow: Any, resource: dict[str, Any]) -> int:
        """The unit's open mission on the file, the unit created and engaged when needed; statuses reported."""
        sign = call_sign(resource["resourceId"])
        states = sorted(resource.get("state") or [], key=lambda s: s["datetime"])
        try:
            fleet.load_unit(uow, self.samu_id, sign, lock=False)
        except NotFound:
            team = resource.get("team") or {}
            add_unit(
                uow,
                self.samu_id,
                sign,
                name=resource.get("name") or sign,
                vehicle=resource.get("vehicleType", "SMUR.VLM"),
                crew_level=team.get("medicalLevel", "MED"),
                base=(47.2, -1.55),
                partner=str(resource.get("orgId", "")).startswith("fr.fire"),
                team_name=team.get("name"),
                crew_phone=_phone(resource),
                now=parse_hub_datetime(resource["datetime"]),
            )
        mission_id = store.latest_mission_id(uow.conn, self.samu_id, sign)
        if mission_id is None:
            decision = next((s for s in states if s["status"] == "DECISION"), None)
            # No DECISION listed and DECLENCHE first: the unit was triggered at once (départ réflexe, or a
            # partner's unit triggered by its own centre).
            triggered = decision is None and bool(states) and states[0]["status"] == "DECLENCHE"
            at = parse_hub_datetime((decision or (states[0] if states else resource))["datetime"])
            mission_id = fleet.engage(
                uow, principal=None, number=self._number(), resource_id=sign, now=at, triggered=triggered
            ).mission_id
        for state in states:
            self._report(uow, mission_id, state)
        return mission_id

    def _report(self, uow: Any, mission_id: int, state: dict[str, Any]) -> None:
        item = store.load_mission(uow.conn, self.samu_id, mission_id, lock=False)
        assert item is not None
        if any(entry.status == state["status"] for entry in item.history):
            return
        at = parse_hub_datetime(state["datetime"])
        # The scenarios skip statuses sisamu's cycle goes through (DECLENCHE → ARRIVEE): the crew's terminal
        # reports each of them, at the same time.
        for status in path(item.status, StatutVecteur(state["status"])):
            fleet.report_status(
                uow, principal=None, samu_id=self.samu_id, mission_id=mission_id, status=status, now=at
            )


def _phone(resource: dict[str, Any]) -> str | None:
    contact = resource.get("contact") or {}
    return contact.get("details") if contact.get("type") == "TEL" else None


def path(start: StatutVecteur, target: StatutVecteur) -> list[StatutVecteur]:
    """The shortest way through the mission cycle from `start` to `target` (without `start`)."""
    came: dict[StatutVecteur, StatutVecteur | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current is target:
            break
        for following in sorted(NEXT[current]):
            if following not in came:
                came[following] = current
                queue.append(following)
    if target not in came:
        return [target]  # refused by the cycle: let the service say why
    steps = []
    node: StatutVecteur | None = target
    while node is not None and node is not start:
        steps.append(node)
        node = came[node]
    return steps[::-1]
