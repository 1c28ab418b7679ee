"""Typed settings, read once from SISAMU_* environment variables (see docs/configuration.md)."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SISAMU_", env_file=None, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of the application's role; unset = embedded PostgreSQL in data_dir/pgdata.",
    )
    migration_database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of the owner role, which runs the migrations and grants the application's role "
        "its rights (docs/deploy.md); unset = migrations as the application's role (schema already up to date).",
    )
    data_dir: Path = Field(
        default=Path("var"), description="Folder for the embedded database and local state."
    )
    secret_key: str | None = Field(
        default=None, description="Signing key; unset = generated once and kept in data_dir/secret_key."
    )
    audit_signing_key: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs the audit checkpoints, kept outside the database; unset = "
        "data_dir/audit_signing_key, generated on first use, with the embedded database only (else no checkpoints).",
    )
    audit_checkpoint_dir: Path | None = Field(
        default=None,
        description="Folder of the append-only file of signed audit checkpoints; unset = data_dir/audit-checkpoints.",
    )
    audit_checkpoint_interval_s: float = Field(
        default=300.0,
        ge=0,
        description="Seconds between two signed checkpoints of the audit chains (0: none from the server; "
        "`sisamu audit checkpoint` from cron).",
    )
    audit_checkpoint_fsync: bool = Field(
        default=True, description="fsync the checkpoint file after each append (a crash loses no checkpoint)."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    websocket_impl: str = Field(
        default="websockets-sansio",
        description="uvicorn WebSocket implementation; the sans-I/O one fans events out fastest (benchmarks/console.py).",
    )
    cookie_secure: bool = True
    behind_tls: bool = Field(
        default=False,
        description="Browsers reach the platform over HTTPS (a TLS-terminating proxy in front): every response "
        "carries Strict-Transport-Security, which otherwise only a request made over TLS gets.",
    )
    api_docs: bool = Field(
        default=True, description="Serve the API documentation (/docs, /openapi.json); off in production."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is answered 413 before anything parses it.",
    )
    session_hours: float = 12.0
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto "
        "are believed (comma-separated; uvicorn's forwarded_allow_ips). Empty: forwarded headers are ignored and "
        "the client's address is the connection's.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins of one account from one address, within the window, before each further "
        "attempt from that pair waits a growing delay.",
    )
    login_delay_base_s: float = Field(
        default=2.0, gt=0, description="First delay once an (account, address) pair used its free failures."
    )
    login_delay_max_s: float = Field(
        default=300.0, gt=0, description="Longest delay between two attempts of one (account, address) pair."
    )
    login_max_failures_per_ip: int = Field(
        default=30,
        ge=1,
        description="Failed logins from one address (any account name) within the window after which only a "
        "login with a password and a valid second factor succeeds from that address (against password spraying).",
    )
    login_window_seconds: int = Field(default=900, gt=0, description="Window in which failures are counted.")
    demo: bool = Field(
        default=False,
        description="This is a demonstration platform: `serve` and `run` accept a database holding the demo "
        "accounts (published password, no second factor). Never in production.",
    )
    totp_key: str | None = Field(
        default=None,
        description="Fernet key (urlsafe base64 of 32 bytes) that encrypts the TOTP secrets at rest; unset = "
        "data_dir/totp_key, generated on first use, with the embedded database only.",
    )
    token_max_days: float = Field(
        default=365.0, gt=0, description="Longest lifetime of a bearer token (days); every token expires."
    )
    token_default_days: float = Field(
        default=90.0, gt=0, description="Lifetime of a bearer token issued without one (days)."
    )
    live_recheck_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between two checks of an open live feed's session or token; the socket closes "
        "(code 1008) once it is no longer valid (logout, revoked token, account disabled).",
    )
    live_max_sockets_per_account: int = Field(
        default=8, ge=1, description="Open live feeds per account; the next one is refused (close code 4429)."
    )
    hospital_stale_s: float = Field(
        default=3600.0,
        gt=0,
        description="Hospital capacity figures older than this many seconds are flagged as stale in the consoles "
        "and count as a 15-minute detour in the allocation assistant.",
    )
    lost_call_threshold_s: int = Field(
        default=15, description="Hang-ups before this many seconds of waiting are not counted as lost calls."
    )
    database_retry_s: float = Field(
        default=8.0,
        ge=0,
        description="How long a request that found the database unreachable before any commit (a fail-over) is "
        "run again before it is answered 503 (seconds; 0 = never run again).",
    )
    worker_threads: int = Field(
        default=4,
        ge=1,
        description="Threads serving the synchronous routes; few keep the GIL from thrashing (benchmarks/acd.py).",
    )
    access_log: bool = Field(
        default=True,
        description="One log line per HTTP request; off behind a reverse proxy that keeps its own access log.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text for a terminal, or one JSON object per line (time, level, logger, message, "
        "request_id) for a log collector.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus presents to read /metrics. Without one, /metrics answers only "
        "clients on this machine (loopback).",
    )
    telemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry (request spans, metrics, logs); costs CPU on every request, so "
        "on only where an OTLP collector takes them (with FASTAPI_OTEL_AUTO_CONFIGURE and OTEL_* variables).",
    )
    token_cache_s: float = Field(
        default=5.0,
        ge=0,
        description="How long a process may reuse a bearer token's checked principal without asking the database; "
        "a token revoked or an account disabled elsewhere stops working within this delay (0: check every request).",
    )
    timers_enabled: bool = Field(
        default=True,
        description="Run the telephony timers worker (ring timeouts, after-call work, distribution).",
    )
    indicators_interval_s: float = Field(
        default=15.0,
        gt=0,
        description="How often the activity indicators' hourly rollups catch up with the calls (with the timers).",
    )
    map_tile_url: str = Field(
        default="", description="Leaflet tile URL template; empty = offline outlines from the gazetteer only."
    )
    road_graph: Path | None = Field(
        default=None,
        description="Road graph (.npz from `sisamu geo import-pbf`); unset = straight-line travel times.",
    )
    mqtt_url: str | None = Field(
        default=None,
        description="MQTT broker for vehicle statuses and positions (mqtt://host:1883); unset = off.",
    )
    hub_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/",
        description="Hub Santé broker (AMQP URL); amqps:// with mutual TLS for the real Hub.",
    )
    hub_vhost: str | None = Field(default=None, description="Broker vhost (the local hub's: sisamu-hub).")
    hub_samus: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SAMUs whose Hub worker `sisamu run` starts (comma-separated ids; empty: Hub off).",
    )
    hub_tls_cert: Path | None = Field(default=None, description="Client certificate (CN = Hub client id).")
    hub_tls_key: Path | None = None
    hub_tls_ca: Path | None = Field(default=None, description="CA that signed the broker's certificate.")
    hub_tls_key_password: str | None = None
    hub_tls_server_hostname: str | None = None
    hub_tls_external: bool = Field(default=True, description="SASL EXTERNAL (identity = certificate CN).")
    hub_max_body_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest Hub message body the inbox reads (bytes); a larger one is refused unparsed.",
    )
    hub_rpis_recipient: str | None = Field(
        default=None,
        description="Hub id receiving the SMUR's RPIS (the regional emergency observatory, ORU): one id for every "
        "SAMU, or `samu=id` pairs separated by commas. A SAMU without one sends an RPIS to the LRM of the file "
        "(none for a file of its own). Never set through the API.",
    )
    cti_url: str | None = Field(
        default=None,
        description="The SI-SAMU telephony's API root (its Swagger basePath); set: sisamu runs as an LRM under "
        "the national telephony, which dials callbacks and receives file correlations. Unset: no telephony "
        "executes requests (the ARM dials by hand).",
    )
    cti_token: str | None = Field(default=None, description="Bearer token sisamu presents to the telephony.")
    cti_timeout_s: float = Field(default=5.0, gt=0)
    voice_host: str = Field(
        default="127.0.0.1",
        description="Address the voice service (`sisamu voice`) listens on for SIP (UDP).",
    )
    voice_sip_port: int = Field(
        default=5070, ge=1, le=65535, description="The voice service's SIP port (UDP)."
    )
    voice_rtp_port: int = Field(
        default=4000,
        ge=1024,
        le=63000,
        description="First UDP port of the voice service's audio (RTP); it uses "
        "the 2,000 ports from there (one pair per call leg).",
    )
    voice_lines: str = Field(
        default="",
        description="The SAMUs' public numbers the voice service answers: NUMBER=SAMU[:FLUX] separated by commas "
        "(`0380151515=210:15,0380116117=210:116117`; flux 15 when left out). A call to any other number: 404.",
    )
    voice_phones: str = Field(
        default="",
        description="The ARM seats' SIP phones the voice service rings: SAMU/SEAT=sip:user@host[:port] separated by "
        "commas (`250/P1=sip:arm1@10.0.0.5:5060`).",
    )
    voice_node_id: str = Field(
        default="v1",
        pattern=r"^[a-z0-9]{1,12}$",
        description="This voice node's name, unique among the nodes of one database: its calls' ids start with "
        "`sip-<name>-`, and at start it ends the calls it left open when it stopped (lost calls, counted).",
    )
    voice_trunks: str = Field(
        default="127.0.0.1/32,::1/128",
        description="Addresses or networks (comma-separated) the voice service accepts calls from: the operators' "
        "SIP trunks. A call from anywhere else is refused 403. Default: this machine only.",
    )
    voice_registrar_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="UDP port of the registrar `sisamu voice` runs in front of it (Kamailio, on voice_host): the "
        "seats' phones of voice_phone_secrets register there with digest authentication. Unset: no registrar.",
    )
    voice_phone_secrets: str = Field(
        default="",
        description="The seats' phones' SIP passwords: SAMU/SEAT=SECRET separated by commas; the phone registers as "
        "SAMU-SEAT (`250-P1`). Never logged.",
    )
    voice_kamailio: str = Field(default="kamailio", description="Kamailio's executable, for the registrar.")
    voice_media_dir: Path | None = Field(
        default=None, description="Folder of the announcement and waiting audio; unset = data_dir/voice."
    )
    voice_follow_s: float = Field(
        default=0.2, gt=0, description="How often the voice service checks where the calls it carries are."
    )
    voice_max_legs: int = Field(
        default=256,
        ge=4,
        le=2000,
        description="Call legs the voice service carries at once (a conversation is two: the caller and the seat's "
        "phone); PJSIP's own default is 4.",
    )
    voice_enabled: bool | None = Field(
        default=None,
        description="`sisamu run` and `sisamu demo` start the voice service in their process (needs the `voice` "
        "extra; without it they log that voice is off and go on). Unset: off for `run`, on for `demo`.",
    )
    voice_recordings_dir: Path | None = Field(
        default=None,
        description="Folder of the calls' recordings (WAV, one per answered call); unset = data_dir/recordings. "
        "The web processes read it: it must be the same folder for them and the voice service.",
    )
    voice_recording_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a call's recording is kept; the voice service deletes older ones (file and index) at "
        "start and every hour.",
    )
    oidc_enabled: bool = False
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = "http://127.0.0.1:8000/auth/oidc/callback"
    oidc_scope: str = "openid profile"

    @field_validator("hub_samus", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("hub_rpis_recipient")
    @classmethod
    def _rpis_recipients(cls, value: str | None) -> str | None:
        if value is not None:
            _rpis_table(value)
        return value

    def rpis_recipient_for(self, samu_id: str) -> str | None:
        """The Hub id a SAMU's SMUR sends its RPIS to (`hub_rpis_recipient`), None when none is configured."""
        if not self.hub_rpis_recipient:
            return None
        table = _rpis_table(self.hub_rpis_recipient)
        return table.get(samu_id, table.get("*"))

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


HUB_ID = re.compile(r"^fr(\.[a-zA-Z0-9_-]+){2,8}$")


def _rpis_table(value: str) -> dict[str, str]:
    """`fr.health.oru` → {"*": …}; `250=fr.health.oru-bfc,440=fr.health.oru-pdl` → per SAMU; ValueError else."""
    table: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        samu_id, _, hub_id = item.rpartition("=")
        if not HUB_ID.match(hub_id):
            raise ValueError(f"{hub_id!r} is not a Hub client id")
        table[samu_id.strip() or "*"] = hub_id
    return table


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
