# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the hospitals feature: availability in crisis and the allocation assistant."""

from __future__ import annotations

from fastapi import APIRouter

from sisamu.hospitals.allocation.api import router as allocation_router
from sisamu.hospitals.capacity.api import router as capacity_router

router = APIRouter()
router.include_router(capacity_router)
router.include_router(allocation_router)
