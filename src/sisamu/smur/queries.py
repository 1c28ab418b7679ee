# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Reads of the SMUR feature for the Hub flows: the SAMU's SMUR software on the Hub, the files it received from
an LRM, and the crew's reports to send.

No access check and no audit: the callers are the platform's Hub flows (which audit what they send); what a person
reads goes through `service` (checked and audited). The tables stay private to this feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, desc, select

from sisamu.smur.tables import smur_bilan, smur_client, smur_document_link, smur_intervention, smur_rpis


@dataclass(frozen=True, slots=True)
class SmurClient:
    """A SAMU's SMUR software on the Hub (`service.configure_client`)."""

    samu_id: str
    client_id: str
    finess_legal: str | None
    finess_geo: str | None
    structure: str


@dataclass(frozen=True, slots=True)
class InterventionRecord:
    """A file the SMUR software received from the regulating LRM (`exchange.record_intervention`)."""

    samu_id: str
    number: str
    case_id: str
    lrm: str
    client_id: str


def client_of(conn: Connection, samu_id: str) -> SmurClient | None:
    row = conn.execute(select(smur_client).where(smur_client.c.samu_id == samu_id)).first()
    if row is None:
        return None
    return SmurClient(row.samu_id, row.client_id, row.finess_legal, row.finess_geo, row.structure)


def samu_of_client(conn: Connection, client_id: str) -> str | None:
    """The SAMU whose SMUR software has the Hub client id `client_id`, if any."""
    found = conn.execute(
        select(smur_client.c.samu_id).where(smur_client.c.client_id == client_id)
    ).scalar_one_or_none()
    return str(found) if found is not None else None


def intervention(conn: Connection, samu_id: str, number: str) -> InterventionRecord | None:
    """The intervention on file `number`, if the file came from an LRM to the SAMU's SMUR software."""
    row = conn.execute(
        select(smur_intervention).where(
            (smur_intervention.c.samu_id == samu_id) & (smur_intervention.c.number == number)
        )
    ).first()
    if row is None:
        return None
    return InterventionRecord(row.samu_id, row.number, row.case_id, row.lrm, row.client_id)


def _row(conn: Connection, table: Any, key: Any, samu_id: str, value: int) -> Row[Any]:
    row: Row[Any] | None = conn.execute(
        select(table).where((table.c.samu_id == samu_id) & (key == value))
    ).first()
    if row is None:
        raise LookupError(f"no {table.name} {value} in samu {samu_id}")
    return row


def bilan(conn: Connection, samu_id: str, bilan_id: int) -> Row[Any]:
    """A bilan as recorded (`LookupError` when there is none)."""
    return _row(conn, smur_bilan, smur_bilan.c.bilan_id, samu_id, bilan_id)


def document_link(conn: Connection, samu_id: str, link_id: int) -> Row[Any]:
    """Document links as recorded (`LookupError` when there are none)."""
    return _row(conn, smur_document_link, smur_document_link.c.link_id, samu_id, link_id)


def rpis(conn: Connection, samu_id: str, rpis_id: int) -> Row[Any]:
    """An RPIS as the crew entered it (`LookupError` when there is none)."""
    return _row(conn, smur_rpis, smur_rpis.c.rpis_id, samu_id, rpis_id)


def latest_bilan(conn: Connection, samu_id: str, number: str, patient_no: int) -> Row[Any] | None:
    """The patient's latest bilan on the file, recorded or received."""
    found: Row[Any] | None = conn.execute(
        select(smur_bilan)
        .where(
            (smur_bilan.c.samu_id == samu_id)
            & (smur_bilan.c.number == number)
            & (smur_bilan.c.patient_no == patient_no)
        )
        .order_by(desc(smur_bilan.c.written_at), desc(smur_bilan.c.bilan_id))
        .limit(1)
    ).first()
    return found
