"""Bodies of the victims registry's routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sisamu.crisis.victims.model import (
    STATUS_LABELS_FR,
    TRIAGE_LABELS_FR,
    AgeBand,
    Identity,
    Status,
    Triage,
    Vector,
    Victim,
)
from sisamu.hospitals.directory import hospital

Name = Field(default=None, max_length=200)
Place = Field(default=None, max_length=200)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityIn(_Strict):
    last_name: str | None = Name
    first_name: str | None = Name
    sex: str | None = Field(default=None, pattern=r"^(M|F|O|UN)$")
    birth_date: date | None = None
    age_band: AgeBand | None = None
    nationality: str | None = Field(default=None, max_length=60)

    def identity(self) -> Identity:
        return Identity(**self.model_dump())


class VictimIn(_Strict):
    # The bracelet's number typed, or the payload of its QR code; absent or empty: sisamu allocates one.
    bracelet: str | None = Field(default=None, max_length=500)
    triage: Triage
    identity: IdentityIn | None = None
    site: str | None = Place
    pma: str | None = Place


class VictimChangeIn(_Strict):
    """Only the fields given change; `version` is the one read (409 `VERSION_PERIMEE` if it moved since)."""

    version: int = Field(ge=1)
    triage: Triage | None = None
    status: Status | None = None
    identity: IdentityIn | None = None
    site: str | None = Place
    pma: str | None = Place
    vector: Vector | None = None
    destination: str | None = Field(default=None, max_length=80)

    def changes(self) -> dict[str, Any]:
        given = self.model_fields_set - {"version"}
        found: dict[str, Any] = {k: getattr(self, k) for k in given}
        if self.identity is not None:
            found["identity"] = self.identity.identity()
        for key in ("triage", "status", "identity"):  # null means "unchanged" for these
            if found.get(key) is None:
                found.pop(key, None)
        return found


class PatientLinkIn(_Strict):
    version: int = Field(ge=1)
    file_number: str = Field(min_length=1, max_length=32)
    patient_no: int = Field(ge=1)


class TriageChangeOut(BaseModel):
    triage: Triage
    triage_label: str
    at: datetime
    by: str


class VictimOut(BaseModel):
    number: str
    allocated: bool
    triage: Triage
    triage_label: str
    status: Status
    status_label: str
    last_name: str | None
    first_name: str | None
    sex: str | None
    birth_date: date | None
    age_band: AgeBand | None
    nationality: str | None
    site: str | None
    pma: str | None
    vector: Vector | None
    destination: str | None
    destination_name: str | None
    file_number: str | None
    patient_no: int | None
    external_id: dict[str, str] | None  # Hub Santé patient externalId, when the number is a bracelet's
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    history: list[TriageChangeOut]

    @classmethod
    def of(cls, v: Victim) -> VictimOut:
        i = v.identity
        return cls(
            number=v.number,
            allocated=v.allocated,
            triage=v.triage,
            triage_label=TRIAGE_LABELS_FR[v.triage],
            status=v.status,
            status_label=STATUS_LABELS_FR[v.status],
            last_name=i.last_name,
            first_name=i.first_name,
            sex=i.sex,
            birth_date=i.birth_date,
            age_band=i.age_band,
            nationality=i.nationality,
            site=v.site,
            pma=v.pma,
            vector=v.vector,
            destination=v.destination,
            destination_name=hospital(v.destination).name if v.destination else None,
            file_number=v.patient.file_number if v.patient else None,
            patient_no=v.patient.patient_no if v.patient else None,
            external_id=None if v.allocated else {"source": "SINUS", "value": v.number},
            version=v.version,
            created_at=v.created_at,
            created_by=v.created_by,
            updated_at=v.updated_at,
            history=[
                TriageChangeOut(triage=h.triage, triage_label=TRIAGE_LABELS_FR[h.triage], at=h.at, by=h.by)
                for h in v.history
            ],
        )


class DuplicateOut(BaseModel):
    first: VictimOut
    second: VictimOut


class DestinationOut(BaseModel):
    hospital_id: str
    name: str
    departement: str
