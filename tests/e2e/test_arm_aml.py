"""In Debian's chromium: the caller's AML position shows on the ARM's incoming call and map, and the file opened
on answering takes that point (flagged AML) rather than a commune's centre."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from test_regulation_flow import _gateway_token, _login

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_aml_point_reaches_the_arm_and_the_file(served, chromium, platform, artifacts):
    arm = _login(chromium, served.base_url, "arm.250")
    arm.get_by_role("button", name="Prendre le poste").click()
    arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)
    headers = {"Authorization": f"Bearer {_gateway_token(platform)}"}
    base = f"{served.base_url}/api/samus/250/telephony"
    call_id = f"aml-{time.time_ns()}"
    # The AML SMS arrives first (as it often does), then the call is offered.
    top = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    sms = f'A"ML=1;lt=+47.24100;lg=+6.02700;rd=30;top={top};lc=68;pm=G'
    offered = httpx.post(
        f"{base}/calls",
        json={"call_id": call_id, "priority": "UV", "caller_number": "0699887766"},
        headers=headers,
    )
    assert offered.status_code == 201, offered.text
    aml = httpx.post(f"{base}/aml", json={"text": sms, "msisdn": "0699887766"}, headers=headers)
    assert aml.status_code == 201, aml.text

    arm.locator("#in-aml", has_text="47.24100").wait_for(timeout=15_000)
    arm.screenshot(path=str(artifacts / "e2e-arm-aml.png"))
    arm.keyboard.press("F2")
    arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
    number = arm.locator("#file-number").inner_text()
    detail = arm.evaluate("async (n) => (await fetch('/api/files/' + n)).json()", number)
    location = detail["qualification"]["location"]
    assert location["aml"] is True
    assert (location["lat"], location["lon"], location["precision"]) == (47.241, 6.027, "EXACTE")
