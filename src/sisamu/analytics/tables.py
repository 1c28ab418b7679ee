"""Tables of the activity indicators (private to `sisamu.analytics`).

- `call_hour`: the additive counts of one SAMU for one hour (UTC) of offered calls (`indicators.Counts`), the wait
  histogram of its answered calls, and the lost call threshold they were counted with.
- `call_day`: the same counts per SAMU and day in Europe/Paris, summed from `call_hour` as its hours are
  counted (a year by day reads 365 rows per SAMU).
- `activity_hour`: the additive counts of one SAMU for one hour (UTC) of files opened and missions created
  (`indicators.ActivityCounts`) with their duration histograms.
- `analytics_state`: how far the rollups are final (`through`: every hour before it was counted once its calls had
  all settled).
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Column, Date, DateTime, Float, Integer, String, Table

from sisamu.analytics.indicators import INDICATORS
from sisamu.analytics.indicators.activity import ACTIVITY_COUNTED, ACTIVITY_HISTS
from sisamu.storage.tables import metadata

_COUNTED = [i.key for i in INDICATORS if i.unit == "appels"]

call_hour = Table(
    "call_hour",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column(
        "hour",
        DateTime(timezone=True),
        primary_key=True,
        comment="start of the hour (UTC) the calls were offered",
    ),
    *(Column(name, Integer, nullable=False) for name in _COUNTED),
    Column(
        "wait_hist",
        ARRAY(Integer),
        nullable=False,
        comment="answered calls by wait, 5 s buckets, last ≥ 600 s",
    ),
    Column("lost_threshold_s", Float, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

call_day = Table(
    "call_day",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column("day", Date, primary_key=True, comment="the day in Europe/Paris, summed from call_hour"),
    *(Column(name, Integer, nullable=False) for name in _COUNTED),
    Column("wait_hist", ARRAY(Integer), nullable=False, comment="as call_hour's, summed"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

activity_hour = Table(
    "activity_hour",
    metadata,
    Column("samu_id", String(8), primary_key=True),
    Column(
        "hour",
        DateTime(timezone=True),
        primary_key=True,
        comment="start of the hour (UTC) the files were opened and the missions created",
    ),
    *(Column(name, Integer, nullable=False) for name in ACTIVITY_COUNTED),
    *(Column(name, ARRAY(Integer), nullable=False) for name in ACTIVITY_HISTS),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

analytics_state = Table(
    "analytics_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("through", DateTime(timezone=True), nullable=False),
)
