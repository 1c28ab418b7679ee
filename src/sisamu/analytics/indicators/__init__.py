"""The activity indicators, each defined once: calls (`calls`), regulation files and SMUR missions (`activity`)."""

from sisamu.analytics.indicators.activity import (
    ACTIVITY_INDICATORS,
    ACTIVITY_KEYS,
    ActivityCounts,
    activity_indicators,
    count_activity,
)
from sisamu.analytics.indicators.calls import (
    INDICATOR_KEYS,
    INDICATORS,
    WAIT_BUCKET_S,
    WAIT_BUCKETS,
    Counts,
    count,
    indicators,
    wait_quantile_s,
)
from sisamu.analytics.indicators.definition import Indicator

__all__ = [
    "ACTIVITY_INDICATORS",
    "ACTIVITY_KEYS",
    "INDICATORS",
    "INDICATOR_KEYS",
    "WAIT_BUCKETS",
    "WAIT_BUCKET_S",
    "ActivityCounts",
    "Counts",
    "Indicator",
    "activity_indicators",
    "count",
    "count_activity",
    "indicators",
    "wait_quantile_s",
]
