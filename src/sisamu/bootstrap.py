"""The composition root: the one place that builds the platform — settings, database, clock, the message bus with
every handler, and the adapters to the outside world — for the web app, each CLI command, each worker, the
simulator and the tests alike. A test swaps an adapter by passing it here, never by patching a module.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sisamu.analytics.rollup import RollupWorker
from sisamu.calls.callbacks import handlers as callbacks_handlers
from sisamu.calls.cti import handlers as telephony_handlers
from sisamu.calls.cti.adapters import telephony_for
from sisamu.calls.cti.handlers import TelephonyRequestQueued
from sisamu.calls.cti.relay import TelephonyRelay
from sisamu.calls.distribution import handlers as distribution_handlers
from sisamu.calls.distribution.model import CallAbandoned, CallAnswered
from sisamu.calls.distribution.worker import TimersWorker
from sisamu.calls.overflow.model import OverflowRulesChanged
from sisamu.calls.seats.model import AgentAfterCallWorkEnded, AgentLoggedIn, AgentResumed
from sisamu.cases.worker import FileStepsWorker
from sisamu.config import Settings, get_settings
from sisamu.crisis import handlers as crisis_handlers
from sisamu.domain.clock import Clock, SystemClock
from sisamu.geo import gazetteer, outlines
from sisamu.geo.roads import RoadEstimator
from sisamu.geo.travel import StraightLineEstimator
from sisamu.hospitals import directory
from sisamu.interop import handlers as interop_handlers
from sisamu.interop.worker import workers_for
from sisamu.platform import Platform
from sisamu.platform.events import FileCompleting, ReflexDeparture
from sisamu.platform.services import BackgroundService, TaskService, ThreadedService
from sisamu.resources import completion, reflex
from sisamu.resources.mqtt import MqttAdapter
from sisamu.security.audit_checkpoints import checkpointer_for
from sisamu.storage.bus import MessageBus
from sisamu.storage.database import Database
from sisamu.voice.service import voice_service

if TYPE_CHECKING:
    from sisamu.domain.ports import Telephony, TravelTimeEstimator
    from sisamu.voice.node import VoiceNode

log = logging.getLogger(__name__)
ROAD_LIMIT_S = 3600.0  # searches on a road graph stop at an hour


def travel_times_for(settings: Settings) -> TravelTimeEstimator:
    """The road graph's estimator when one is configured (`road_graph`), else the straight-line estimator."""
    if settings.road_graph is not None:
        return RoadEstimator.load(str(settings.road_graph), limit_s=ROAD_LIMIT_S)
    return StraightLineEstimator()


def build_bus(
    settings: Settings, *, telephony: bool = False, travel_times: TravelTimeEstimator | None = None
) -> MessageBus:
    """Every handler of the platform, subscribed once; the telephony's only when a telephony executes requests
    (the relay that sends them subscribes its wake-up with it, in `background_services`)."""
    bus = MessageBus()
    # Hub flows: RS-RI, RS-SR, GEO-POS to the partners of a shared file; the SMUR's reports, its RPIS to the
    # recipient the settings name (read when each is sent)
    interop_handlers.subscribe(bus, rpis_recipient=settings.rpis_recipient_for)
    # ACHEVE only once every decision was carried out (or the person says why).
    bus.subscribe(FileCompleting, completion.decisions_carried_out)
    # A départ réflexe engages at once the nearest unit of the type sent.
    bus.subscribe(ReflexDeparture, reflex.engage_reflex(travel_times or StraightLineEstimator()))
    # Telephony: lost calls fill the callback list, an answer closes it; a seat made available by its ARM and a
    # change of the overflow rules get a distribution pass at once.
    bus.subscribe(CallAbandoned, callbacks_handlers.lost_calls(settings.lost_call_threshold_s))
    bus.subscribe(CallAnswered, callbacks_handlers.call_answered)
    bus.subscribe(AgentLoggedIn, distribution_handlers.seat_available)
    bus.subscribe(AgentResumed, distribution_handlers.seat_available)
    bus.subscribe(AgentAfterCallWorkEnded, distribution_handlers.seat_available)
    bus.subscribe(OverflowRulesChanged, distribution_handlers.overflow_rules_changed)
    # Crisis mode: files opened in a room in crisis are attributed to it; files and missions linked in its log.
    crisis_handlers.subscribe(bus)
    if telephony:
        telephony_handlers.subscribe(bus)  # dials and file correlations into the telephony outbox
    return bus


