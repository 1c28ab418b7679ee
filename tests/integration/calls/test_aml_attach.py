"""AML locations are kept and attached to the SAMU's call of that number closest in time; bad input is refused."""

from __future__ import annotations

import pytest

from sisamu.calls.aml import service as aml_service
from sisamu.calls.aml import store as aml_store
from sisamu.calls.aml.model import AmlError
from sisamu.calls.distribution import service
from sisamu.calls.flux import Flux

pytestmark = pytest.mark.db


def test_location_attaches_to_the_matching_call(platform, clock, samus):
    with platform.uow() as uow:
        service.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id="c1",
            flux=Flux.CENTRE_15,
            now=clock.now(),
            caller_number="0612345678",
        )
        service.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id="c2",
            flux=Flux.CENTRE_15,
            now=clock.now(),
            caller_number="0699",
        )
    top = clock.now().strftime("%Y%m%d%H%M%S")
    sms = f'A"ML=1;lt=+47.23800;lg=+6.02430;rd=12;top={top};lc=68;pm=G'
    with platform.uow() as uow:
        location, call_id = aml_service.receive_aml(
            uow, principal=None, samu_id="250", text=sms, msisdn="+33612345678", now=clock.advance(5)
        )
        events = [(e.kind, e.object_id) for e in uow.live_events]
    assert call_id == "c1"
    assert (location.lat, location.lon, location.radius_m) == (47.238, 6.0243, 12)
    assert events == [("call.location", "c1")]
    with platform.engine.connect() as conn:
        (row,) = aml_store.locations_of_call(conn, "250", "c1")
    assert (row.method, row.transport, row.msisdn) == ("G", "sms", "+33612345678")
    with platform.uow() as uow:  # a number with no call: kept, attached to nothing
        assert (
            aml_service.receive_aml(
                uow, principal=None, samu_id="250", text=sms, msisdn="0700000000", now=clock.now()
            )[1]
            is None
        )


def test_malformed_message_is_refused_with_its_reason(platform, clock, samus):
    with pytest.raises(AmlError) as caught, platform.uow() as uow:
        aml_service.receive_aml(
            uow, principal=None, samu_id="250", text='A"ML=1;lt=+95;lg=0', now=clock.now()
        )
    assert caught.value.reason
