"""End-to-end fixtures: the real platform served by `sisamu serve` in a subprocess, and Debian's chromium
(defined in `tests/browsers.py`, shared with tests/security)."""

from __future__ import annotations

from browsers import Served, artifacts, chromium, served

__all__ = ["Served", "artifacts", "chromium", "served"]
