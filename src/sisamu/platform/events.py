"""The events features exchange on the message bus: what one feature records, others react to.

Each is recorded by the one service that makes it happen, inside that use case's transaction
(`uow.record(...)`); `bootstrap` subscribes the handlers. A feature subscribes to these, never imports the
feature that records them. `actor` is who did it (None: the platform itself, or a partner over Hub Santé —
`origin` says which, and `partner` names that partner).

| event | recorded by | handled by |
|---|---|---|
| `FileOpened` | `cases.service.open_file` | the telephony, when one is configured (`calls.cti.handlers`: a file opened by a person from a call is correlated with it, at the seat that answered); a crisis (`crisis.handlers`: a file opened locally in a room in crisis gets the crisis' attribution and is linked in its log) |
| `FileChanged` | `cases.service.change` (origin LOCAL), `cases.service.partner_change` (origin HUB: the Hub flows applying a partner's message) | Hub flows (`interop.handlers.file_changed`): RS-EDA-MAJ to the partners the file is shared with — never to the partner whose change it is; a partner's change goes on to the others only when this SAMU is in charge of the file |
| `FileCompleting` | `cases.service.change_state` (a person asks for ACHEVE) | the resources (`resources.completion`): refuses (`GuardRefused`, code `decisions_not_carried_out`) while a decision sending a resource has no unit that finished its mission, or a mission is still under way — unless the person gave a reason |
| `ReflexDeparture` | `cases.service.reflex_departure` (the ARM's départ réflexe on a P0) | the resources (`resources.reflex`): engages at once, triggered, the nearest available unit of the type sent |
| `MissionEngaged` | `resources.service.engage` | Hub flows (RS-RI, or the SMUR software's RS-RI to its LRM); a crisis (`crisis.handlers`: linked in the log when the file is a crisis file) |
| `MissionStatusChanged` | `resources.service.report_status` | Hub flows (RS-SR); a crisis (`crisis.handlers`, as above) |
| `UnitMoved` | `resources.positions.report_position` | Hub flows (GEO-POS) |
| `SmurReportRecorded` | `smur.service` (bilan, RPIS, document links) | Hub flows (RS-BPV, RS-RPIS, RS-URL on an intervention from an LRM; an RPIS that cannot be built yet refuses the recording) |
| `SmurReportSent` | the Hub flows, once the report's message is in the outbox | the crew's route (its answer) |
| `DialRequested` | `calls.callbacks.service.start_callback_attempt`, `calls.cti.telephony_api` (an external LRM's click-to-call) | the telephony, when one is configured (`calls.cti.handlers`: rings the seat, dials) |

The telephony's handlers write requests to its outbox (`calls.cti.outbox`) and record the feature's own
`calls.cti.handlers.TelephonyRequestQueued`, whose after-commit handler wakes the relay that sends them (`calls.cti.relay`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sisamu.domain.events import DomainEvent

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.security.roles import Principal


class Origin(enum.StrEnum):
    """Where a change came from: this platform's users and workers, or a partner over Hub Santé."""

    LOCAL = "local"
    HUB = "hub"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileOpened(DomainEvent):
    samu_id: str
    number: str
    at: datetime
    actor: Principal | None
    call_id: str | None  # the call the file was opened from
    origin: Origin = Origin.LOCAL


@dataclass(frozen=True, slots=True, kw_only=True)
class FileChanged(DomainEvent):
    samu_id: str
    number: str
    version: int
    action: str  # what changed, as audited (`file.qualification`, `file.note`, `file.decision`…)
    at: datetime
    actor: Principal | None
    origin: Origin = Origin.LOCAL
    partner: str | None = None  # origin HUB: the Hub client id of the partner whose change it is


@dataclass(frozen=True, slots=True, kw_only=True)
class DecidedResource:
    """A decision of a file that sends a resource (INTER, or ORIENT naming who carries the patient)."""

    decision_no: int
    kind: str  # HubSante.typeDecision
    resource_type: str  # HubSante.typeRessource
    reflex: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCompleting(DomainEvent):
    """A person asks for ACHEVE ("all decisions carried out"): whoever carries decisions out checks, in the same
    transaction, and refuses (`GuardRefused`) unless `reason` says why the file is completed anyway."""

    samu_id: str
    number: str
    decisions: tuple[DecidedResource, ...]
    reason: str | None
    at: datetime
    actor: Principal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReflexDeparture(DomainEvent):
    """The ARM sent a départ réflexe on a P0 file: a resource of `resource_type` must leave at once."""

    samu_id: str
    number: str
    decision_no: int
    resource_type: str  # HubSante.typeRessource
    at: datetime
    actor: Principal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MissionEngaged(DomainEvent):
    samu_id: str
    mission_id: int
    file_number: str
    resource_id: str
    at: datetime
    actor: Principal | None
    origin: Origin = Origin.LOCAL


@dataclass(frozen=True, slots=True, kw_only=True)
class MissionStatusChanged(DomainEvent):
    samu_id: str
    mission_id: int
    file_number: str
    resource_id: str
    status: str
    at: datetime
    actor: Principal | None
    origin: Origin = Origin.LOCAL


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitMoved(DomainEvent):
    samu_id: str
    resource_id: str
    mission_id: int | None  # the mission the unit is on, if any
    at: datetime
    speed_kmh: float | None = None
    heading: float | None = None


class SmurReport(enum.StrEnum):
    BILAN = "bilan"  # RS-BPV
    RPIS = "rpis"  # RS-RPIS
    DOCUMENTS = "documents"  # RS-URL


@dataclass(frozen=True, slots=True, kw_only=True)
class SmurReportRecorded(DomainEvent):
    samu_id: str
    report: SmurReport
    report_id: int  # bilan_id, rpis_id or link_id
    at: datetime
    actor: Principal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmurReportSent(DomainEvent):
    """A recorded report left for the LRM (or the RPIS recipient) over Hub Santé, as message `distribution_id`."""

    samu_id: str
    report: SmurReport
    report_id: int
    distribution_id: str


class DialReason(enum.StrEnum):
    CALLBACK = "callback"  # an ARM calls back a lost call
    CLICK_TO_CALL = "click_to_call"  # an LRM asked the telephony to dial (SI-SAMU `DemandeAppelSortant`)


@dataclass(frozen=True, slots=True, kw_only=True)
class DialRequested(DomainEvent):
    samu_id: str
    seat_id: str
    id_nat_ps: str | None
    number: str
    reason: DialReason
    at: datetime
    file_number: str | None = None
    callback_id: int | None = None
