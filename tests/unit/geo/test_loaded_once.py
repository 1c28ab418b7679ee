"""Reference data loaded once per process even when the start-up warm-up and requests ask for it at the same time."""

from __future__ import annotations

import threading
import time

from sisamu.geo.data_files import loaded_once


def test_concurrent_callers_wait_for_one_load():
    loads = []

    @loaded_once
    def load() -> list[int]:
        loads.append(1)
        time.sleep(0.2)  # seconds of parsing, in real life
        return [42]

    start = threading.Barrier(8)
    results = []

    def ask() -> None:
        start.wait()
        results.append(load())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 8
    assert all(r is results[0] for r in results)
