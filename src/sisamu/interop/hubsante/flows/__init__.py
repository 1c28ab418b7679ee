"""Business flows over Hub Santé: what a SAMU sends from its own state, and the inbox handlers for what it receives.

| module | sends | receives |
|---|---|---|
| `case_share` | RS-EDA (`share_file`), RS-EDA-MAJ (`send_updates`, `take_charge`) | |
| `case_receive` | | RS-EDA → a local file with the shared id; RS-EDA-MAJ → applied to it |
| `mutual_aid` | RS-DR (`request_resources`), RS-RR (`answer_request`) | RS-DR → pending request; RS-RR → answer |

`register_flows(inbox)` registers the handlers; `now` is the inbox's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.interop.hubsante.flows import case_receive, mutual_aid

if TYPE_CHECKING:
    from sisamu.interop.hubsante.envelope import HubMessage
    from sisamu.interop.hubsante.inbox import Inbox
    from sisamu.storage.uow import UnitOfWork


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

    inbox.register("RS-EDA", on_case)
    inbox.register("RS-EDA-MAJ", on_case_update)
    inbox.register("RS-DR", on_request)
    inbox.register("RS-RR", on_response)
    return inbox