def build_platform(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    telephony: Telephony | None = None,
    travel_times: TravelTimeEstimator | None = None,
    keep_database_running: bool = False,
) -> Platform:
    """The platform for `settings` (default: the `SISAMU_*` environment); any adapter given replaces the one the
    settings choose (telephony: the SI-SAMU telephony when `cti_url` is set, else none — the ARM dials by hand)."""
    settings = settings or get_settings()
    database = database or Database.from_settings(settings, keep_running=keep_database_running)
    telephony = telephony if telephony is not None else telephony_for(settings)
    travel_times = travel_times or travel_times_for(settings)
    return Platform(
        settings=settings,
        database=database,
        bus=build_bus(settings, telephony=telephony is not None, travel_times=travel_times),
        travel_times=travel_times,
        telephony=telephony,
        clock=clock or SystemClock(),
    )


def telephony_relay(platform: Platform) -> TelephonyRelay | None:
    """The relay of the telephony outbox when a telephony executes requests, woken by each commit that queued one."""
    if platform.telephony is None:
        return None
    relay = TelephonyRelay(platform, platform.telephony)
    platform.bus.on_commit(TelephonyRequestQueued, relay.wake)
    return relay


def background_services(
    platform: Platform, *, hub_samus: Sequence[str] = (), voice: bool = False
) -> list[BackgroundService]:
    """What runs beside the requests of a platform process: the telephony timers and the regulation file's
    scheduled steps and the indicators' hourly rollups (unless `timers_enabled` is off), the telephony outbox's relay when a telephony is configured,
    the vehicles' MQTT adapter when `mqtt_url` is set, the signed audit checkpoints when a signing key is at hand,
    a Hub worker for each Hub identity of the SAMUs in `hub_samus`, and with `voice` (`sisamu run`, `demo`) the
    voice node when `voice_enabled` is on and the `voice` extra installed (`voice.service.voice_service`)."""
    services: list[BackgroundService] = [
        TimersWorker(platform),
        FileStepsWorker(platform),
        RollupWorker(platform),
    ]
    if (relay := telephony_relay(platform)) is not None:
        services.append(relay)
    embedded = platform.database.embedded is not None
    checkpointer = checkpointer_for(
        platform.engine, platform.settings, embedded=embedded, now=platform.clock.now
    )
    if checkpointer is not None:
        services.append(TaskService("audit-checkpoints", checkpointer.run, restart_s=60.0))
    if platform.settings.mqtt_url:
        mqtt = MqttAdapter(platform, platform.settings.mqtt_url)
        services.append(ThreadedService("mqtt", mqtt.start, mqtt.stop, healthy=mqtt.connected.is_set))
    services.extend(
        TaskService(f"hub-{worker.identity.client_id}", worker.run)
        for worker in workers_for(platform, list(hub_samus))
    )
    if voice and (voice_process := voice_service(platform, voice_node)) is not None:
        services.append(voice_process)
    return services


def voice_node(platform: Platform, *, host: str | None = None, port: int | None = None) -> VoiceNode:
    """The voice service of `sisamu voice`: a PJSIP endpoint on `host:port` (default: the settings') answering the
    configured SAMU lines and ringing the seats' phones, driven by the call distribution, with the registrar of the
    seats' phones (Kamailio) when `voice_registrar_port` is set. Imports PJSIP only here (the optional `voice`
    extra); the engine is built, not started."""
    from sisamu.voice import media, model
    from sisamu.voice.engine import Engine
    from sisamu.voice.node import VoiceNode
    from sisamu.voice.registrar import Registrar, parse_secrets

    settings = platform.settings
    host, port = host or settings.voice_host, port or settings.voice_sip_port
    announcement, waiting = media.prepare(settings.voice_media_dir or settings.data_dir / "voice")
    phones = model.parse_phones(settings.voice_phones)
    registrar = None
    if settings.voice_registrar_port is not None:
        secrets = parse_secrets(settings.voice_phone_secrets)
        registrar = Registrar(host, settings.voice_registrar_port, host, port, secrets)
        phones |= registrar.phones()
    engine = Engine(
        host=host,
        port=port,
        lines=model.parse_lines(settings.voice_lines),
        announcement=announcement,
        waiting=waiting,
        trunks=model.parse_networks(settings.voice_trunks),
        rtp_port=settings.voice_rtp_port,
        max_legs=settings.voice_max_legs,
    )
    return VoiceNode(platform, engine, phones, registrar=registrar)


def warm_reference_data() -> None:
    """Load the reference data a console needs first — the gazetteer and its name index, the communes' areas (map
    outlines), the hospitals' directory — so that the first map drawn or commune searched after a start does not
    wait seconds for them. Run by the web app in a background thread at start-up; a request that needs the data
    meanwhile waits for that load (`geo.data_files.loaded_once`)."""
    started = time.perf_counter()
    gazetteer.search_communes("Paris", limit=1)
    outlines.departement_outline(gazetteer.departements()[0].code)
    directory.all_hospitals()
    log.info("reference data loaded in %.1f s", time.perf_counter() - started)
