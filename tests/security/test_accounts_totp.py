"""The second factor (issue 12): a TOTP code passes once, secrets are encrypted at rest, and a refused login says
nothing of whether the password was right or a second factor comes next."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from factories import add_account, add_physician_with_totp, add_samu
from processes import sisamu_command
from sisamu.config import Settings
from sisamu.security import totp, totp_vault
from sisamu.security.roles import Role
from sisamu.storage.tables import account
from support import TEST_TOTP_KEY

pytestmark = pytest.mark.db

PASSWORD = "Correct-Horse-15"


@pytest.fixture
def physician(platform) -> str:
    """The TOTP secret of `reg.250`, a regulating physician with a second factor; `arm.250` has none."""
    now = platform.clock.now()
    with platform.uow() as uow:
        add_samu(uow, "250")
        secret = add_physician_with_totp(platform, uow)
        add_account(uow, "arm.250", Role.ARM, "250", now=now)
    return secret


def _post(client, username: str, password: str, code: str = ""):
    return client.post("/login", data={"username": username, "password": password, "totp_code": code})


def _stored_secret(platform, username: str) -> str:
    with platform.engine.connect() as conn:
        return conn.execute(select(account.c.totp_secret).where(account.c.username == username)).scalar_one()


def test_a_code_is_accepted_once(client, platform, physician):
    code = totp.code_at(physician, platform.clock.now())
    assert _post(client, "reg.250", PASSWORD, code).status_code == 303
    client.cookies.clear()
    replayed = _post(client, "reg.250", PASSWORD, code)
    assert replayed.status_code == 401
    assert "sisamu_session" not in replayed.headers.get("set-cookie", "")


def test_an_earlier_code_after_a_later_one_is_refused(client, platform, physician):
    now = platform.clock.now()
    assert _post(client, "reg.250", PASSWORD, totp.code_at(physician, now)).status_code == 303
    client.cookies.clear()
    previous_step = totp.code_at(physician, now - timedelta(seconds=30))
    assert _post(client, "reg.250", PASSWORD, previous_step).status_code == 401


def test_secrets_are_encrypted_at_rest(platform, physician):
    stored = _stored_secret(platform, "reg.250")
    assert stored.startswith(totp_vault.PREFIX)
    assert physician not in stored
    assert totp_vault.TotpVault(TEST_TOTP_KEY).open(stored) == physician
    other_key = totp_vault.TotpVault("x2mW0c3k1ZlF4a6Kp8Qy7o9n2Bv5Hj1Ls3Dd6Gf8Rt0=")
    with pytest.raises(ValueError, match="does not open"):
        other_key.open(stored)


def test_a_secret_stored_in_clear_works_and_is_sealed_at_login(client, platform, physician):
    """Secrets of earlier versions (in clear) keep working during the transition, sealed at the next login."""
    with platform.engine.begin() as conn:
        conn.execute(account.update().where(account.c.username == "reg.250").values(totp_secret=physician))
    code = totp.code_at(physician, platform.clock.now())
    assert _post(client, "reg.250", PASSWORD, code).status_code == 303
    stored = _stored_secret(platform, "reg.250")
    assert stored.startswith(totp_vault.PREFIX)
    assert totp_vault.TotpVault(TEST_TOTP_KEY).open(stored) == physician


def test_sisamu_accounts_seal_totp_seals_the_secrets_left_in_clear(
    platform, physician, database_url, tmp_path
):
    with platform.engine.begin() as conn:
        conn.execute(account.update().where(account.c.username == "reg.250").values(totp_secret=physician))
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path / "var"),
        "SISAMU_TOTP_KEY": TEST_TOTP_KEY,
    }
    done = subprocess.run(
        [*sisamu_command(), "accounts", "seal-totp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 secret(s) TOTP chiffré(s)" in done.stdout
    assert totp_vault.TotpVault(TEST_TOTP_KEY).open(_stored_secret(platform, "reg.250")) == physician
    # With an external database and no key, the command refuses rather than making one up.
    env.pop("SISAMU_TOTP_KEY")
    refused = subprocess.run(
        [*sisamu_command(), "accounts", "seal-totp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "SISAMU_TOTP_KEY" in refused.stdout + refused.stderr


def test_a_wrong_password_gets_the_same_answer_with_or_without_second_factor(client, physician):
    with_totp = _post(client, "reg.250", "wrong-password")
    without = _post(client, "arm.250", "wrong-password")
    right_password_no_code = _post(client, "reg.250", PASSWORD)
    right_password_bad_code = _post(client, "reg.250", PASSWORD, "000000")
    assert with_totp.status_code == without.status_code == 401
    assert right_password_no_code.status_code == right_password_bad_code.status_code == 401
    page = with_totp.text
    assert without.text.replace("arm.250", "reg.250") == page
    assert right_password_no_code.text == page  # the password is never confirmed on its own
    assert right_password_bad_code.text == page
    assert 'name="totp_code"' in page  # the code field is always on the form, never "now enter your code"


def test_the_embedded_database_keeps_its_key_in_an_owner_only_file(tmp_path):
    settings = Settings(database_url=None, data_dir=tmp_path / "var", totp_key=None)
    sealed = totp_vault.vault_for(settings).seal("JBSWY3DPEHPK3PXP")
    key_file = tmp_path / "var" / totp_vault.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert totp_vault.TotpVault(key_file.read_bytes()).open(sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(totp_vault.TotpKeyMissing):
        totp_vault.vault_for(Settings(database_url="postgresql://x@h/db", data_dir=tmp_path, totp_key=None))
