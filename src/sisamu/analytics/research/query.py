"""DuckDB over an export: each Parquet file is a view named after its table (`calls`, `files`, `patients`,
`decisions`, `missions`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from sisamu.analytics.research import dictionary


def run(folder: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and rows of `sql` over the export in `folder` (read-only: nothing is written there)."""
    db = duckdb.connect(":memory:")
    try:
        for table in dictionary.COLUMNS:
            path = folder / f"{table}.parquet"
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: not a sisamu research export")
            quoted = str(path).replace("'", "''")
            db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{quoted}')")  # noqa: S608 - our names
        result = db.execute(sql)
        columns = [d[0] for d in result.description or []]
        return columns, result.fetchall()
    finally:
        db.close()
