"""Ports to the outside world that several features use; `bootstrap` plugs in an adapter for each.

- `TravelTimeEstimator`: travel time between points for one vehicle (`geo.travel`: straight line; `geo.roads`:
  an OpenStreetMap road graph).
- `Telephony`: what executes the platform's telephony decisions outside it — dial a number from an ARM's seat,
  tell the telephony which regulation file goes with a call (`calls.cti.adapters`: the SI-SAMU national
  telephony; a recording adapter for the demo and the tests).

Points are `(lat, lon)` in WGS84 degrees; vehicles are Hub Santé `typeVecteur` codes or the short names of
`geo.travel.VehicleClass` (both are strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

Point = tuple[float, float]  # (lat, lon), WGS84 degrees


class TravelTimeEstimator(Protocol):
    """Travel time between points for one vehicle: the port behind which road engines sit."""

    def seconds(self, from_point: Point, to_point: Point, vehicle: str) -> float: ...

    def many(self, from_points: ArrayLike, to_point: Point, vehicle: str) -> NDArray[np.float64]:
        """Seconds from each of `from_points` (shape `(n, 2)`) to one point; `inf` where unreachable."""
        ...

    def matrix(self, from_points: ArrayLike, to_points: ArrayLike, vehicle: str) -> NDArray[np.float64]:
        """Seconds as an `(n_from, n_to)` array; `inf` where unreachable."""
        ...


@dataclass(frozen=True, slots=True)
class DialRequest:
    """Ring the ARM's phone at `seat_id`, then call `number` (a callback, a click-to-call)."""

    samu_id: str
    seat_id: str
    id_nat_ps: str | None  # the agent's national health-professional id, as the SI-SAMU telephony knows them
    number: str
    file_number: str | None = None


@dataclass(frozen=True, slots=True)
class PersonInfo:
    last_name: str | None = None
    first_name: str | None = None
    birth_name: str | None = None
    sex: str | None = None  # Hub Santé `sexe`: M, F, O
    age: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FileCorrelation:
    """The regulation file `file_number` goes with call `call_id`, taken at the seat of agent `id_nat_ps`."""

    samu_id: str
    file_number: str
    id_nat_ps: str | None
    call_id: str | None
    priority: str | None = None  # P0…P3
    location: str | None = None
    caller: PersonInfo | None = None
    patients: tuple[PersonInfo, ...] = field(default=())


class TelephonyRefused(Exception):
    """The telephony refused or failed a request; `retry` tells whether trying again may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class Telephony(Protocol):
    """What executes telephony outside the platform. Both calls raise `TelephonyRefused`."""

    name: str

    def dial(self, request: DialRequest) -> None: ...

    def correlate(self, correlation: FileCorrelation) -> None: ...
