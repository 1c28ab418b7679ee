# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Tenants: the SAMU call rooms (CRRA) the platform serves, and their reference data."""
