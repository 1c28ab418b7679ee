# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""What the SMUR feature keeps of its exchanges over Hub Santé, written by the Hub flows in their transaction: the
files an LRM sent to the SAMU's SMUR software (interventions), where a recorded report was sent, and the reports a
SMUR sent to the SAMU as its regulating LRM (`direction` received).

The flows check the message and the file's link, and audit the exchange (`file.hub.*`); here are the rows, so that
the tables stay private to this feature and its reads (`service.file_reports`) see what was received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sisamu.platform.events import SmurReport
from sisamu.smur.tables import smur_bilan, smur_document_link, smur_intervention, smur_rpis

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from sisamu.storage.uow import UnitOfWork

RECEIVED = "received"
_TABLES = {
    SmurReport.BILAN: (smur_bilan, smur_bilan.c.bilan_id),
    SmurReport.RPIS: (smur_rpis, smur_rpis.c.rpis_id),
    SmurReport.DOCUMENTS: (smur_document_link, smur_document_link.c.link_id),
}


def record_intervention(
    uow: UnitOfWork, *, samu_id: str, number: str, case_id: str, lrm: str, client_id: str, now: datetime
) -> None:
    """File `number` came from the LRM `lrm` to our SMUR client `client_id` (kept once)."""
    uow.execute(
        pg_insert(smur_intervention)
        .values(
            samu_id=samu_id, number=number, case_id=case_id, lrm=lrm, client_id=client_id, received_at=now
        )
        .on_conflict_do_nothing()
    )


def report_sent(
    uow: UnitOfWork,
    *,
    samu_id: str,
    report: SmurReport,
    report_id: int,
    to: str,
    rpis: Mapping[str, Any] | None = None,
) -> None:
    """A recorded report left for `to` (the LRM, or the RPIS recipient); an RPIS keeps the summary as sent."""
    table, key = _TABLES[report]
    values: dict[str, Any] = {"partner": to}
    if report is SmurReport.RPIS:
        values["rpis"] = dict(rpis or {})
    uow.execute(update(table).where((table.c.samu_id == samu_id) & (key == report_id)).values(**values))


def record_received_bilan(
    uow: UnitOfWork,
    *,
    samu_id: str,
    number: str,
    patient_no: int | None,
    partner: str,
    report_id: str,
    redactor_label: str | None,
    redactor_role: str,
    written_at: datetime,
    patient: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    now: datetime,
) -> int:
    """A SMUR's bilan (RS-BPV) on file `number`; each revision is kept. Returns its row id."""
    bilan_id = uow.execute(
        insert(smur_bilan)
        .values(
            samu_id=samu_id,
            report_id=report_id,
            direction=RECEIVED,
            number=number,
            patient_no=patient_no,
            partner=partner,
            redactor_label=redactor_label,
            redactor_role=redactor_role,
            written_at=written_at,
            patient=dict(patient),
            evaluation=dict(evaluation),
            recorded_by=partner,
            recorded_at=now,
        )
        .returning(smur_bilan.c.bilan_id)
    ).scalar_one()
    return int(bilan_id)


def record_received_documents(
    uow: UnitOfWork,
    *,
    samu_id: str,
    number: str,
    patient_no: int | None,
    partner: str,
    code: str | None,
    documents: Sequence[Mapping[str, Any]],
    now: datetime,
) -> int:
    """Links to a SMUR's documents (RS-URL) on file `number`. Returns the row id."""
    link_id = uow.execute(
        insert(smur_document_link)
        .values(
            samu_id=samu_id,
            direction=RECEIVED,
            number=number,
            patient_no=patient_no,
            partner=partner,
            code=code,
            documents=[dict(d) for d in documents],
            recorded_by=partner,
            recorded_at=now,
        )
        .returning(smur_document_link.c.link_id)
    ).scalar_one()
    return int(link_id)


def record_received_rpis(
    uow: UnitOfWork,
    *,
    samu_id: str,
    number: str,
    patient_no: int | None,
    partner: str,
    rpis: Mapping[str, Any],
    now: datetime,
) -> int:
    """A SMUR's RPIS (RS-RPIS) on file `number`, as received. Returns the row id."""
    rpis_id = uow.execute(
        insert(smur_rpis)
        .values(
            samu_id=samu_id,
            direction=RECEIVED,
            number=number,
            patient_no=patient_no,
            partner=partner,
            rpis=dict(rpis),
            recorded_by=partner,
            recorded_at=now,
        )
        .returning(smur_rpis.c.rpis_id)
    ).scalar_one()
    return int(rpis_id)
