"""AML (Advanced Mobile Location, ETSI TS 103 625) handset locations: SMS text form and HTTPS form.

Both parsers return an `AmlLocation` or raise `AmlError(reason)`; no other exception leaves this module for
any input string. Field rules are listed in `docs/telephony.md`. `match_location` attaches locations to calls.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "AmlError",
    "AmlLocation",
    "CallForMatching",
    "PositioningMethod",
    "match_location",
    "normalise_number",
    "parse_aml",
    "parse_https",
    "parse_sms",
]

MAX_SMS_LENGTH = 1000
MAX_HTTPS_LENGTH = 8000
SMS_HEADER = 'A"ML='
SMS_VERSIONS = frozenset({1})
HTTPS_VERSIONS = frozenset({1, 2, 3})
SMS_MANDATORY = ("lt", "lg", "rd", "top", "lc", "pm")
HTTPS_MANDATORY = ("v", "location_latitude", "location_longitude", "location_time")

_DECIMAL = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,15})?")
_UNSIGNED = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,6})?")
_INT = re.compile(r"[0-9]{1,3}")
_IMSI = re.compile(r"[0-9]{6,15}")
_IMEI = re.compile(r"[0-9]{14,16}")
_MCC = re.compile(r"[0-9]{3}")
_MNC = re.compile(r"[0-9]{2,3}")
_NUMBER = re.compile(r"\+?[0-9]{2,15}")
_EPOCH_MS = re.compile(r"[0-9]{1,13}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class AmlError(ValueError):
    """A malformed AML message; `reason` names the field and what is wrong with it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PositioningMethod(enum.StrEnum):
    GNSS = "G"
    WIFI = "W"
    CELL = "C"
    FUSED = "F"  # Android ELS extension
    UNKNOWN = "U"  # Android ELS extension
    NONE = "N"  # no location could be computed


_HTTPS_SOURCES = {
    "gps": PositioningMethod.GNSS,
    "gnss": PositioningMethod.GNSS,
    "wifi": PositioningMethod.WIFI,
    "cell": PositioningMethod.CELL,
    "fused": PositioningMethod.FUSED,
    "unknown": PositioningMethod.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class AmlLocation:
    lat: float | None  # WGS84 decimal degrees; None when the handset had no fix (method NONE)
    lon: float | None
    radius_m: float | None  # None when unknown (`rd=N`, no `location_accuracy`)
    positioned_at: datetime  # UTC
    confidence_pct: float | None
    method: PositioningMethod
    imsi: str | None
    imei: str | None
    mcc: str | None  # serving network
    mnc: str | None
    msisdn: str | None  # SMS sender / `device_number`
    version: int
    transport: str  # "sms" or "https"
    raw: str

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_json(self) -> dict[str, object]:
        return {
            "lat": self.lat,
            "lon": self.lon,
            "radius_m": self.radius_m,
            "positioned_at": self.positioned_at.isoformat(),
            "confidence_pct": self.confidence_pct,
            "method": self.method.value,
            "imsi": self.imsi,
            "imei": self.imei,
            "mcc": self.mcc,
            "mnc": self.mnc,
            "msisdn": self.msisdn,
            "version": self.version,
            "transport": self.transport,
            "raw": self.raw,
        }


def _match(pattern: re.Pattern[str], field: str, value: str, expected: str) -> str:
    if not pattern.fullmatch(value):
        raise AmlError(f"{field}: {value[:40]!r} is not {expected}")
    return value


def _coordinate(field: str, value: str, limit: int) -> float:
    number = float(_match(_DECIMAL, field, value, "a decimal number of degrees"))
    if not -limit <= number <= limit:
        raise AmlError(f"{field}: {number} is out of range [-{limit}, {limit}]")
    return number


def _unsigned(field: str, value: str) -> float:
    return float(_match(_UNSIGNED, field, value, "a non-negative number"))


def _percent(field: str, value: str, *, fraction: bool = False) -> float:
    number = _unsigned(field, value)
    top = 1 if fraction else 100
    if number > top:
        raise AmlError(f"{field}: {number} is out of range [0, {top}]")
    return number * 100 if fraction else number


def _optional(fields: Mapping[str, str], key: str, pattern: re.Pattern[str], expected: str) -> str | None:
    value = fields.get(key)
    return None if value is None else _match(pattern, key, value, expected)


def _in_range(field: str, moment: datetime) -> datetime:
    if not _EARLIEST <= moment < _LATEST:
        raise AmlError(f"{field}: {moment.isoformat()} is not between 2000 and 2100")
    return moment


def _sms_time(value: str) -> datetime:
    if not re.fullmatch(r"[0-9]{14}", value):
        raise AmlError(f"top: {value[:40]!r} is not YYYYMMDDhhmmss")
    try:
        moment = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise AmlError(f"top: {value!r} is not a valid date and time") from None
    return _in_range("top", moment)


def _version(field: str, value: str, accepted: frozenset[int]) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) not in accepted:
        raise AmlError(f"{field}: unknown version {value[:40]!r} (accepted: {sorted(accepted)})")
    return int(value)


