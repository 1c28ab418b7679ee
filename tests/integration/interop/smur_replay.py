"""The 15-SMUR scenarios where the editor is the SMUR software, replayed on sisamu playing that role.

SAMU 44 (`fr.health.samu440`) runs sisamu for its SMUR: the SMUR software's Hub client is `fr.health.samu440.smur`
(`smur_client`, with the SMUR's FINESS) and the regulating LRM is the partner `fr.health.samu440`. What the LRM
sends goes to the SMUR client's Inbox (`receivers.register_smur_flows`). A `send` step is typed into sisamu as the SMUR's
crew would do it — units engaged and their statuses (`ResourceReplay`), bilans, RPIS, document links
(`sisamu.smur.service`) — then the SMUR flows build the message (`smur_role`, `smur_reports`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from resource_replay import ResourceReplay
from scenario_driver import SMUR_SOFTWARE, example
from sent_reports import message_left

from factories import add_samu
from sisamu.hubsante.datetimes import parse_hub_datetime
from sisamu.hubsante.inbox import Inbox
from sisamu.interop import smur_reports, smur_role
from sisamu.interop.common import links_of_file
from sisamu.interop.receivers import register_smur_flows
from sisamu.platform.events import SmurReport
from sisamu.resources import store
from sisamu.smur import service as smur
from sisamu.smur.model import (
    SMUR_STATUS,
    Bilan,
    BilanPatient,
    Destination,
    Evaluation,
    Rpis,
    Transport,
    VitalSign,
    rpis_times,
)

LRM = "fr.health.samu440"
# The SMUR's establishment, as the SAMU configures its SMUR software (the scenarios' RS-RPIS context).
FINESS_LEGAL, FINESS_GEO = "440000271", "440000289"


class SmurDoesNotShareFiles(AssertionError):
    """The SMUR software receives the regulation file; it does not send it."""


class SmurReplay(ResourceReplay):
    """`Replay` of sisamu as the SMUR software of SAMU 44, the partner being its LRM."""

    def __init__(self, platform: Any) -> None:
        super().__init__(platform, "44", LRM)

    @property
    def hub_id(self) -> str:
        return SMUR_SOFTWARE

    def prepare(self) -> None:
        with self.platform.uow() as uow:
            add_samu(uow, self.samu_id, hub_id=LRM)
            smur.configure_client(
                uow,
                principal=None,
                samu_id=self.samu_id,
                client_id=SMUR_SOFTWARE,
                finess_legal=FINESS_LEGAL,
                finess_geo=FINESS_GEO,
                structure="0",
                now=datetime.now().astimezone(),
            )
        self.inbox = register_smur_flows(Inbox(self.platform.uow, self.samu_id, SMUR_SOFTWARE))

    def send(self, step: dict[str, Any]) -> dict[str, Any]:
        model = step["model"]
        if model == "RS-EDA":
            self.receive(step)  # the LRM's file reaches the SMUR, as in the other 15-SMUR scenario
            raise SmurDoesNotShareFiles(step["id"])
        body = next(iter(example(step).values()))
        with self.platform.uow() as uow:
            if model == "RS-RI":
                mission_ids = [self._engaged(uow, resource) for resource in body["resource"]]
                message = smur_role.share_engagement(
                    uow,
                    principal=None,
                    samu_id=self.samu_id,
                    number=self._number(),
                    now=max(parse_hub_datetime(r["datetime"]) for r in body["resource"]),
                    mission_ids=mission_ids,
                )
            elif model == "RS-SR":
                state = body["state"]
                resource = {"resourceId": body["resourceId"], "datetime": state["datetime"], "state": []}
                mission_id = self._engaged(uow, resource)
                self._report(uow, mission_id, state)
                message = smur_role.share_status(
                    uow,
                    principal=None,
                    samu_id=self.samu_id,
                    mission_id=mission_id,
                    now=parse_hub_datetime(state["datetime"]),
                )
            elif model == "RS-URL":
                message = self._documents(uow, body)
            elif model == "RS-BPV":
                message = self._bilan(uow, body)
            else:
                message = self._rpis(uow, body)
        assert message is not None, f"{model}: the file is not an intervention from the LRM"
        return self._stored(message.distribution_id)

    # --- what the crew types ---------------------------------------------------------------------------------

    def _mission(self, uow: Any) -> int:
        """The SMUR's mission on the file (the scenarios engage one unit)."""
        rows = store.missions(uow.conn, self.samu_id, file_number=self._number())
        return int(max(row.mission_id for row in rows))

    def _patient(self, uow: Any, hub_patient: str | None) -> int | None:
        (link,) = links_of_file(uow.conn, self.samu_id, self._number())
        return smur_reports.patient_no_of(link, hub_patient)

    def _documents(self, uow: Any, body: dict[str, Any]) -> Any:
        link_id = smur.record_documents(
            uow,
            principal=None,
            samu_id=self.samu_id,
            mission_id=self._mission(uow),
            documents=[(d.get("documentType"), d["url"]) for d in body["document"]],
            patient_no=self._patient(uow, body.get("patientId")),
            code=body.get("code"),
            now=datetime.now().astimezone(),
        )
        return message_left(uow, SmurReport.DOCUMENTS, link_id)

    def _bilan(self, uow: Any, body: dict[str, Any]) -> Any:
        patient, evaluation = body["patient"], body.get("evaluation") or {}
        written = parse_hub_datetime(body["creation"])
        patient_no = self._patient(uow, patient["patientId"])
        assert patient_no is not None, patient["patientId"]
        bilan_id = smur.record_bilan(
            uow,
            principal=None,
            samu_id=self.samu_id,
            mission_id=self._mission(uow),
            patient_no=patient_no,
            bilan=Bilan(
                redactor_role=body["redactor"]["role"],
                redactor_label=body["redactor"].get("label"),
                written_at=written,
                patient=BilanPatient(
                    last_name=patient.get("lastName"),
                    first_name=patient.get("firstName"),
                    birth_name=patient.get("birthName"),
                    birth_date=patient.get("birthDate"),
                    age=int(patient["age"]) if patient.get("age") else None,
                    sex=patient.get("sex"),
                    height_cm=patient.get("height"),
                    weight_kg=patient.get("weight"),
                ),
                evaluation=Evaluation(
                    medical_history=evaluation.get("medicalHistory"),
                    treatment=evaluation.get("treatment"),
                    main_diagnosis=evaluation.get("mainDiagnosis"),
                    associated_diagnoses=tuple(evaluation.get("associatedDiagnosis") or ()),
                    procedures=tuple(evaluation.get("procedure") or ()),
                    vital_signs=tuple(
                        VitalSign(p["type"], p["value"], p.get("precision"))
                        for p in evaluation.get("parameter") or []
                    ),
                    freetext=tuple(evaluation.get("freetext") or ()),
                ),
            ),
            now=written,
        )
        return message_left(uow, SmurReport.BILAN, bilan_id)

    def _rpis(self, uow: Any, body: dict[str, Any]) -> Any:
        """The RPIS form: sisamu prefills the times from the mission; the crew corrects those that differ."""
        mission_id = self._mission(uow)
        item = store.load_mission(uow.conn, self.samu_id, mission_id, lock=False)
        assert item is not None
        prefilled = _mission_times(item)
        declared = {
            name: parse_hub_datetime(body["intervention"]["smurStatus"][key])
            for key, name in SMUR_STATUS.items()
            if key in body["intervention"]["smurStatus"]
        }
        declared["engagement"] = parse_hub_datetime(body["context"]["decisionDate"])
        corrections = {name: at for name, at in declared.items() if prefilled.get(name) != at}
        orientation = body["orientation"]
        destination = orientation.get("destination")
        decision = orientation.get("decision")
        residence = body["patient"].get("residentialAddress") or {}
        team = body["intervention"]["team"]
        patient_no = self._patient(uow, body["patient"]["patientId"])
        assert patient_no is not None
        now = max(declared.values())
        rpis_id = smur.record_rpis(
            uow,
            principal=None,
            samu_id=self.samu_id,
            mission_id=mission_id,
            patient_no=patient_no,
            rpis=Rpis(
                orientation=orientation["type"],
                doctor=team["doctor"],
                nurse=team["nurse"],
                driver=team["driver"],
                residence_insee=residence.get("inseeCode"),
                residence_city=residence.get("city"),
                destination=Destination(
                    destination["finess"],
                    destination["healthcareType"],
                    destination["destinationCategory"],
                    destination["destinationCountry"],
                )
                if destination
                else None,
                transport=Transport(
                    decision["resourceType"], decision["vehicleType"], decision["medicalLevel"]
                )
                if decision
                else None,
                times=corrections,
            ),
            now=now,
        )
        return message_left(uow, SmurReport.RPIS, rpis_id)


def _mission_times(item: Any) -> dict[str, datetime]:
    return rpis_times(item, {})
