# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Resources and dispatch: SMUR teams, ambulances and partner units, and the recommendation of whom to send."""
