# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""MQTT adapter: vehicle terminals publish statuses and positions; applied through the same services as HTTP.

Topics (QoS 1), JSON payloads:
- `sisamu/<samu_id>/resources/<resource_id>/status` `{"status": "DEPART", "at": "2026-01-25T10:02:00Z",
  "mission_id": 12}` (`at` and `mission_id` optional: default now and the unit's current mission);
- `sisamu/<samu_id>/resources/<resource_id>/position` `{"lat": 47.24, "lon": 6.02, "at": "…", "speed_kmh": 80,
  "heading": 270}` (`at`, `speed_kmh`, `heading` optional).
The broker authenticates terminals and its ACL lets each publish under its own topic only; the platform applies
what arrives as itself (source MQTT). Input that does not parse, names an unknown unit or breaks the status cycle
is logged with the reason and dropped: one bad terminal never stops the adapter.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from sisamu.domain.codes import StatutVecteur
from sisamu.domain.errors import DomainError
from sisamu.resources import positions, service
from sisamu.resources.mission import Source
from sisamu.resources.store import StaleVersion
from sisamu.security.errors import SecurityError

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)

PREFIX = "sisamu"
_TOPIC = r"/([A-Za-z0-9]{1,8})/resources/([A-Za-z0-9._-]{1,40})/(status|position)"


def topics(prefix: str = PREFIX) -> tuple[str, str]:
    return (f"{prefix}/+/resources/+/status", f"{prefix}/+/resources/+/position")


MAX_PAYLOAD = 4096


class BadMessage(ValueError):
    """A message the adapter cannot apply; the text is the reason logged."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusPayload(_Payload):
    status: StatutVecteur
    at: datetime | None = None
    mission_id: int | None = Field(default=None, ge=1, le=2**62)


class PositionPayload(_Payload):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: datetime | None = None
    speed_kmh: float | None = Field(default=None, ge=0, le=400)
    heading: float | None = Field(default=None, ge=0, le=360)


@dataclass(frozen=True, slots=True)
class Message:
    samu_id: str
    resource_id: str
    payload: StatusPayload | PositionPayload


def parse(topic: str, payload: bytes, prefix: str = PREFIX) -> Message:
    """A topic and its JSON payload, validated; `BadMessage` with the reason otherwise."""
    match = re.fullmatch(re.escape(prefix) + _TOPIC, topic)
    if match is None:
        raise BadMessage(f"unknown topic {topic[:120]!r}")
    if len(payload) > MAX_PAYLOAD:
        raise BadMessage(f"payload of {len(payload)} bytes, over {MAX_PAYLOAD}")
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadMessage("payload is not a JSON object")
    model = StatusPayload if match[3] == "status" else PositionPayload
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or '-'}: {e['msg']}" for e in exc.errors())
        raise BadMessage(f"invalid {match[3]}: {reasons}") from None
    if parsed.at is not None and parsed.at.tzinfo is None:
        raise BadMessage("`at` needs a time zone (e.g. 2026-01-25T10:02:00Z)")
    return Message(match[1], match[2], parsed)


def apply(platform: Platform, message: Message) -> None:
    """Apply one parsed message through the services, in its own transaction."""
    now = platform.clock.now()
    with platform.uow() as uow:
        if isinstance(message.payload, StatusPayload):
            service.report_status(
                uow,
                principal=None,
                samu_id=message.samu_id,
                resource_id=message.resource_id,
                mission_id=message.payload.mission_id,
                status=message.payload.status,
                at=message.payload.at,
                now=now,
                source=Source.MQTT,
            )
        else:
            p = message.payload
            positions.report_position(
                uow,
                principal=None,
                samu_id=message.samu_id,
                resource_id=message.resource_id,
                lat=p.lat,
                lon=p.lon,
                at=p.at,
                speed_kmh=p.speed_kmh,
                heading=p.heading,
                now=now,
                source=Source.MQTT,
            )


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def broker_address(url: str) -> BrokerAddress:
    """`mqtt://[user:password@]host[:port]` (1883) or `mqtts://…` (8883, TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
        raise ValueError(f"not an MQTT URL: {url!r} (mqtt://host:1883)")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(
        parts.hostname, parts.port or (8883 if tls else 1883), tls, parts.username, parts.password
    )


class MqttAdapter:
    """Subscribes to the vehicle topics and applies each message; paho's network thread runs the callbacks."""

    def __init__(
        self, platform: Platform, url: str, *, client_id: str | None = None, prefix: str = PREFIX
    ) -> None:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.platform = platform
        self.prefix = prefix
        self.address = broker_address(url)
        self.applied = 0
        self.dropped: deque[tuple[str, str]] = deque(maxlen=100)  # (topic, reason), the latest ones
        self.connected = threading.Event()
        self._client: Any = paho.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id or f"sisamu-{uuid.uuid4().hex[:12]}",
        )
        if self.address.username:
            self._client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            self._client.tls_set()
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)

    def start(self) -> None:
        """Connect in the background (retrying while the broker is away) and start the network thread."""
        self._client.connect_async(self.address.host, self.address.port, keepalive=30)
        self._client.loop_start()
        log.info("MQTT adapter connecting to %s:%s", self.address.host, self.address.port)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        log.info("MQTT adapter stopped: %d applied, %d dropped recently", self.applied, len(self.dropped))

    def handle(self, topic: str, payload: bytes) -> str | None:
        """Apply one message; returns None when applied, else the reason it was dropped. Never raises."""
        try:
            apply(self.platform, parse(topic, payload, self.prefix))
        except BadMessage as exc:
            reason = str(exc)
        except (DomainError, SecurityError, StaleVersion, ValueError) as exc:
            reason = f"refused: {exc}"
        except SQLAlchemyError as exc:
            reason = f"database error: {type(exc).__name__}"
            log.warning("MQTT message on %s hit the database: %s", topic, exc)
        except Exception as exc:  # a callback must never kill paho's thread
            log.exception("MQTT message on %s failed", topic)
            reason = f"unexpected error: {type(exc).__name__}"
        else:
            self.applied += 1
            return None
        self.dropped.append((topic, reason))
        log.warning("dropped MQTT message on %s: %s", topic, reason)
        return reason

    def _on_connect(
        self, client: Any, _userdata: Any, _flags: Any, reason_code: Any, _properties: Any
    ) -> None:
        if getattr(reason_code, "is_failure", False):
            log.warning("MQTT connection refused: %s", reason_code)
            return
        client.subscribe([(topic, 1) for topic in topics(self.prefix)])
        self.connected.set()
        log.info("MQTT adapter subscribed to %s", ", ".join(topics(self.prefix)))

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        self.handle(str(message.topic), bytes(message.payload))
