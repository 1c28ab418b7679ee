"""Password hashing, TOTP and the role × tenant rule, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from sisamu.security import passwords, totp
from sisamu.security.access import authorize, authorize_object
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import ROLE_PERMISSIONS, Permission, Principal, Role, allows


def test_production_hasher_is_argon2id_with_rfc9106_costs():
    # The test suite swaps in a cheap hasher; the module's default must stay the library's RFC 9106 profile.
    default = PasswordHasher()
    assert default.type.name == "ID"
    stored = passwords.hash_password("Un-Mot-De-Passe-Long")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "Un-Mot-De-Passe-Long")
    assert not passwords.verify_password(stored, "un-mot-de-passe-long")
    assert not passwords.verify_password(None, "anything")
    assert not passwords.verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("candidate", "ok"), [("court", False), ("toutenminuscules", False), ("Assez-Long-Et-Mixte", True)]
)
def test_password_policy(candidate, ok):
    assert (passwords.password_problem(candidate) is None) is ok


def test_totp_accepts_current_and_adjacent_steps_only():
    secret = totp.new_secret()
    now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert totp.verify_code(secret, totp.code_at(secret, now), now)
    assert totp.verify_code(secret, totp.code_at(secret, now - timedelta(seconds=30)), now)
    assert not totp.verify_code(secret, totp.code_at(secret, now - timedelta(minutes=5)), now)
    assert not totp.verify_code(secret, "abcdef", now)


def _p(role: Role, samu: str | None) -> Principal:
    return Principal(uuid.uuid4(), f"{role}.{samu}", "x", role, samu)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_confined_to_its_samu_unless_nationwide(role):
    me = _p(role, "250")
    for permission in ROLE_PERMISSIONS[role]:
        assert allows(me, permission, "250")
        assert allows(me, permission, "680") is me.nationwide


def test_nationwide_roles_never_touch_patient_data():
    for role in (Role.NATIONAL, Role.ANALYST):
        assert Permission.PATIENT_READ not in ROLE_PERMISSIONS[role]
        assert not allows(_p(role, None), Permission.PATIENT_READ, "250")


def test_other_tenants_objects_are_reported_missing_not_forbidden():
    arm = _p(Role.ARM, "250")
    with pytest.raises(NotFound):
        authorize_object(arm, Permission.PATIENT_READ, "680")
    with pytest.raises(Forbidden):
        authorize_object(arm, Permission.ROOM_WRITE, "250")
    authorize(arm, Permission.PATIENT_WRITE, "250")
