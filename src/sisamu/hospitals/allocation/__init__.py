# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The allocation assistant: destinations for a list of victims, solved as an assignment, confirmed by a
regulator (the confirmation takes the beds atomically)."""
