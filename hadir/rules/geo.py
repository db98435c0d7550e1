"""Geofence maths for check-in (DOMAIN.md §6): distances, circles, polygons, travel speed.

Distances are great-circle (haversine) in metres. Polygons are small (a school yard, an office
compound), so containment and edge distance are computed on a local equirectangular projection
around the point, which is exact to well under a metre at that size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG); a physical constant, not policy
TOUCHING_M = 0.01
"""Points or sides closer than this meet: far below what a GPS or a map click resolves, far
above the rounding of the projection (geometry's precision, not a policy value)."""


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 position in decimal degrees."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lng <= 180.0):
            raise ValueError(f"koordinat ({self.lat}, {self.lng}) di luar jangkauan")


@dataclass(frozen=True, slots=True)
class Area:
    """An allowed place: a circle (``centre`` + ``radius_m``) or a polygon (``vertices``).

    ``accuracy_tolerance_m`` is the worst GPS accuracy the place accepts.
    """

    key: int
    name: str
    centre: Point
    radius_m: float
    accuracy_tolerance_m: float
    vertices: tuple[Point, ...] = ()

    def __post_init__(self) -> None:
        if self.vertices and len(self.vertices) < 3:
            raise ValueError(f"poligon '{self.name}' butuh minimal 3 titik")


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance between two points, in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlng = math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _project(origin: Point, p: Point) -> tuple[float, float]:
    """``p`` in metres east/north of ``origin`` (equirectangular, fine at yard scale)."""
    x = math.radians(p.lng - origin.lng) * EARTH_RADIUS_M * math.cos(math.radians(origin.lat))
    y = math.radians(p.lat - origin.lat) * EARTH_RADIUS_M
    return x, y


def _inside_polygon(xy: Sequence[tuple[float, float]]) -> bool:
    """Whether the origin lies inside the polygon ``xy`` (even-odd ray casting)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(xy, [*xy[1:], xy[0]], strict=True):
        if (y1 > 0) != (y2 > 0) and x1 + (0 - y1) * (x2 - x1) / (y2 - y1) > 0:
            inside = not inside
    return inside


def _segment_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from the origin to the segment ``a``–``b``."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def distance_outside_m(area: Area, p: Point) -> float:
    """How far ``p`` lies outside ``area``, in metres; 0 when inside or on the edge."""
    if not area.vertices:
        return max(0.0, distance_m(area.centre, p) - area.radius_m)
    xy = [_project(p, v) for v in area.vertices]
    if _inside_polygon(xy):
        return 0.0
    outside = min(_segment_distance(a, b) for a, b in zip(xy, [*xy[1:], xy[0]], strict=True))
    # The ray cast leaves out a point exactly on some edges, whose distance then comes back
    # as rounding (1e-14 m), not 0: on the edge is inside, as on a circle's.
    return 0.0 if outside < TOUCHING_M else outside


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a position stands against the allowed areas: the nearest one and how far out."""

    area: Area | None
    distance_outside_m: float

    @property
    def inside(self) -> bool:
        return self.area is not None and self.distance_outside_m == 0.0


def place(p: Point, areas: Sequence[Area]) -> Placement:
    """The area ``p`` is in, else the nearest one with its distance.

    Where areas overlap (an office inside a madrasah's yard), the one with the most lenient GPS
    tolerance: if any area around the employee accepts the fix, that one does.
    """
    best: Placement = Placement(area=None, distance_outside_m=math.inf)
    for area in areas:
        outside = distance_outside_m(area, p)
        more_lenient = (
            outside == best.distance_outside_m == 0.0
            and best.area is not None
            and area.accuracy_tolerance_m > best.area.accuracy_tolerance_m
        )
        if outside < best.distance_outside_m or more_lenient:
            best = Placement(area=area, distance_outside_m=outside)
    return best


def enclosed_area_m2(vertices: Sequence[Point]) -> float:
    """The area a polygon's outline encloses, in square metres (shoelace, on the projection
    around its first vertex): zero for points that repeat or lie on one line, which nobody can
    stand inside."""
    xy = [_project(vertices[0], v) for v in vertices]
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy, [*xy[1:], xy[0]], strict=True))
    return abs(twice) / 2


