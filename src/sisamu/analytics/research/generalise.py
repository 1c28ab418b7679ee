"""Quasi-identifiers generalised step by step until every combination is shared by at least k records.

A record's quasi-identifiers are when (a week, month or quarter; a band of the day), who (an age band, the sex)
and where (the département, the region or the nation). The ladder below goes from the most precise to the most
general; an export takes the first level at which every class of calls, files and patients holds k records, and
refuses to write when even the last level does not.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sisamu.geo import gazetteer

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    period: str  # week, month, quarter
    ages: str  # 10y, 20y, broad
    place: str  # departement, region, nation
    day_band: bool


LADDER: tuple[Level, ...] = (
    Level(0, "week", "10y", "departement", True),
    Level(1, "month", "10y", "departement", True),
    Level(2, "month", "20y", "departement", True),
    Level(3, "month", "20y", "region", True),
    Level(4, "quarter", "broad", "region", False),
    Level(5, "quarter", "broad", "nation", False),
)


def period(day: date, level: Level) -> str:
    """The period of a day (in Paris) at this level."""
    if level.period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-S{week:02d}"
    if level.period == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def day_band(hour: int, level: Level) -> str | None:
    """The band of an hour of the day (in Paris) at this level."""
    if not level.day_band:
        return None
    return _BANDS[hour // 6]


_BANDS = ("nuit", "matin", "après-midi", "soir")


_AGE = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")


def age_years(birth: date | None, age: str | None, at: datetime) -> int | None:
    """Whole years at the time of the call, from the birth date or the age as given (`P45Y`, `P6M`)."""
    if birth is not None:
        day = at.astimezone(PARIS).date()
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if age:
        found = _AGE.fullmatch(age)
        if found and any(found.groups()):
            return int(found[1] or 0)
    return None


def age_band(years: int | None, level: Level) -> str | None:
    if years is None:
        return None
    if level.ages == "broad":
        return "0-17" if years < 18 else ("18-64" if years < 65 else "65+")  # noqa: PLR2004 - bands
    width = 10 if level.ages == "10y" else 20
    top = 90 if width == 10 else 80  # noqa: PLR2004 - the last band is open
    if years >= top:
        return f"{top}+"
    low = years // width * width
    return f"{low}-{low + width - 1}"


def place(departement: str | None, level: Level) -> str | None:
    if departement is None or level.place == "nation":
        return "France" if level.place == "nation" else None
    if level.place == "departement":
        return departement
    try:
        return gazetteer.departement(departement).region_name
    except KeyError:
        return None


def departement_of_commune(insee: str | None) -> str | None:
    if not insee:
        return None
    try:
        return gazetteer.commune(insee).departement
    except KeyError:
        return None


class Classes:
    """Counts of quasi-identifier combinations, over every table, in one pass: each record's raw combination is
    counted once (local day, quarter of day, place, age, sex: a few hundred thousand distinct ones a year), and
    each level generalises the distinct combinations, not the records."""

    def __init__(self) -> None:
        self.raw: dict[str, Counter[tuple[Hashable, ...]]] = defaultdict(Counter)
        self.key_at: dict[str, Callable[[Level, tuple[Hashable, ...]], tuple[Hashable, ...]]] = {}

    def add(
        self,
        table: str,
        key_at: Callable[[Level, tuple[Hashable, ...]], tuple[Hashable, ...]],
        raw: tuple[Hashable, ...],
    ) -> None:
        """One record of `table` whose raw combination is `raw`; `key_at(level, raw)` generalises it."""
        self.raw[table][raw] += 1
        self.key_at[table] = key_at

    def smallest(self, level: Level) -> int:
        counter: Counter[tuple[Hashable, ...]] = Counter()
        for table, raws in self.raw.items():
            key_at = self.key_at[table]
            for raw, n in raws.items():
                counter[(table, *key_at(level, raw))] += n
        return min(counter.values()) if counter else 0
