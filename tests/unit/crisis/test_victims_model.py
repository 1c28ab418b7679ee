"""The victims registry's rules (issue 16 part 3): the SINUS bracelet number typed or read from a QR payload, the
status path site → PMA → evacuated → admitted, and which victims may be one person."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sisamu.crisis.model import CrisisRefused
from sisamu.crisis.victims.model import (
    AgeBand,
    Identity,
    Status,
    Triage,
    Vector,
    Victim,
    age_band_at,
    allocated_number,
    bracelet_number,
    check_status,
    duplicate_pairs,
    normalised,
    same_person,
)

NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def _victim(number: str = "FR025NOVI2026TR000001", **kw) -> Victim:
    values = {
        "crisis_id": 1, "number": number, "allocated": False, "triage": Triage.UA, "status": Status.SITE,
        "identity": Identity(), "site": None, "pma": None, "vector": None, "destination": None, "patient": None,
        "version": 1, "created_at": NOW, "created_by": "arm.250", "created_by_id": None, "updated_at": NOW,
    }  # fmt: skip
    return Victim(**(values | kw))


@pytest.mark.parametrize(
    ("payload", "number"),
    [
        ("FR025NOVI2026TR000001", "FR025NOVI2026TR000001"),
        ("  fr025novi2026tr000042 ", "FR025NOVI2026TR000042"),  # typed in lower case, spaces around
        ("FR 025 NOVI 2026 HP 000007", "FR025NOVI2026HP000007"),  # typed in groups; a hospital's bracelet
        ("FR02ANOVI2026TR000003", "FR02ANOVI2026TR000003"),  # Corse-du-Sud
        (
            "https://sinus.example/v?id=FR974ABCD2027TR123456",
            "FR974ABCD2027TR123456",
        ),  # a QR payload around it
        ("SINUS;FR025NOVI2026TR000009;", "FR025NOVI2026TR000009"),
    ],
)
def test_a_sinus_number_is_read_as_typed_or_scanned(payload, number):
    assert bracelet_number(payload) == number
    assert len(number) == 21


@pytest.mark.parametrize(
    "payload",
    [
        "FR025NOVI2026TR00001",  # 20 characters
        "FR025NOVI2026XX000001",  # neither TR nor HP
        "F1025NOVI2026TR000001",  # country not letters
        "FR025NOVI1999TR000001",  # year before SINUS
        "FR025NOVI2026TR000000",  # sequence 0
        "FR025NOVI2026TR000001 FR025NOVI2026TR000002",  # two numbers: which one?
        "SISAMU-1-000001",  # sisamu's own numbers are not bracelets
        "",
    ],
)
def test_anything_else_is_refused_with_a_french_message(payload):
    with pytest.raises(CrisisRefused) as refused:
        bracelet_number(payload)
    assert refused.value.code in {"NUMERO_SINUS_INVALIDE", "NUMERO_VIDE"}
    assert refused.value.status == 422


def test_allocated_numbers_never_look_like_a_bracelet():
    assert allocated_number(12, 7) == "SISAMU-12-000007"
    with pytest.raises(CrisisRefused):
        bracelet_number(allocated_number(12, 7))


def test_the_status_goes_forward_only():
    on_site = _victim()
    check_status(on_site, Status.PMA)
    with pytest.raises(CrisisRefused) as refused:
        check_status(on_site, Status.ADMITTED)
    assert (refused.value.code, refused.value.status) == ("TRANSITION_REFUSEE", 409)
    with pytest.raises(CrisisRefused) as incomplete:
        check_status(on_site, Status.EVACUATED)  # no destination, no vector
    assert incomplete.value.code == "EVACUATION_INCOMPLETE"
    ready = _victim(status=Status.PMA, vector=Vector.SMUR, destination="chu-besancon-25")
    check_status(ready, Status.EVACUATED)
    check_status(
        _victim(status=Status.SITE, vector=Vector.VSAV, destination="chu-besancon-25"), Status.EVACUATED
    )
    with pytest.raises(CrisisRefused):
        check_status(_victim(status=Status.EVACUATED), Status.PMA)
    with pytest.raises(CrisisRefused) as dead:
        check_status(
            _victim(status=Status.PMA, triage=Triage.DCD, vector=Vector.SMUR, destination="chu-besancon-25"),
            Status.EVACUATED,
        )
    assert dead.value.code == "VICTIME_DECEDEE"
    check_status(_victim(status=Status.EVACUATED), Status.ADMITTED)


def test_identity_checks_and_the_birth_date_gives_the_age_band():
    who = Identity(last_name=" Lefèvre ", sex="F", birth_date=date(1990, 5, 1), age_band=AgeBand.CHILD)
    checked = who.checked(NOW.date())
    assert checked.last_name == "Lefèvre"
    assert checked.age_band is AgeBand.ADULT  # the birth date decides
    assert age_band_at(date(2022, 12, 4), NOW.date()) is AgeBand.INFANT
    assert age_band_at(date(1940, 1, 1), NOW.date()) is AgeBand.ELDER
    with pytest.raises(CrisisRefused):
        Identity(sex="X").checked(NOW.date())
    with pytest.raises(CrisisRefused):
        Identity(birth_date=date(2027, 1, 1)).checked(NOW.date())


def test_names_are_compared_without_accents_case_or_punctuation():
    assert normalised("Lefèvre-Dupont") == normalised("LEFEVRE DUPONT") == "LEFEVREDUPONT"
    a = Identity(last_name="Lefèvre", first_name="Zoé", sex="F", age_band=AgeBand.ADULT)
    assert same_person(a, Identity(last_name="LEFEVRE", first_name="zoe", sex="F", age_band=AgeBand.ADULT))
    assert same_person(a, Identity(last_name="Zoé", first_name="Lefèvre"))  # names in the wrong fields
    assert same_person(a, Identity(last_name="Lefevre"))  # nothing else known: worth a look
    assert not same_person(a, Identity(last_name="Lefevre", first_name="Zoé", sex="M"))
    assert not same_person(a, Identity(last_name="Lefevre", first_name="Zoé", age_band=AgeBand.CHILD))
    assert not same_person(a, Identity(last_name="Lefevre", first_name="Léa"))
    assert not same_person(Identity(), Identity())  # unknown people are not all the same person
    born = Identity(last_name="Martin", birth_date=date(1980, 1, 2))
    assert not same_person(born, Identity(last_name="Martin", birth_date=date(1980, 2, 1)))
    assert same_person(born, Identity(last_name="MARTIN", birth_date=date(1980, 1, 2)))


def test_duplicate_pairs_are_listed_once_each():
    zoe = Identity(last_name="Lefèvre", first_name="Zoé", sex="F")
    victims = [
        _victim("FR025NOVI2026TR000001", identity=zoe),
        _victim("FR025NOVI2026TR000002", identity=Identity(last_name="LEFEVRE", first_name="ZOE")),
        _victim("FR025NOVI2026TR000003", identity=Identity(last_name="Martin")),
        _victim("SISAMU-1-000001", identity=Identity()),
        _victim("SISAMU-1-000002", identity=Identity()),
    ]
    pairs = duplicate_pairs(victims)
    assert [(a.number, b.number) for a, b in pairs] == [("FR025NOVI2026TR000001", "FR025NOVI2026TR000002")]
