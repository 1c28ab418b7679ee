"""Link-free reads of a regulation file for the other features (the Hub flows), one cheap query each.

No access check and no audit: they carry no patient data and serve the platform's own work (is a partner's message
about one of our files, may a note still be added to it). What a person reads goes through `service` (checked and
audited).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from sisamu.cases.tables import case_file
from sisamu.domain.codes import Etat


def file_state(conn: Connection, samu_id: str, number: str) -> Etat | None:
    """The life-cycle state of the SAMU's file `number`; None when the SAMU has no such file."""
    found = conn.execute(
        select(case_file.c.state).where((case_file.c.samu_id == samu_id) & (case_file.c.number == number))
    ).scalar_one_or_none()
    return Etat(found) if found is not None else None
