"""Every table of the platform, for Alembic: importing this module registers all feature tables on `metadata`."""

from __future__ import annotations

from sisamu.analytics import tables as analytics_tables
from sisamu.calls import tables as calls_tables
from sisamu.cases import tables as cases_tables
from sisamu.crisis import tables as crisis_tables
from sisamu.crisis.victims import tables as victims_tables
from sisamu.hospitals.capacity import tables as hospitals_tables
from sisamu.hubsante import tables as hub_tables
from sisamu.resources import tables as resources_tables
from sisamu.smur import tables as smur_tables
from sisamu.storage import tables as foundation_tables
from sisamu.storage.tables import metadata

__all__ = [
    "analytics_tables",
    "calls_tables",
    "cases_tables",
    "crisis_tables",
    "foundation_tables",
    "hospitals_tables",
    "hub_tables",
    "metadata",
    "resources_tables",
    "smur_tables",
    "victims_tables",
]
