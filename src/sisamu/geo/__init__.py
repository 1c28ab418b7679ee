# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Geography: gazetteer of French communes and départements, name search, map outlines."""
