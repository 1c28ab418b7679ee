"""The seats' phones register with digest authentication to a registrar in front of the voice node: Kamailio
(Debian), which PJSUA cannot replace (it has no registrar: a REGISTER it receives is dropped). `sisamu voice`
writes Kamailio's configuration from the settings and runs it as a child process.

Kamailio answers REGISTER with a digest challenge and keeps the contacts in memory (`usrloc`, no database); a
phone registers as `<SAMU>-<SEAT>` (`250-P1`) with the password of `SISAMU_VOICE_PHONE_SECRETS`, and only as itself.
It relays to the registered contact the INVITEs (and CANCELs) that the voice node sends to
`sip:<SAMU>-<SEAT>@registrar` — from the node's address only; anything else is refused. It does not record-route:
once answered, the node and the phone talk directly (SIP and RTP)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sisamu.voice.model import Phone, VoiceConfigError

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SECRET = re.compile(r"^[A-Za-z0-9._~!*+-]{8,128}$")


@dataclass(frozen=True, slots=True)
class Registrar:
    host: str
    port: int
    node_host: str
    node_port: int
    secrets: dict[tuple[str, str], str]  # (SAMU, seat) → password

    @staticmethod
    def user(samu_id: str, seat_id: str) -> str:
        return f"{samu_id}-{seat_id}"

    def phones(self) -> dict[tuple[str, str], Phone]:
        """Where the node rings each seat with a secret: its registered contact, through the registrar."""
        return {
            (samu_id, seat_id): Phone(
                samu_id, seat_id, f"sip:{self.user(samu_id, seat_id)}@{self.host}:{self.port}"
            )
            for samu_id, seat_id in self.secrets
        }

    def config(self) -> str:
        passwords = "\n".join(
            f'    {"if" if i == 0 else "} else if"} ($au == "{self.user(*seat)}") {{ $var(pw) = "{secret}";'
            for i, (seat, secret) in enumerate(sorted(self.secrets.items()))
        )
        closing = "    }" if self.secrets else ""
        return _CONFIG.format(
            host=self.host,
            port=self.port,
            node_host=self.node_host,
            node_port=self.node_port,
            passwords=passwords,
            closing=closing,
        )

    def start(self, folder: Path, kamailio: str = "kamailio") -> subprocess.Popen[bytes]:
        """Kamailio in the foreground on this configuration (written 0600: it holds the phones' passwords)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "kamailio.cfg"
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(self.config())
        run = folder / "kamailio-run"
        run.mkdir(exist_ok=True)
        command = [kamailio, "-f", str(path), "-DD", "-E", "-m", "32", "-M", "4", "-Y", str(run)]
        # SIGTERM when its parent dies, even killed (-9): no registrar left behind holding the port
        if (setpriv := shutil.which("setpriv")) is not None:
            command = [setpriv, "--pdeathsig", "TERM", *command]
        return subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603 - the operator's setting


def parse_secrets(text: str) -> dict[tuple[str, str], str]:
    """`250/P1=secret,…` → passwords by (SAMU, seat); names and secrets from a safe alphabet (they go into
    Kamailio's configuration), secrets of 8 characters at least."""
    secrets: dict[tuple[str, str], str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        seat, sep, secret = item.partition("=")
        samu_id, slash, seat_id = seat.strip().partition("/")
        if not (sep and slash and _SAFE.match(samu_id) and _SAFE.match(seat_id)):
            raise VoiceConfigError(f"voice phone secret for {seat.strip()!r}: expected SAMU/SEAT=SECRET")
        if not _SECRET.match(secret.strip()):
            raise VoiceConfigError(
                f"voice phone secret for {seat.strip()!r}: 8 to 128 characters of A-Z a-z 0-9 . _ ~ ! * + -"
            )
        secrets[(samu_id, seat_id)] = secret.strip()
    return secrets


_CONFIG = """#!KAMAILIO
# Written by `sisamu voice` (sisamu/voice/registrar.py): the seats' phones register here; the node's calls to
# them are relayed to their contacts. Do not edit: rewritten at each start.
debug=2
log_stderror=yes
children=2
listen=udp:{host}:{port}
alias="{host}:{port}"
auto_aliases=no
dns=no
rev_dns=no

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 600)
modparam("auth", "nonce_expire", 300)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!sanity_check("17895", "7")) {{ exit; }}
    if (is_method("REGISTER")) {{ route(REGISTER); }}
    if ($si != "{node_host}" || $sp != {node_port}) {{ sl_send_reply("403", "Forbidden"); exit; }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (has_totag()) {{ if (!t_relay()) {{ sl_reply_error(); }} exit; }}
    if (!is_method("INVITE|ACK")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
    if (!lookup("location")) {{ sl_send_reply("480", "Not Registered"); exit; }}
    if (!t_relay()) {{ sl_reply_error(); }}
    exit;
}}

route[REGISTER] {{
    $var(pw) = "";
{passwords}
{closing}
    if ($var(pw) == "" || !pv_www_authenticate("$td", "$var(pw)", "0")) {{
        www_challenge("$td", "0");
        exit;
    }}
    if ($au != $tU) {{ sl_send_reply("403", "Register Only Yourself"); exit; }}
    consume_credentials();
    if (!save("location")) {{ sl_reply_error(); }}
    exit;
}}
"""