def _missing(fields: Mapping[str, str], mandatory: Iterable[str]) -> None:
    absent = [key for key in mandatory if key not in fields]
    if absent:
        raise AmlError(f"missing mandatory field(s): {', '.join(absent)}")


def parse_sms(text: str, *, msisdn: str | None = None) -> AmlLocation:
    """Parse `A"ML=1;lt=…;…;ml=…`. `msisdn` is the SMS originating address, when the gateway gives it."""
    message = text.strip()
    if len(message) > MAX_SMS_LENGTH:
        raise AmlError(f"message: {len(message)} characters, more than {MAX_SMS_LENGTH}")
    if not message.startswith(SMS_HEADER):
        raise AmlError('header: the message does not start with A"ML=')
    fields: dict[str, str] = {}
    for position, part in enumerate(message.split(";"), start=1):
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise AmlError(f"field {position}: {part[:40]!r} is not key=value")
        if key in fields:
            raise AmlError(f"{key}: field repeated")
        fields[key] = value
    version = _version('A"ML', fields.pop('A"ML'), SMS_VERSIONS)
    _missing(fields, SMS_MANDATORY)
    if "ml" in fields:
        declared = int(_match(re.compile(r"[0-9]{1,4}"), "ml", fields["ml"], "a length"))
        if declared != len(message):
            raise AmlError(f"ml: declares {declared} characters, the message has {len(message)}")
    lat = _coordinate("lt", fields["lt"], 90)
    lon = _coordinate("lg", fields["lg"], 180)
    radius = None if fields["rd"] == "N" else _unsigned("rd", fields["rd"])
    positioned_at = _sms_time(fields["top"])
    confidence = float(_match(_INT, "lc", fields["lc"], "an integer percentage"))
    if confidence > 100:  # noqa: PLR2004 - a percentage
        raise AmlError(f"lc: {confidence:g} is out of range [0, 100]")
    try:
        method = PositioningMethod(fields["pm"])
    except ValueError:
        raise AmlError(f"pm: unknown positioning method {fields['pm'][:40]!r} (G, W, C, F, U or N)") from None
    no_fix = method is PositioningMethod.NONE
    return AmlLocation(
        lat=None if no_fix else lat,
        lon=None if no_fix else lon,
        radius_m=None if no_fix else radius,
        positioned_at=positioned_at,
        confidence_pct=confidence,
        method=method,
        imsi=_optional(fields, "si", _IMSI, "an IMSI (6 to 15 digits)"),
        imei=_optional(fields, "ei", _IMEI, "an IMEI (14 to 16 digits)"),
        mcc=_optional(fields, "mcc", _MCC, "a mobile country code (3 digits)"),
        mnc=_optional(fields, "mnc", _MNC, "a mobile network code (2 or 3 digits)"),
        msisdn=None if msisdn is None else _match(_NUMBER, "msisdn", msisdn.strip(), "a phone number"),
        version=version,
        transport="sms",
        raw=text,
    )


def _https_fields(body: str | Mapping[str, str]) -> tuple[dict[str, str], str]:
    if isinstance(body, str):
        if len(body) > MAX_HTTPS_LENGTH:
            raise AmlError(f"body: {len(body)} characters, more than {MAX_HTTPS_LENGTH}")
        try:
            pairs = parse_qsl(body.strip(), keep_blank_values=True, max_num_fields=100)
        except ValueError:
            raise AmlError("body: more than 100 fields") from None
        raw = body
    else:
        pairs = list(body.items())
        raw = urlencode(pairs)
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise AmlError(f"{key[:40]}: field repeated")
        plus = key == "device_number" and value.startswith(" ")  # an unencoded '+' arrives as a space
        fields[key] = ("+" if plus else "") + value.strip()
    return fields, raw


def _epoch_ms(field: str, value: str) -> datetime:
    milliseconds = int(_match(_EPOCH_MS, field, value, "a Unix time in milliseconds"))
    return _in_range(field, _EPOCH + timedelta(milliseconds=milliseconds))


