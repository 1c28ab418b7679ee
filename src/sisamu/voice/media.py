"""The audio the voice node plays: an announcement and a waiting loop, made of tones (no speech synthesis), written
once as 8 kHz 16-bit mono WAV files that PJSIP's file players read.

The frequencies stay clear of the test tones (1 kHz from callers, 1.6 kHz from ARMs' phones) so that what a person
hears from the platform is never mistaken for the other side's voice."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Sequence
from pathlib import Path

RATE = 8000
ANNOUNCEMENT = "announcement.wav"
WAITING = "waiting.wav"
# (frequency Hz, milliseconds); 0 Hz = silence
ANNOUNCEMENT_TONES: list[tuple[float, int]] = [(523, 180), (0, 60), (659, 180), (0, 60), (784, 360), (0, 400)]
WAITING_TONES: list[tuple[float, int]] = [(440, 250), (0, 250), (554, 250), (0, 1250)]


def tone_samples(frequency: float, ms: int, *, amplitude: float = 0.3, rate: int = RATE) -> list[int]:
    """A sine (or silence) of `ms` milliseconds as 16-bit samples, with 5 ms fades so that no click is heard."""
    count = rate * ms // 1000
    fade = max(1, rate * 5 // 1000)
    samples = []
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade) if frequency else 0.0
        value = amplitude * envelope * math.sin(2 * math.pi * frequency * i / rate)
        samples.append(int(value * 32767))
    return samples


def write_wav(path: Path, tones: Sequence[tuple[float, int]], *, amplitude: float = 0.3) -> Path:
    samples: list[int] = []
    for frequency, ms in tones:
        samples.extend(tone_samples(frequency, ms, amplitude=amplitude))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def prepare(folder: Path) -> tuple[Path, Path]:
    """The announcement and the waiting loop in `folder` (written if missing); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    announcement = folder / ANNOUNCEMENT
    waiting = folder / WAITING
    if not announcement.exists():
        write_wav(announcement, ANNOUNCEMENT_TONES)
    if not waiting.exists():
        write_wav(waiting, WAITING_TONES)
    return announcement, waiting
