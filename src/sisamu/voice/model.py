"""Pure rules of the voice service: which SAMU and flux a dialled number reaches, the caller's number from the
SIP headers, and which phone rings for a seat. No I/O."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from sisamu.calls.flux import Flux

_SIP_URI = re.compile(r"(?:sips?|tel):(\+?[^@;>\s]+)", re.IGNORECASE)
_DIGITS = re.compile(r"^\+?[0-9*#]{2,20}$")


class VoiceConfigError(ValueError):
    """A voice setting that cannot be read (English message naming the item)."""


@dataclass(frozen=True, slots=True)
class Line:
    """A SAMU's public number (DID) and the flux its calls come in on."""

    number: str
    samu_id: str
    flux: Flux


@dataclass(frozen=True, slots=True)
class Phone:
    """The SIP phone of an ARM seat: where the voice node rings it."""

    samu_id: str
    seat_id: str
    uri: str


def normalise(number: str) -> str:
    """A French number as the distribution keeps it: `+33 3 80…` / `0033…` → `03 80…` without spaces."""
    compact = re.sub(r"[\s.\-()]", "", number)
    if compact.startswith("+33"):
        return "0" + compact[3:]
    if compact.startswith("0033"):
        return "0" + compact[4:]
    return compact


def parse_lines(text: str) -> dict[str, Line]:
    """`0380151515=250:15,0380116117=250:116117` → lines by normalised number."""
    lines: dict[str, Line] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        number, sep, target = item.partition("=")
        samu_id, colon, token = target.partition(":")
        flux = Flux.from_token(token.strip()) if colon else Flux.CENTRE_15
        if not sep or not samu_id.strip() or flux is None or not _DIGITS.match(normalise(number)):
            raise VoiceConfigError(f"voice line {item!r}: expected NUMBER=SAMU[:FLUX] with a known flux")
        line = Line(normalise(number), samu_id.strip(), flux)
        lines[line.number] = line
    return lines


def parse_phones(text: str) -> dict[tuple[str, str], Phone]:
    """`250/P1=sip:arm1@10.0.0.5:5060,…` → phones by (SAMU, seat)."""
    phones: dict[tuple[str, str], Phone] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        seat, sep, uri = item.partition("=")
        samu_id, slash, seat_id = seat.partition("/")
        uri = uri.strip()
        if not sep or not slash or not samu_id.strip() or not seat_id.strip() or not uri.startswith("sip:"):
            raise VoiceConfigError(f"voice phone {item!r}: expected SAMU/SEAT=sip:user@host[:port]")
        phone = Phone(samu_id.strip(), seat_id.strip(), uri)
        phones[(phone.samu_id, phone.seat_id)] = phone
    return phones


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(text: str) -> Networks:
    """`10.1.2.0/24, 192.0.2.7` → the networks calls may come from (the operators' trunks)."""
    try:
        return tuple(
            ipaddress.ip_network(item.strip(), strict=False) for item in text.split(",") if item.strip()
        )
    except ValueError as exc:
        raise VoiceConfigError(f"voice trunks {text!r}: {exc}") from exc


def source_allowed(source: str, networks: Networks) -> bool:
    """Whether a message from `source` (PJSIP's `1.2.3.4:5060` or `[::1]:5060`) comes from one of `networks`."""
    host = source.rsplit(":", 1)[0].strip("[]") if ":" in source else source
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def number_of(header_value: str | None) -> str | None:
    """The number in a `P-Asserted-Identity` / `From` value (`"X" <sip:+33612345678@trunk>;tag=…`), normalised;
    None when it holds no dialable number (anonymous, a name)."""
    if not header_value:
        return None
    found = _SIP_URI.search(header_value)
    if found is None:
        return None
    number = normalise(found.group(1).split(";")[0])
    return number if _DIGITS.match(number) else None


def caller_number(p_asserted_identity: str | None, from_value: str | None) -> str | None:
    """The caller's number: the trunk's asserted identity first, else the From header."""
    return number_of(p_asserted_identity) or number_of(from_value)


def dialled_number(request_uri: str | None, to_value: str | None) -> str | None:
    """The number the caller dialled: the request URI's user part, else the To header's."""
    return number_of(request_uri) or number_of(to_value)


def header(message: str, name: str) -> str | None:
    """The value of the first `name` header (case-insensitive, compact forms for From/To) of a SIP message."""
    compact = {"from": "f", "to": "t"}.get(name.lower())
    for raw in message.split("\r\n")[1:]:
        if not raw:
            break
        key, sep, value = raw.partition(":")
        if sep and (key.strip().lower() == name.lower() or (compact and key.strip().lower() == compact)):
            return value.strip()
    return None


def request_uri(message: str) -> str | None:
    """The request URI of a SIP request's first line (`INVITE sip:0380151515@host SIP/2.0`)."""
    method, uri, version = ([*message.split("\r\n", 1)[0].split(" "), "", "", ""])[:3]
    return uri if method and uri and version.startswith("SIP/") else None