def parse_https(body: str | Mapping[str, str]) -> AmlLocation:
    """Parse an Android ELS / ETSI HTTPS POST body (form-encoded string, or its decoded key → value mapping)."""
    fields, raw = _https_fields(body)
    _missing(fields, HTTPS_MANDATORY)
    version = _version("v", fields["v"], HTTPS_VERSIONS)
    source = fields.get("location_source", "unknown").casefold()
    if source not in _HTTPS_SOURCES:
        raise AmlError(f"location_source: unknown source {source[:40]!r} ({', '.join(_HTTPS_SOURCES)})")
    confidence: float | None = None
    if "location_confidence" in fields:
        confidence = _percent("location_confidence", fields["location_confidence"], fraction=True)
    elif "location_certainty" in fields:
        confidence = _percent("location_certainty", fields["location_certainty"])
    number = fields.get("device_number")
    accuracy = fields.get("location_accuracy")
    _optional(fields, "emergency_number", _NUMBER, "a phone number")
    _optional(fields, "cell_home_mcc", _MCC, "a mobile country code (3 digits)")
    _optional(fields, "cell_home_mnc", _MNC, "a mobile network code (2 or 3 digits)")
    return AmlLocation(
        lat=_coordinate("location_latitude", fields["location_latitude"], 90),
        lon=_coordinate("location_longitude", fields["location_longitude"], 180),
        radius_m=None if accuracy is None else _unsigned("location_accuracy", accuracy),
        positioned_at=_epoch_ms("location_time", fields["location_time"]),
        confidence_pct=confidence,
        method=_HTTPS_SOURCES[source],
        imsi=_optional(fields, "device_imsi", _IMSI, "an IMSI (6 to 15 digits)"),
        imei=_optional(fields, "device_imei", _IMEI, "an IMEI (14 to 16 digits)"),
        mcc=_optional(fields, "cell_network_mcc", _MCC, "a mobile country code (3 digits)"),
        mnc=_optional(fields, "cell_network_mnc", _MNC, "a mobile network code (2 or 3 digits)"),
        msisdn=None if number is None else _match(_NUMBER, "device_number", number, "a phone number"),
        version=version,
        transport="https",
        raw=raw,
    )


def parse_aml(text: str, *, msisdn: str | None = None) -> AmlLocation:
    """SMS form if the text starts with `A"ML=`, else the HTTPS form-encoded body."""
    if text.lstrip().startswith(SMS_HEADER):
        return parse_sms(text, msisdn=msisdn)
    return parse_https(text)


def normalise_number(number: str) -> str:
    """A French-friendly comparison key: digits only, `+33…`/`0033…` written `0…`."""
    digits = re.sub(r"[^0-9+]", "", number)
    for prefix in ("+33", "0033"):
        if digits.startswith(prefix):
            return "0" + digits[len(prefix) :]
    return digits.lstrip("+")


class CallForMatching(Protocol):
    @property
    def call_id(self) -> str: ...
    @property
    def caller_number(self) -> str | None: ...
    @property
    def offered_at(self) -> datetime: ...


def match_location(
    locations: Iterable[AmlLocation], calls: Iterable[CallForMatching], window: timedelta
) -> dict[str, AmlLocation]:
    """Attach each location to the call with the same number whose offer is closest in time, within `window`.

    Locations without a position or without a number are ignored. When several locations reach one call, the
    most precise wins (smallest radius, unknown radius last), then the closest in time, then the latest fix.
    """
    by_number: dict[str, list[CallForMatching]] = {}
    for call in calls:
        if call.caller_number:
            by_number.setdefault(normalise_number(call.caller_number), []).append(call)
    chosen: dict[str, tuple[tuple[float, float, float], AmlLocation]] = {}
    for location in locations:
        if not location.has_position or location.msisdn is None:
            continue
        candidates = by_number.get(normalise_number(location.msisdn), [])

        def distance(call: CallForMatching, at: datetime = location.positioned_at) -> float:
            return abs((at - call.offered_at).total_seconds())

        best = min(candidates, key=_tie_break(distance), default=None)
        if best is None or distance(best) > window.total_seconds():
            continue
        radius = math.inf if location.radius_m is None else location.radius_m
        rank = (radius, distance(best), -location.positioned_at.timestamp())
        if best.call_id not in chosen or rank < chosen[best.call_id][0]:
            chosen[best.call_id] = (rank, location)
    return {call_id: location for call_id, (_, location) in chosen.items()}


def _tie_break(
    distance: Callable[[CallForMatching], float],
) -> Callable[[CallForMatching], tuple[float, str]]:
    return lambda call: (distance(call), call.call_id)
