"""The SMUR's reports received by the regulating SAMU (LRM): bilans (RS-BPV), document links (RS-URL), RPIS.

Each is kept by the SMUR feature (`sisamu.smur.exchange`, `direction` received) on the linked file, with the patient named by
its Hub id (one the partner gave us, or one of ours), a note on the file says what arrived (bilan: the patient, the
diagnosis, the vital signs; documents: their types), and the reception is audited. An RPIS names its case by its
`context` (the regulating SAMU's org and case number: a case shared with the sender, or, from our own SMUR
software, our own file). A case the sender never shared with us is refused with RS-ERROR 702, whoever else shares
a case with that id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sisamu.cases import queries as files
from sisamu.hubsante.datetimes import parse_hub_datetime
from sisamu.interop.common import CaseLink, hub_id_of, link_of_case, record, samu_of_client, unknown_case
from sisamu.interop.partner_state import add_notes
from sisamu.interop.smur_reports import patient_no_of
from sisamu.smur import exchange
from sisamu.smur import queries as smur

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork


def _linked(uow: UnitOfWork, message: HubMessage, case_id: str) -> CaseLink:
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    link = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if link is None:
        raise unknown_case(case_id, "never shared with the sender")
    return link


def _when(text: Any, default: datetime) -> datetime:
    try:
        return parse_hub_datetime(text) if isinstance(text, str) else default
    except ValueError:
        return default


def _vitals(evaluation: dict[str, Any]) -> str:
    signs = [f"{p.get('type')} {p.get('value')}" for p in evaluation.get("parameter") or []]
    return (" ; " + ", ".join(signs)) if signs else ""


def receive_bilan(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-BPV: a SMUR's bilan kept on the linked file (each revision), and a note saying what it found."""
    body = message.body
    link = _linked(uow, message, str(body["caseId"]))
    patient = dict(body.get("patient") or {})
    hub_patient = patient.pop("patientId", None)
    redactor = body.get("redactor") or {}
    evaluation = dict(body.get("evaluation") or {})
    written = _when(body.get("creation"), now)
    exchange.record_received_bilan(
        uow,
        samu_id=link.samu_id,
        number=link.number,
        patient_no=patient_no_of(link, hub_patient),
        partner=message.sender_id,
        report_id=str(body["reportId"]),
        redactor_label=redactor.get("label"),
        redactor_role=str(redactor.get("role") or "INCONNU"),
        written_at=written,
        patient=patient,
        evaluation=evaluation,
        now=now,
    )
    who = " ".join(str(p) for p in (patient.get("firstName"), patient.get("lastName")) if p)
    diagnosis = f" ; diagnostic {evaluation['mainDiagnosis']}" if evaluation.get("mainDiagnosis") else ""
    add_notes(
        uow, link, message.sender_id, [(written, f"Bilan SMUR de {who}{diagnosis}{_vitals(evaluation)}")], now
    )
    record(
        uow,
        None,
        link.samu_id,
        "file.hub.receive_bilan",
        link.number,
        now,
        {"from": message.sender_id, "case_id": link.case_id, "report_id": body["reportId"]},
    )
    return link.number


def receive_documents(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-URL: links to a SMUR's documents kept on the linked file; a note lists them."""
    body = message.body
    link = _linked(uow, message, str(body["caseId"]))
    documents = list(body.get("document") or [])
    exchange.record_received_documents(
        uow,
        samu_id=link.samu_id,
        number=link.number,
        patient_no=patient_no_of(link, body.get("patientId")),
        partner=message.sender_id,
        code=body.get("code"),
        documents=documents,
        now=now,
    )
    kinds = ", ".join(str(d.get("documentType") or "document") for d in documents)
    add_notes(uow, link, message.sender_id, [(now, f"Documents SMUR reçus : {kinds}")], now)
    record(
        uow,
        None,
        link.samu_id,
        "file.hub.receive_documents",
        link.number,
        now,
        {"from": message.sender_id, "case_id": link.case_id, "documents": len(documents)},
    )
    return link.number


def receive_rpis(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-RPIS: a SMUR's summary kept on the file named by its context: a case the sender shares with us, or, from
    our own SMUR software only (`smur_client`: the RPIS of a file of the SAMU's own), our own case number."""
    body = message.body
    context = body.get("context") or {}
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    case_id = f"{context.get('orgId')}.{context.get('senderCaseId')}"
    link = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    number = link.number if link is not None else str(context.get("senderCaseId"))
    if link is None and not _ours(uow, samu_id, message, context, number):
        raise unknown_case(case_id, "never shared with the sender")
    hub_patient = (body.get("patient") or {}).get("patientId")
    patient_no = patient_no_of(link, hub_patient) if link is not None else _own_patient(hub_patient, number)
    exchange.record_received_rpis(
        uow,
        samu_id=samu_id,
        number=number,
        patient_no=patient_no,
        partner=message.sender_id,
        rpis=body,
        now=now,
    )
    record(
        uow,
        None,
        samu_id,
        "file.hub.receive_rpis",
        number,
        now,
        {"from": message.sender_id, "case_id": case_id, "patient_no": patient_no},
    )
    return number


def _own_patient(hub_patient: object, number: str) -> int | None:
    """Our own patient id `{org}.patient.{number}.{n}` → n."""
    if not isinstance(hub_patient, str):
        return None
    head, _, tail = hub_patient.rpartition(".")
    return int(tail) if head.endswith(f".patient.{number}") and tail.isdigit() else None


def _ours(uow: UnitOfWork, samu_id: str, message: HubMessage, context: dict[str, Any], number: str) -> bool:
    """Is this the RPIS of a file of our own (`context`: our org and case number), from our own SMUR software?"""
    client = smur.client_of(uow.conn, samu_id)
    return (
        client is not None
        and message.sender_id == client.client_id
        and context.get("orgId") == hub_id_of(uow.conn, samu_id)
        and files.file_state(uow.conn, samu_id, number) is not None
    )
