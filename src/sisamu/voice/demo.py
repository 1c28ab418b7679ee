"""The demo's voice: on by default, on loopback, with two SAMU lines and published passwords for the seats' phones,
and the French note of the demo's banner saying where to point a SIP phone. Pure (no I/O but `shutil.which`)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from sisamu.tenants.service import DEMO_PASSWORD

if TYPE_CHECKING:
    from sisamu.config import Settings

DEMO_LINES = "0381151515=250:15,0380151515=210:15"  # SAMU 25 (Besançon) and 21 (Dijon), flux 15
DEMO_SEATS = (("250", "P1"), ("250", "P2"), ("210", "P1"), ("210", "P2"))
# The demo's SIP ports: not 5060, which a softphone on the same machine usually takes.
DEMO_REGISTRAR_OFFSET = 1  # the registrar listens on the SIP port + 1


def demo_voice_settings(settings: Settings) -> Settings:
    """The demo's voice settings: what the operator set is kept; unset, voice is on, with the demo lines and the
    demo seats' phones registering to Kamailio (when installed) with the demo password."""
    if settings.voice_enabled is False:
        return settings
    update: dict[str, object] = {"voice_enabled": True}
    if not settings.voice_lines:
        update["voice_lines"] = DEMO_LINES
    kamailio = shutil.which(settings.voice_kamailio) is not None
    if settings.voice_registrar_port is None and kamailio:
        update["voice_registrar_port"] = settings.voice_sip_port + DEMO_REGISTRAR_OFFSET
    if not settings.voice_phone_secrets and (settings.voice_registrar_port is not None or kamailio):
        update["voice_phone_secrets"] = ",".join(
            f"{samu}/{seat}={DEMO_PASSWORD}" for samu, seat in DEMO_SEATS
        )
    return settings.model_copy(update=update)


def demo_voice_note(settings: Settings) -> str | None:
    """The banner's French note: the numbers to call, the phones' accounts and password, the registrar."""
    if not settings.voice_enabled:
        return None
    host, port = settings.voice_host, settings.voice_sip_port
    numbers = []
    for item in settings.voice_lines.split(","):
        number, _, target = item.strip().partition("=")
        if number:
            numbers.append(f"sip:{number.strip()}@{host}:{port} (SAMU {target.partition(':')[0]})")
    lines = [
        "[bold]Téléphonie SIP[/] (UDP, sans compte) : appelez " + " ou ".join(numbers) + "."
        if numbers
        else "[bold]Téléphonie SIP[/] : aucune ligne configurée (SISAMU_VOICE_LINES)."
    ]
    if settings.voice_registrar_port is not None and settings.voice_phone_secrets:
        accounts = []
        for item in settings.voice_phone_secrets.split(","):
            seat, _, secret = item.strip().partition("=")
            samu_id, _, seat_id = seat.partition("/")
            accounts.append(
                f"{samu_id}-{seat_id}" + ("" if secret == DEMO_PASSWORD else " (mot de passe configuré)")
            )
        password = (
            f" mot de passe [bold]{DEMO_PASSWORD}[/]" if DEMO_PASSWORD in settings.voice_phone_secrets else ""
        )
        lines.append(
            f"Téléphones des postes : comptes {', '.join(accounts)},{password}, registrar "
            f"{host}:{settings.voice_registrar_port} (UDP) ; prenez le poste du même nom dans la console."
        )
    elif not settings.voice_phones:
        lines.append(
            "Téléphones des postes : Kamailio absent, pas d'enregistrement ; déclarez-les par adresse "
            "(SISAMU_VOICE_PHONES=250/P1=sip:arm@127.0.0.1:5080)."
        )
    return "\n".join(lines)
