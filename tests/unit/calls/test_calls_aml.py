"""AML parsing (SMS and HTTPS forms), every malformation with its reason, fuzzing, matching to calls."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from sisamu.calls.aml.model import (
    AmlError,
    AmlLocation,
    PositioningMethod,
    match_location,
    normalise_number,
    parse_aml,
    parse_https,
    parse_sms,
)


def with_ml(body: str) -> str:
    """Append `;ml=N` where N is the length of the whole message, `ml` field included."""
    for digits in (2, 3, 4):
        text = f"{body};ml={0:0{digits}d}"
        if len(str(len(text))) == digits:
            return f"{body};ml={len(text)}"
    raise AssertionError


SMS_BODY = (
    'A"ML=1;lt=+48.85661;lg=+2.35222;rd=15;top=20260125101530;lc=68;pm=G;'
    "si=208011234567890;ei=356708041746734;mcc=208;mnc=01"
)
SMS = with_ml(SMS_BODY)
HTTPS_FIELDS = {
    "v": "3",
    "emergency_number": "112",
    "source": "call",
    "thunderbird_version": "2800",
    "time": "1769335820000",
    "location_latitude": "47.2378",
    "location_longitude": "6.0241",
    "location_time": "1769335830500",
    "location_altitude": "310.0",
    "location_floor": "2",
    "location_source": "wifi",
    "location_accuracy": "12.5",
    "location_vertical_accuracy": "3.0",
    "location_confidence": "0.6827",
    "location_bearing": "156.7",
    "location_speed": "1.2",
    "device_number": "+33612345678",
    "device_model": "Pixel 8",
    "device_imei": "356708041746734",
    "device_imsi": "208011234567890",
    "device_iccid": "89330123456789012345",
    "cell_carrier": "Orange F",
    "cell_home_mcc": "208",
    "cell_home_mnc": "01",
    "cell_network_mcc": "208",
    "cell_network_mnc": "01",
    "cell_id": "0213454321",
}
HTTPS = urlencode(HTTPS_FIELDS)


def test_sms_example() -> None:
    location = parse_sms(SMS, msisdn="+33612345678")
    assert location == AmlLocation(
        lat=48.85661,
        lon=2.35222,
        radius_m=15.0,
        positioned_at=datetime(2026, 1, 25, 10, 15, 30, tzinfo=UTC),
        confidence_pct=68.0,
        method=PositioningMethod.GNSS,
        imsi="208011234567890",
        imei="356708041746734",
        mcc="208",
        mnc="01",
        msisdn="+33612345678",
        version=1,
        transport="sms",
        raw=SMS,
    )
    assert location.has_position


@pytest.mark.parametrize(
    "text",
    [
        # published examples (Google ELS SMS specification, EENA/UK AML), `ml` equal to the message length
        (
            'A"ML=1;lt=+00.00000;lg=+000.00000;rd=N;top=20220131173734;lc=0;pm=N;si=234159000000000;'
            "ei=123456789012345;mcc=234;mnc=15;ml=127"
        ),
        (
            'A"ML=1;lt=+54.76397;lg=-0.18305;rd=50;top=20130717141935;lc=90;pm=W;si=123456789012345;'
            "ei=1234567890123456;mcc=234;mnc=30;ml=128"
        ),
        (
            'A"ML=1;lt=48.82639;lg=-2.36619;rd=52;top=20191112112928;lc=68;pm=G;si=208201771948415;'
            "ei=353472104343540;mcc=208;mnc=20;ml=126"
        ),
    ],
)
def test_published_sms_examples(text: str) -> None:
    assert parse_sms(text).version == 1


def test_sms_without_fix_has_no_position() -> None:
    text = with_ml('A"ML=1;lt=+00.00000;lg=+000.00000;rd=N;top=20260125101530;lc=0;pm=N;mcc=208;mnc=01')
    location = parse_sms(text)
    assert (location.lat, location.lon, location.radius_m) == (None, None, None)
    assert location.method is PositioningMethod.NONE
    assert not location.has_position


def test_sms_optional_fields_and_unknown_radius() -> None:
    location = parse_sms('A"ML=1;lt=-33.5;lg=-70.25;rd=N;top=20260125101530;lc=100;pm=C\n')
    assert (location.lat, location.lon, location.radius_m) == (-33.5, -70.25, None)
    assert (location.imsi, location.imei, location.mcc, location.mnc, location.msisdn) == (None,) * 5
    assert location.method is PositioningMethod.CELL


def replace_field(text: str, key: str, value: str | None) -> str:
    parts = [p for p in text.split(";") if not p.startswith(("ml=", f"{key}="))]
    if value is not None:
        parts.append(f"{key}={value}")
    return with_ml(";".join(parts))


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("lt", "+91.00000", "lt: 91.0 is out of range [-90, 90]"),
        ("lt", "-90.00001", "lt: -90.00001 is out of range"),
        ("lg", "+180.5", "lg: 180.5 is out of range [-180, 180]"),
        ("lt", "abc", "lt: 'abc' is not a decimal number of degrees"),
        ("lt", "nan", "lt: 'nan' is not a decimal number"),
        ("lg", "1e5", "lg: '1e5' is not a decimal number"),
        ("lt", "", "lt: '' is not a decimal number"),
        ("rd", "-5", "rd: '-5' is not a non-negative number"),
        ("rd", "x", "rd: 'x' is not a non-negative number"),
        ("top", "2026012510153", "top: '2026012510153' is not YYYYMMDDhhmmss"),
        ("top", "20261325101530", "top: '20261325101530' is not a valid date and time"),
        ("top", "20260230101530", "not a valid date and time"),
        ("top", "19990101000000", "top: 1999-01-01T00:00:00+00:00 is not between 2000 and 2100"),
        ("lc", "101", "lc: 101 is out of range [0, 100]"),
        ("lc", "6.8", "lc: '6.8' is not an integer percentage"),
        ("pm", "X", "pm: unknown positioning method 'X'"),
        ("si", "20801abc", "si: '20801abc' is not an IMSI"),
        ("ei", "123", "ei: '123' is not an IMEI"),
        ("mcc", "20", "mcc: '20' is not a mobile country code"),
        ("mnc", "1", "mnc: '1' is not a mobile network code"),
        ("lt", None, "missing mandatory field(s): lt"),
        ("top", None, "missing mandatory field(s): top"),
    ],
)
def test_sms_malformed_field(key: str, value: str | None, reason: str) -> None:
    with pytest.raises(AmlError) as caught:
        parse_sms(replace_field(SMS, key, value))
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", 'header: the message does not start with A"ML='),
        ("AML=1;lt=1", 'does not start with A"ML='),
        ('A"ML=2;lt=+48.1;lg=+2.1', "A\"ML: unknown version '2'"),
        ('A"ML=x', "A\"ML: unknown version 'x'"),
        ('A"ML=1;lt=+48.1;;lg=2', "field 3: '' is not key=value"),
        ('A"ML=1;lt=+48.1;lg', "field 3: 'lg' is not key=value"),
        ('A"ML=1;lt=+48.1;lt=+48.2', "lt: field repeated"),
        ('A"ML=1;lt=+48.1;lg=+2.3', "missing mandatory field(s): rd, top, lc, pm"),
        (SMS_BODY + ";ml=12", f"ml: declares 12 characters, the message has {len(SMS_BODY) + 6}"),
        (SMS_BODY + ";ml=abc", "ml: 'abc' is not a length"),
        ('A"ML=1;' + "x" * 2000, "more than 1000"),
    ],
)
def test_sms_malformed_message(text: str, reason: str) -> None:
    with pytest.raises(AmlError) as caught:
        parse_sms(text)
    assert reason in caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_sms_bad_msisdn() -> None:
    with pytest.raises(AmlError, match="msisdn: 'nobody' is not a phone number"):
        parse_sms(SMS, msisdn="nobody")


def test_https_example() -> None:
    location = parse_https(HTTPS)
    assert location == AmlLocation(
        lat=47.2378,
        lon=6.0241,
        radius_m=12.5,
        positioned_at=datetime(2026, 1, 25, 10, 10, 30, 500000, tzinfo=UTC),
        confidence_pct=pytest.approx(68.27),  # type: ignore[arg-type]
        method=PositioningMethod.WIFI,
        imsi="208011234567890",
        imei="356708041746734",
        mcc="208",
        mnc="01",
        msisdn="+33612345678",
        version=3,
        transport="https",
        raw=HTTPS,
    )


def test_https_mapping_minimal_and_certainty() -> None:
    fields = {
        "v": "1",
        "location_latitude": "-12.5",
        "location_longitude": "45.1",
        "location_time": "1769335830000",
        "location_certainty": "83",
        "location_source": "GPS",
        "device_number": " 262639123456",  # an unencoded '+' decoded as a space
    }
    location = parse_https(fields)
    assert location.method is PositioningMethod.GNSS
    assert location.confidence_pct == 83
    assert location.msisdn == "+262639123456"
    assert location.radius_m is None
    assert location.raw == urlencode(fields)
    assert parse_https({k: v for k, v in fields.items() if k != "location_source"}).method.value == "U"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("v", "9", "v: unknown version '9'"),
        ("location_latitude", "95", "location_latitude: 95.0 is out of range"),
        ("location_longitude", "-181", "location_longitude: -181.0 is out of range"),
        ("location_latitude", "north", "location_latitude: 'north' is not a decimal number"),
        ("location_time", "yesterday", "location_time: 'yesterday' is not a Unix time in milliseconds"),
        (
            "location_time",
            "12",
            "location_time: 1970-01-01T00:00:00.012000+00:00 is not between 2000 and 2100",
        ),
        ("location_time", "99999999999999", "location_time: '99999999999999' is not a Unix time"),
        ("location_accuracy", "-1", "location_accuracy: '-1' is not a non-negative number"),
        ("location_source", "radar", "location_source: unknown source 'radar'"),
        ("location_confidence", "68", "location_confidence: 68.0 is out of range [0, 1]"),
        ("device_imei", "35670804174673x", "device_imei: '35670804174673x' is not an IMEI"),
        ("device_imsi", "12", "device_imsi: '12' is not an IMSI"),
        ("device_number", "call me", "device_number: 'call me' is not a phone number"),
        ("emergency_number", "one", "emergency_number: 'one' is not a phone number"),
        ("cell_network_mcc", "2080", "cell_network_mcc: '2080' is not a mobile country code"),
        ("cell_network_mnc", "x", "cell_network_mnc: 'x' is not a mobile network code"),
        ("cell_home_mcc", "ab", "cell_home_mcc: 'ab' is not a mobile country code"),
        ("cell_home_mnc", "1234", "cell_home_mnc: '1234' is not a mobile network code"),
        ("location_latitude", None, "missing mandatory field(s): location_latitude"),
        ("v", None, "missing mandatory field(s): v"),
    ],
)
def test_https_malformed_field(key: str, value: str | None, reason: str) -> None:
    fields = dict(HTTPS_FIELDS)
    if value is None:
        del fields[key]
    else:
        fields[key] = value
    with pytest.raises(AmlError) as caught:
        parse_https(urlencode(fields))
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (HTTPS + "&v=3", "v: field repeated"),
        ("&".join(f"k{i}=1" for i in range(150)), "more than 100 fields"),
        ("x" * 9000, "more than 8000"),
        ("hello", "missing mandatory field(s): v, location_latitude"),
    ],
)
def test_https_malformed_body(body: str, reason: str) -> None:
    with pytest.raises(AmlError) as caught:
        parse_https(body)
    assert reason in caught.value.reason


def test_parse_aml_detects_the_form() -> None:
    assert parse_aml(" " + SMS, msisdn="0612345678").transport == "sms"
    assert parse_aml(HTTPS).transport == "https"


def mutate(text: str, rng: random.Random) -> str:
    alphabet = string.printable + 'é\x00;="-+.'
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(4)
        pos = rng.randrange(len(chars) + 1)
        if op == 0:
            chars.insert(pos, rng.choice(alphabet))
        elif op == 1 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op == 2 and chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(alphabet)
        else:
            cut = rng.randrange(len(chars) + 1)
            chars = chars[:cut] + chars[pos:]
    return "".join(chars)


def test_fuzz_only_aml_error_comes_out() -> None:
    rng = random.Random(20260125)
    seeds = [SMS, HTTPS, SMS_BODY, urlencode({"v": "1", "location_time": "1"})]
    outcomes = {"ok": 0, "error": 0}
    reasons: list[str] = []
    for i in range(4000):
        if i % 4 == 0:
            text = "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 200)))
        else:
            text = mutate(rng.choice(seeds), rng)
        for parse in (parse_aml, parse_sms, parse_https):
            try:
                parse(text)
            except AmlError as error:
                reasons.append(error.reason)
                outcomes["error"] += 1
            else:
                outcomes["ok"] += 1
    assert outcomes["ok"] > 0
    assert outcomes["error"] > 0
    assert all(reasons)


@dataclass(frozen=True)
class FakeCall:
    call_id: str
    caller_number: str | None
    offered_at: datetime


T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)


def loc(number: str | None, seconds: float, radius: float | None = 10.0, *, fix: bool = True) -> AmlLocation:
    return AmlLocation(
        lat=48.0 if fix else None,
        lon=2.0 if fix else None,
        radius_m=radius,
        positioned_at=T0 + timedelta(seconds=seconds),
        confidence_pct=68,
        method=PositioningMethod.GNSS if fix else PositioningMethod.NONE,
        imsi=None,
        imei=None,
        mcc=None,
        mnc=None,
        msisdn=number,
        version=1,
        transport="sms",
        raw="",
    )


def test_normalise_number() -> None:
    assert normalise_number("+33 6 12 34 56 78") == "0612345678"
    assert normalise_number("0033612345678") == "0612345678"
    assert normalise_number("+262639123456") == "262639123456"


def test_match_closest_call_with_same_number_within_window() -> None:
    calls = [
        FakeCall("early", "0612345678", T0 - timedelta(minutes=30)),
        FakeCall("now", "06 12 34 56 78", T0),
        FakeCall("other", "0699999999", T0),
        FakeCall("anonymous", None, T0),
    ]
    location = loc("+33612345678", 20)
    assert match_location([location], calls, timedelta(minutes=2)) == {"now": location}


def test_match_outside_window_or_without_number_or_fix_is_ignored() -> None:
    calls = [FakeCall("c1", "0612345678", T0)]
    window = timedelta(seconds=60)
    assert match_location([loc("0612345678", 61)], calls, window) == {}
    assert match_location([loc(None, 1)], calls, window) == {}
    assert match_location([loc("0612345678", 1, fix=False)], calls, window) == {}
    assert match_location([loc("0612345678", -60)], calls, window) != {}


def test_match_keeps_the_most_precise_location_per_call() -> None:
    calls = [FakeCall("c1", "0612345678", T0)]
    coarse, fine, unknown = loc("0612345678", 5, 500), loc("0612345678", 30, 8), loc("0612345678", 2, None)
    assert match_location([coarse, fine, unknown], calls, timedelta(minutes=1)) == {"c1": fine}
    same_a, same_b = loc("0612345678", 10, 8), loc("0612345678", 4, 8)
    assert match_location([same_a, same_b], calls, timedelta(minutes=1)) == {"c1": same_b}


def test_match_ties_on_time_go_to_the_smallest_call_id() -> None:
    calls = [FakeCall("b", "0612345678", T0 + timedelta(seconds=10)), FakeCall("a", "0612345678", T0)]
    assert list(match_location([loc("0612345678", 5)], calls, timedelta(minutes=1))) == ["a"]
