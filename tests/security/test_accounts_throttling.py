"""Login throttling is no denial of service (issue 12): an attacker's failures slow the attacker's own (account,
address) pairs, never the account's owner elsewhere; forwarded addresses are believed from trusted proxies only.

Against `sisamu serve` behind a (simulated) reverse proxy: requests come from 127.0.0.1, the proxy's address, with
X-Forwarded-For naming the client.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from factories import add_account, add_physician_with_totp, add_samu
from sisamu.security import service, totp
from sisamu.security.roles import Role

pytestmark = pytest.mark.db

PASSWORD = "Correct-Horse-15"
ATTACKER = "203.0.113.7"
PHYSICIAN_DESK = "198.51.100.20"


@pytest.fixture
def people(platform) -> dict[str, str]:
    """A regulating physician with a second factor (its TOTP secret), the national admin and an ARM without."""
    now = platform.clock.now()
    with platform.uow() as uow:
        add_samu(uow, "250")
        secret = add_physician_with_totp(platform, uow)
        add_account(uow, "admin", Role.ADMIN, None, now=now)
        add_account(uow, "arm.250", Role.ARM, "250", now=now)
    return {"reg.250": secret}


def _login(base_url: str, username: str, password: str, *, ip: str, code: str = "") -> httpx.Response:
    data = {"username": username, "password": password, "totp_code": code}
    return httpx.post(f"{base_url}/login", data=data, headers={"X-Forwarded-For": ip}, timeout=15)


def test_failures_from_one_address_do_not_lock_the_physician_out_elsewhere(start_server, platform, people):
    server = start_server(env={"SISAMU_TRUSTED_PROXIES": "127.0.0.1"})
    for _ in range(platform.settings.login_max_failures):
        assert _login(server.base_url, "reg.250", "guess", ip=ATTACKER).status_code == 401
    throttled = _login(server.base_url, "reg.250", "guess", ip=ATTACKER)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    assert "Trop de tentatives" in throttled.text

    code = totp.code_at(people["reg.250"], platform.clock.now())
    ok = _login(server.base_url, "reg.250", PASSWORD, ip=PHYSICIAN_DESK, code=code)
    assert ok.status_code == 303, ok.text


def test_unknown_names_do_not_lock_real_accounts(start_server, platform, people):
    server = start_server(env={"SISAMU_TRUSTED_PROXIES": "127.0.0.0/8"})
    for i in range(platform.settings.login_max_failures_per_ip + 5):
        response = _login(server.base_url, f"nobody{i}", "guess", ip=ATTACKER)
        assert response.status_code in {401, 429}
    assert _login(server.base_url, "admin", PASSWORD, ip=PHYSICIAN_DESK).status_code == 303
    assert _login(server.base_url, "arm.250", PASSWORD, ip="198.51.100.21").status_code == 303


def test_a_sprayed_address_lets_only_password_and_second_factor_in(start_server, platform, people):
    server = start_server(env={"SISAMU_TRUSTED_PROXIES": "127.0.0.1"})
    for i in range(platform.settings.login_max_failures_per_ip):
        _login(server.base_url, f"spray{i}", "Printemps2026", ip=ATTACKER)
    # From the capped address: the same answer for a right password without second factor as for a wrong one…
    right = _login(server.base_url, "arm.250", PASSWORD, ip=ATTACKER)
    wrong = _login(server.base_url, "arm.250", "Printemps2026", ip=ATTACKER)
    assert right.status_code == wrong.status_code == 429
    assert right.text == wrong.text
    # …while the physician behind the same address (a hospital's NAT) logs in with password and code.
    code = totp.code_at(people["reg.250"], platform.clock.now())
    assert _login(server.base_url, "reg.250", PASSWORD, ip=ATTACKER, code=code).status_code == 303


def test_forwarded_addresses_are_ignored_without_trusted_proxies(start_server, platform, people):
    """Anyone may send X-Forwarded-For: believed from an untrusted peer, it would dodge every address counter."""
    server = start_server()
    for i in range(platform.settings.login_max_failures):
        assert _login(server.base_url, "arm.250", "guess", ip=f"192.0.2.{i}").status_code == 401
    assert _login(server.base_url, "arm.250", "guess", ip="192.0.2.99").status_code == 429


def test_delays_grow_and_end_no_lock_out(platform, people):
    """After the free failures, each failure doubles the wait of its pair; a right password after the wait passes."""
    settings = platform.settings
    start = platform.clock.now()

    def attempt(at_s: float, password: str) -> service.OpenedSession | service.Refused:
        with platform.uow() as uow:
            return service.login(
                uow,
                username="arm.250",
                password=password,
                totp_code=None,
                ip=ATTACKER,
                now=start + timedelta(seconds=at_s),
                settings=settings,
            )

    t = 0.0
    for _ in range(settings.login_max_failures):
        assert attempt(t, "guess") == service.Refused()
        t += 0.1
    waits = []
    for _ in range(3):
        refused = attempt(t, "guess")
        assert isinstance(refused, service.Refused)
        assert refused.throttled
        waits.append(refused.retry_after_s)
        t += refused.retry_after_s
        assert attempt(t, "guess") == service.Refused()  # checked again once the wait is over, and failed
    assert waits == [2, 4, 8]
    throttled = attempt(t, PASSWORD)
    assert isinstance(throttled, service.Refused)
    assert throttled.retry_after_s == 16
    assert isinstance(attempt(t + 16, PASSWORD), service.OpenedSession)
    assert isinstance(attempt(t + 17, "guess"), service.Refused)  # the success reset the pair's count
    assert attempt(t + 17.1, "guess") == service.Refused()
