"""Floors and peers for the benchmarks: the least the same stack does for the same work, measured in the same run.

Each module runs alone (`python benchmarks/floors/<name>.py --help`) and is imported by its benchmark, which
prints `ratio_to_floor` (or the peer's ratio) on its last line (docs/performance.md).
"""
