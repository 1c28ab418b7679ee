"""The hand-written migration 0002 creates exactly the telephony tables the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sisamu.schema import metadata

pytestmark = pytest.mark.db

TELEPHONY = {
    "phone_call",
    "arm_seat",
    "call_presentation",
    "overflow_agreement",
    "overflow_pooling",
    "call_grant",
    "callback",
    "aml_location",
}


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return name in TELEPHONY
    table = getattr(obj, "table", None)
    return table is not None and table.name in TELEPHONY


def test_models_and_migration_agree_on_telephony_tables(database_url):
    assert set(metadata.tables) >= TELEPHONY
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
            diffs = compare_metadata(context, metadata)
            present = set(conn.dialect.get_table_names(conn))
    finally:
        engine.dispose()
    assert present >= TELEPHONY
    assert diffs == []
