"""The Hub message a recorded SMUR report left in (the flows send it in the recording's transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sisamu.hubsante.tables import hub_outbox
from sisamu.platform.events import SmurReport, SmurReportSent


@dataclass(frozen=True)
class Left:
    distribution_id: str
    sender_id: str
    recipient_id: str


def message_left(uow: Any, report: SmurReport, report_id: int) -> Left | None:
    """The outbox row of the message `SmurReportSent` names for this report, read in the recording's transaction."""
    for event in uow.recorded:
        if isinstance(event, SmurReportSent) and event.report is report and event.report_id == report_id:
            row = uow.conn.execute(
                sa.select(hub_outbox).where(hub_outbox.c.distribution_id == event.distribution_id)
            ).one()
            return Left(row.distribution_id, row.sender, row.recipient)
    return None
