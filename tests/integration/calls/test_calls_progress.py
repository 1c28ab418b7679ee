"""`reads.calls_progress`: where the calls of the platform's own telephony are (the voice node follows them), read
by the platform only, without the callers' numbers."""

from __future__ import annotations

import pytest

from factories import add_account
from sisamu.calls.distribution import reads, service
from sisamu.calls.distribution.model import CallState
from sisamu.calls.flux import Flux
from sisamu.security import store as accounts
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Role

pytestmark = pytest.mark.db


def test_the_voice_node_reads_where_its_calls_are_and_nobody_else(platform, clock, samus):
    with platform.uow() as uow:
        for call_id, number in (("sip-1", "0612345678"), ("sip-2", None)):
            service.offer(
                uow,
                principal=None,
                samu_id="250",
                call_id=call_id,
                flux=Flux.CENTRE_15,
                caller_number=number,
                now=clock.now(),
            )
        add_account(uow, "arm.250", Role.ARM, "250", now=clock.now())
    keys = [("250", "sip-1"), ("250", "sip-2"), ("250", "unknown"), ("680", "sip-1")]
    with platform.uow() as uow:
        progress = reads.calls_progress(uow, principal=None, keys=keys, lock=True)
    assert set(progress) == {("250", "sip-1"), ("250", "sip-2")}
    assert all(call.state is CallState.QUEUED for call in progress.values())
    assert all(call.caller_number is None for call in progress.values())  # nothing of the patient
    with platform.uow() as uow:
        assert reads.calls_progress(uow, principal=None, keys=[]) == {}
    with platform.engine.connect() as conn:
        arm = accounts.principal_from_row(accounts.account_by_username(conn, "arm.250"))
    with platform.uow() as uow, pytest.raises(Forbidden):
        reads.calls_progress(uow, principal=arm, keys=keys)
