# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""SMUR software role and the crew's reports: bilan (RS-BPV), RPIS summary (RS-RPIS), document links (RS-URL)."""
