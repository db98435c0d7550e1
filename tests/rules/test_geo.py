"""Geofence maths: distances, circles with radius, polygons, nearest place, travel speed."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hadir.rules.geo import (
    Area,
    Point,
    distance_m,
    distance_outside_m,
    enclosed_area_m2,
    on_one_line,
    place,
    sides_cross,
    speed_kmh,
    widest_span_m,
)

KANKEMENAG = Point(-7.7163, 110.3553)
# A 100 m x 100 m square compound around KANKEMENAG (about 0.0009 degrees each way).
SQUARE = (
    Point(-7.71585, 110.35485),
    Point(-7.71585, 110.35575),
    Point(-7.71675, 110.35575),
    Point(-7.71675, 110.35485),
)


def square_yard(vertices: tuple[Point, ...] = SQUARE) -> Area:
    """The square compound as a polygon location (its corners as given)."""
    return Area(
        key=2,
        name="Halaman",
        centre=KANKEMENAG,
        radius_m=0,
        accuracy_tolerance_m=30,
        vertices=vertices,
    )


def circle(radius: float = 100, key: int = 1) -> Area:
    return Area(key=key, name="Kantor", centre=KANKEMENAG, radius_m=radius, accuracy_tolerance_m=50)


def test_distance_between_the_same_point_is_zero() -> None:
    assert distance_m(KANKEMENAG, KANKEMENAG) == 0


def test_one_hundredth_degree_of_latitude_is_about_1112_metres() -> None:
    north = Point(KANKEMENAG.lat + 0.01, KANKEMENAG.lng)
    assert distance_m(KANKEMENAG, north) == pytest.approx(1112, abs=1)


def test_coordinates_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="di luar jangkauan"):
        Point(91, 0)
    with pytest.raises(ValueError, match="di luar jangkauan"):
        Point(0, 181)


def test_a_point_inside_the_radius_is_zero_metres_outside() -> None:
    near = Point(KANKEMENAG.lat + 0.0005, KANKEMENAG.lng)  # about 56 m north
    assert distance_outside_m(circle(), near) == 0


def test_a_point_beyond_the_radius_reports_how_far_beyond() -> None:
    far = Point(KANKEMENAG.lat + 0.018, KANKEMENAG.lng)  # about 2 km north
    assert distance_outside_m(circle(100), far) == pytest.approx(2001.5 - 100, abs=2)


def test_a_polygon_contains_its_centre() -> None:
    yard = square_yard()
    assert distance_outside_m(yard, KANKEMENAG) == 0


@pytest.mark.parametrize(
    "edge",
    [
        pytest.param(Point(-7.71585, 110.3553), id="north"),
        pytest.param(Point(-7.7163, 110.35575), id="east"),
        pytest.param(Point(-7.71675, 110.3553), id="south"),
        pytest.param(Point(-7.7163, 110.35485), id="west"),
        pytest.param(SQUARE[1], id="a-corner"),
    ],
)
def test_a_point_on_any_edge_of_a_polygon_is_inside_as_on_a_circles_edge(edge: Point) -> None:
    """The ray cast leaves a point exactly on the north or east edge out, and its distance to
    that edge comes back as 1e-14 m rather than 0: within a centimetre is on the edge."""
    yard = square_yard()
    assert distance_outside_m(yard, edge) == 0
    assert place(edge, [yard]).inside


def test_a_point_east_of_a_polygon_is_measured_to_its_nearest_edge() -> None:
    yard = square_yard()
    east = Point(-7.7163, 110.35575 + 0.0009)  # about 99 m east of the east edge
    assert distance_outside_m(yard, east) == pytest.approx(99.2, abs=1)


def test_a_point_beyond_a_corner_is_measured_to_the_corner() -> None:
    yard = square_yard()
    corner = SQUARE[1]
    beyond = Point(corner.lat + 0.0003, corner.lng + 0.0003)
    assert distance_outside_m(yard, beyond) == pytest.approx(distance_m(corner, beyond), rel=0.01)


def test_a_degenerate_polygon_edge_still_measures_distance() -> None:
    doubled = (SQUARE[0], SQUARE[0], SQUARE[1], SQUARE[2], SQUARE[3])
    yard = square_yard(doubled)
    assert distance_outside_m(yard, Point(-7.7140, 110.3553)) > 0


def test_a_polygon_needs_three_vertices() -> None:
    with pytest.raises(ValueError, match="minimal 3 titik"):
        Area(
            key=2,
            name="Garis",
            centre=KANKEMENAG,
            radius_m=0,
            accuracy_tolerance_m=30,
            vertices=SQUARE[:2],
        )


def test_place_picks_the_area_the_point_is_in() -> None:
    far_away = Area(
        key=9, name="KUA", centre=Point(-7.80, 110.40), radius_m=100, accuracy_tolerance_m=50
    )
    placement = place(KANKEMENAG, [far_away, circle(key=1)])
    assert placement.inside
    assert placement.area is not None
    assert placement.area.key == 1


def test_where_areas_overlap_place_picks_the_one_with_the_most_lenient_gps_tolerance() -> None:
    office = Area(key=1, name="Kantor", centre=KANKEMENAG, radius_m=50, accuracy_tolerance_m=30)
    yard = Area(key=2, name="Lapangan", centre=KANKEMENAG, radius_m=300, accuracy_tolerance_m=200)
    hall = Area(key=3, name="Aula", centre=KANKEMENAG, radius_m=80, accuracy_tolerance_m=60)

    for areas in ([office, yard, hall], [yard, hall, office], [hall, office, yard]):
        assert place(KANKEMENAG, areas).area is yard


def test_a_polygon_encloses_its_area_and_a_line_or_repeated_point_encloses_none() -> None:
    assert enclosed_area_m2(SQUARE) == pytest.approx(100 * 99.2, rel=0.02)
    assert enclosed_area_m2([SQUARE[0], SQUARE[1], SQUARE[0]]) == 0
    midway = Point((SQUARE[0].lat + SQUARE[2].lat) / 2, (SQUARE[0].lng + SQUARE[2].lng) / 2)
    assert enclosed_area_m2([SQUARE[0], midway, SQUARE[2]]) == pytest.approx(0, abs=1e-6)


def test_a_polygon_is_as_wide_as_its_two_farthest_corners_lie_apart() -> None:
    assert widest_span_m(SQUARE) == pytest.approx(distance_m(SQUARE[0], SQUARE[2]))
    assert widest_span_m(SQUARE) == pytest.approx(100 * math.sqrt(2), rel=0.02)


def test_place_reports_the_nearest_area_when_outside_all() -> None:
    near = Area(
        key=3, name="MAN", centre=Point(-7.7200, 110.3553), radius_m=100, accuracy_tolerance_m=50
    )
    farther = Area(
        key=4, name="KUA", centre=Point(-7.7400, 110.3553), radius_m=100, accuracy_tolerance_m=50
    )
    placement = place(KANKEMENAG, [farther, near])
    assert not placement.inside
    assert placement.area is near
    assert placement.distance_outside_m == pytest.approx(
        distance_m(KANKEMENAG, near.centre) - 100, abs=0.01
    )


def test_place_without_areas_is_outside_at_infinite_distance() -> None:
    placement = place(KANKEMENAG, [])
    assert not placement.inside
    assert placement.distance_outside_m == math.inf


def test_speed_of_two_km_in_a_minute_is_120_kmh() -> None:
    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    north = Point(KANKEMENAG.lat + 0.017986, KANKEMENAG.lng)  # 2.0 km
    assert speed_kmh(KANKEMENAG, start, north, start + timedelta(minutes=1)) == pytest.approx(
        120, rel=0.01
    )


def test_speed_at_the_same_instant_is_zero_in_place_and_infinite_elsewhere() -> None:
    now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert speed_kmh(KANKEMENAG, now, KANKEMENAG, now) == 0
    assert speed_kmh(KANKEMENAG, now, Point(-7.8, 110.3), now) == math.inf


@given(
    st.floats(min_value=-8.5, max_value=-7.0),
    st.floats(min_value=110.0, max_value=111.0),
    st.floats(min_value=-8.5, max_value=-7.0),
    st.floats(min_value=110.0, max_value=111.0),
)
def test_distance_is_symmetric_and_never_negative(
    lat1: float, lng1: float, lat2: float, lng2: float
) -> None:
    a, b = Point(lat1, lng1), Point(lat2, lng2)
    assert distance_m(a, b) >= 0
    assert distance_m(a, b) == pytest.approx(distance_m(b, a))


def test_place_keeps_the_nearest_area_whatever_the_order() -> None:
    near = Area(
        key=3, name="MAN", centre=Point(-7.7200, 110.3553), radius_m=100, accuracy_tolerance_m=50
    )
    farther = Area(
        key=4, name="KUA", centre=Point(-7.7400, 110.3553), radius_m=100, accuracy_tolerance_m=50
    )
    assert place(KANKEMENAG, [near, farther]).area is near
    assert place(KANKEMENAG, [farther, near]).area is near


def test_a_polygon_drawn_around_its_corners_in_order_has_no_crossing_sides() -> None:
    assert not sides_cross(SQUARE)
    assert not sides_cross(list(reversed(SQUARE)))


def test_corners_placed_out_of_order_make_a_bowtie_whose_sides_cross() -> None:
    a, b, c, d = SQUARE
    assert sides_cross([a, c, b, d])
    assert sides_cross([a, b, d, c])


def midpoint(p: Point, q: Point) -> Point:
    return Point((p.lat + q.lat) / 2, (p.lng + q.lng) / 2)


def test_two_loops_pinched_at_one_corner_make_a_figure_eight() -> None:
    a, b, c, d = SQUARE
    centre = midpoint(a, c)
    assert sides_cross([a, b, centre, c, d, centre])


def test_a_corner_placed_on_another_side_touches_it() -> None:
    a, b, c, d = SQUARE
    assert sides_cross([a, b, c, midpoint(a, b), d])


def test_a_spike_that_runs_back_along_its_own_side_folds() -> None:
    a, b, c, d = SQUARE
    assert sides_cross([a, b, c, d, midpoint(d, c)])


def test_a_corner_clicked_twice_or_a_ring_closed_on_its_first_corner_is_still_simple() -> None:
    a, b, c, d = SQUARE
    assert not sides_cross([a, b, b, c, d])
    assert not sides_cross([a, b, c, d, a])


def test_an_l_shaped_outline_is_simple() -> None:
    a, b, c, d = SQUARE
    centre = midpoint(a, c)
    assert not sides_cross([b, c, d, midpoint(a, d), centre, midpoint(a, b)])


def test_corners_on_one_line_or_all_repeated_enclose_nothing() -> None:
    a, b, c, _ = SQUARE
    assert on_one_line([a, midpoint(a, b), b])
    assert on_one_line([a, b, midpoint(a, b), a])
    assert on_one_line([a, a, a])
    assert not on_one_line([a, b, c])


def test_corners_on_one_line_are_seen_whichever_corner_comes_first() -> None:
    a, b, _, _ = SQUARE
    assert on_one_line([midpoint(a, b), a, b])
    assert not on_one_line([midpoint(a, b), a, b, SQUARE[2]])
