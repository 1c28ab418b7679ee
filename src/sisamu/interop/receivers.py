"""What a SAMU's Hub inbox applies: the receiving side of each flow, by message type, for each of its Hub identities.

A SAMU's LRM (`samu.hub_id`) receives the whole 15-15 and 15-SMUR exchange (`LRM_FLOWS`); its SMUR software, when
sisamu is that too (`smur_client`), receives what the LRM sends it (`SMUR_FLOWS`). `interop.worker.HubWorker` (what
`sisamu hub worker` and `sisamu run` start) registers one table or the other on the identity's Inbox; a type absent
from both stays with the inbox's default handler (the inbox row is the record). Each receiver runs in the inbox's
transaction with the inbox's clock as `now`.

Who may change what (docs/security.md, "Partners over Hub Santé"): a message about a case applies only through the
link of its sender (`common.link_of_case(…, partner=sender)`), whoever else shares a case with that id; the SMUR
software takes messages from its SAMU's LRM only (`smur_role.only_from_lrm`). Anything else is answered with an
RS-ERROR (702 unknown case, 703 unknown sender) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sisamu.interop import (
    case_receive,
    emsi,
    mutual_aid,
    positions,
    resources_share,
    smur_received,
    smur_role,
)

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.hubsante.inbox import Inbox
    from sisamu.storage.uow import UnitOfWork

Receiver = Callable[["UnitOfWork", "HubMessage", "datetime"], object]

LRM_FLOWS: dict[str, Receiver] = {
    "RS-EDA": case_receive.receive_case,
    "RS-EDA-MAJ": case_receive.update_case,
    "RS-DR": mutual_aid.receive_request,
    "RS-RR": mutual_aid.receive_response,
    "RS-RI": resources_share.receive_resources,
    "RS-SR": resources_share.receive_status,
    "GEO-POS": positions.receive_positions,
    "EMSI": emsi.receive_emsi,
    "RS-BPV": smur_received.receive_bilan,
    "RS-RPIS": smur_received.receive_rpis,
    "RS-URL": smur_received.receive_documents,
}
SMUR_FLOWS: dict[str, Receiver] = {
    message_type: smur_role.only_from_lrm(receive)
    for message_type, receive in {
        "RS-EDA": smur_role.receive_file,
        "RS-EDA-MAJ": case_receive.update_case,
        "RS-ER": smur_role.receive_engagement,
        "RS-RI": resources_share.receive_resources,
        "RS-SR": resources_share.receive_status,
    }.items()
}


def _with_clock(inbox: Inbox, receive: Receiver) -> Callable[[UnitOfWork, HubMessage], None]:
    def handler(uow: UnitOfWork, message: HubMessage) -> None:
        receive(uow, message, inbox.clock.now())

    handler.__name__ = getattr(receive, "__name__", "receive")
    return handler


def _register(inbox: Inbox, flows: dict[str, Receiver]) -> Inbox:
    for message_type, receive in flows.items():
        inbox.register(message_type, _with_clock(inbox, receive))
    return inbox


def register_flows(inbox: Inbox) -> Inbox:
    """Register what a SAMU's LRM receives on `inbox` (the Inbox of `samu.hub_id`)."""
    return _register(inbox, LRM_FLOWS)


def register_smur_flows(inbox: Inbox) -> Inbox:
    """Register what the SAMU's SMUR software receives from the LRM on `inbox` (the Inbox of its SMUR client id)."""
    return _register(inbox, SMUR_FLOWS)
