# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
