# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Hospitals: directory of establishments and SMUR bases, specialties, bed capacity."""
