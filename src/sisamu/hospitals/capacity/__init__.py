# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Hospital availability in crisis, modelled on EDXL-HAVE 2.0: beds by category, emergency department status,
facility status, plan-blanc level, time and author of the last update; history kept; stale figures flagged."""