def widest_span_m(vertices: Sequence[Point]) -> float:
    """How far apart a polygon's two farthest corners lie: how wide the place is across."""
    return max((distance_m(a, b) for a in vertices for b in vertices), default=0.0)


def sides_cross(vertices: Sequence[Point]) -> bool:
    """Whether the outline is not one simple loop: two sides cross or touch (a bowtie from
    corners out of order, a figure-8 pinched at a corner, a corner on another side), or a side
    folds back along its neighbour. Inside and outside then stop meaning what the operator
    drew. A corner clicked twice in a row is one corner."""
    xy = _distinct_corners([_project(vertices[0], v) for v in vertices])
    sides = list(zip(xy, [*xy[1:], xy[0]], strict=True))
    last = len(sides) - 1
    for i in range(len(sides)):
        for j in range(i + 1, len(sides)):
            if j == i + 1:
                bad = _folds_back(sides[i], sides[j])
            elif i == 0 and j == last:
                bad = _folds_back(sides[j], sides[i])
            else:
                bad = _boxes_meet(sides[i], sides[j]) and (
                    _segments_apart_m(sides[i], sides[j]) < TOUCHING_M
                )
            if bad:
                return True
    return False


def on_one_line(vertices: Sequence[Point]) -> bool:
    """Whether every corner lies on one line (or they all repeat): an outline around nothing."""
    xy = _distinct_corners([_project(vertices[0], v) for v in vertices])
    end = max(xy, key=lambda c: math.dist(c, xy[0]))  # an end of the line, if there is one
    other_end = max(xy, key=lambda c: math.dist(c, end))
    return all(_point_to_side_m(c, (end, other_end)) < TOUCHING_M for c in xy)


Side = tuple[tuple[float, float], tuple[float, float]]


def _distinct_corners(xy: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept = [c for c, after in zip(xy, [*xy[1:], xy[0]], strict=True) if c != after]
    return kept or xy[:1]


def _folds_back(first: Side, then: Side) -> bool:
    """Whether two sides meeting at a corner run back along each other past it."""
    (a, _corner), (_, c) = first, then
    return _point_to_side_m(c, first) < TOUCHING_M or _point_to_side_m(a, then) < TOUCHING_M


def _boxes_meet(first: Side, second: Side) -> bool:
    """A cheap first test: sides whose bounding boxes lie apart cannot meet."""
    (a, b), (c, d) = first, second
    return (
        min(a[0], b[0]) - TOUCHING_M <= max(c[0], d[0])
        and min(c[0], d[0]) - TOUCHING_M <= max(a[0], b[0])
        and min(a[1], b[1]) - TOUCHING_M <= max(c[1], d[1])
        and min(c[1], d[1]) - TOUCHING_M <= max(a[1], b[1])
    )


def _segments_apart_m(first: Side, second: Side) -> float:
    """The shortest distance between two sides: zero where they cross."""

    def turn(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    (a, b), (c, d) = first, second
    if turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0:
        return 0.0
    return min(
        _point_to_side_m(a, second),
        _point_to_side_m(b, second),
        _point_to_side_m(c, first),
        _point_to_side_m(d, first),
    )


def _point_to_side_m(p: tuple[float, float], side: Side) -> float:
    (ax, ay), (bx, by) = side
    return _segment_distance((ax - p[0], ay - p[1]), (bx - p[0], by - p[1]))


def speed_kmh(a: Point, at_a: datetime, b: Point, at_b: datetime) -> float:
    """Travel speed between two fixes; infinite for a distinct place at the same instant."""
    metres = distance_m(a, b)
    seconds = abs((at_b - at_a).total_seconds())
    if seconds == 0:
        return 0.0 if metres == 0 else math.inf
    return metres / seconds * 3.6
