"""Business flows over Hub Santé: what a SAMU sends from its own state, and the inbox handlers for what it receives.

| module | sends | receives |
|---|---|---|
| `case_share` | RS-EDA (`share_file`), RS-EDA-MAJ (`send_updates`, `take_charge`) | |
| `case_receive` | | RS-EDA → a local file with the shared id; RS-EDA-MAJ → applied to it (or starts it) |
| `mutual_aid` | RS-DR (`request_resources`), RS-RR (`answer_request`) | RS-DR → pending request; RS-RR → answer |
| `resources_share` | RS-RI (`share_resources`), RS-SR (`share_status`) from our missions, after each engagement and status (`handlers`: MissionEngaged, MissionStatusChanged) | the partner's resources/statuses |
| `engagement` | RS-ER (`request_engagement`) to the SMUR software the file is shared with | (`smur_role`) |
| `positions` | GEO-POS (`share_position`, after each move: `handlers`, UnitMoved) | GEO-POS → a partner resource's last position |
| `emsi` | EMSI (`send_emsi`) to the fire service | EMSI → a note on the linked file, its resources kept |
| `smur_reports` | RS-BPV, RS-RPIS, RS-URL from the crew's reports (our SMUR client) | |
| `smur_received` | | RS-BPV, RS-RPIS, RS-URL → the SMUR's bilan, RPIS, links kept on the file |
| `smur_role` | RS-RI, RS-SR as the SAMU's SMUR software | `register_smur_flows`: the LRM's file to our SMUR |

`register_flows(inbox)` registers the handlers; `now` is the inbox's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.interop import (
    case_receive,
    emsi,
    mutual_aid,
    positions,
    resources_share,
    smur_received,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.hubsante.inbox import Inbox
    from sisamu.storage.uow import UnitOfWork


def _with_clock(
    inbox: Inbox, receive: Callable[[UnitOfWork, HubMessage, datetime], object]
) -> Callable[[UnitOfWork, HubMessage], None]:
    def handler(uow: UnitOfWork, message: HubMessage) -> None:
        receive(uow, message, inbox.clock.now())

    return handler


def register_flows(inbox: Inbox) -> Inbox:
    """Register the business handlers on `inbox` (other types stay with its default handler)."""

    def on_case(uow: UnitOfWork, message: HubMessage) -> None:
        case_receive.receive_case(uow, message, inbox.clock.now())

    def on_case_update(uow: UnitOfWork, message: HubMessage) -> None:
        case_receive.update_case(uow, message, inbox.clock.now())

    def on_request(uow: UnitOfWork, message: HubMessage) -> None:
        mutual_aid.receive_request(uow, message, inbox.clock.now())

    def on_response(uow: UnitOfWork, message: HubMessage) -> None:
        mutual_aid.receive_response(uow, message, inbox.clock.now())

    def on_resources(uow: UnitOfWork, message: HubMessage) -> None:
        resources_share.receive_resources(uow, message, inbox.clock.now())

    def on_status(uow: UnitOfWork, message: HubMessage) -> None:
        resources_share.receive_status(uow, message, inbox.clock.now())

    def on_positions(uow: UnitOfWork, message: HubMessage) -> None:
        positions.receive_positions(uow, message, inbox.clock.now())

    def on_emsi(uow: UnitOfWork, message: HubMessage) -> None:
        emsi.receive_emsi(uow, message, inbox.clock.now())

    inbox.register("RS-EDA", on_case)
    inbox.register("RS-EDA-MAJ", on_case_update)
    inbox.register("RS-DR", on_request)
    inbox.register("RS-RR", on_response)
    inbox.register("RS-RI", on_resources)
    inbox.register("RS-SR", on_status)
    inbox.register("GEO-POS", on_positions)
    inbox.register("EMSI", on_emsi)
    for message_type, receive in (
        ("RS-BPV", smur_received.receive_bilan),
        ("RS-RPIS", smur_received.receive_rpis),
        ("RS-URL", smur_received.receive_documents),
    ):
        inbox.register(message_type, _with_clock(inbox, receive))
    return inbox
