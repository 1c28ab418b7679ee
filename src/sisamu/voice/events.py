"""What the PJSIP engine reports to the voice node (plain data: the node and its tests need no PJSIP), and the
commands the node gives it (`VoiceEngine`, which `engine.Engine` implements)."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Protocol

from sisamu.voice import model


@dataclass(frozen=True, slots=True)
class Incoming:
    leg: str
    line: model.Line
    caller_number: str | None


@dataclass(frozen=True, slots=True)
class CallerGone:
    leg: str


@dataclass(frozen=True, slots=True)
class PhoneAnswered:
    leg: str  # the phone's leg
    caller_leg: str


@dataclass(frozen=True, slots=True)
class PhoneGone:
    leg: str
    caller_leg: str
    answered: bool


@dataclass(frozen=True, slots=True)
class Recorded:
    """A conversation's recording is closed (both legs mixed, WAV): the file the node asked for at `ring`."""

    path: str
    started_at: float  # Unix time the bridge (and the recording) began
    duration_s: float


EngineEvent = Incoming | CallerGone | PhoneAnswered | PhoneGone | Recorded


class VoiceEngine(Protocol):
    """The node's side of the engine: commands from any thread, events on `events`."""

    events: queue.Queue[EngineEvent]

    def accept(self, leg: str) -> None: ...
    def reject(self, leg: str, status: int) -> None: ...
    def ring(self, caller_leg: str, uri: str, record: str | None = None) -> str: ...
    def drop(self, leg: str) -> None: ...
    def start(self, timeout_s: float = 15) -> object: ...
    def stop(self, timeout_s: float = 10) -> None: ...
