"""Whether a location is a geofence a check-in can be judged against (:meth:`Location.clean`).

A point needs coordinates on Earth and a radius; a polygon needs at least three vertices that
enclose ground. Every location needs a GPS tolerance a phone can meet. How wide a location may
be and how lenient its tolerance are policy (``presence.location_span_max_m``,
``presence.accuracy_tolerance_max_m``): an operator cannot draw a geofence around a whole town.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.rules.geo import Point, enclosed_area_m2, on_one_line, sides_cross, widest_span_m
from hadir.rules.policy import Policy

if TYPE_CHECKING:
    from hadir.org.models import Location

POLYGON_VERTICES_AT_MOST: Final = 500
"""Input sanity: a school yard or an office compound is outlined in a few dozen points."""


def location_problems(location: Location) -> dict[str, str]:
    """What is wrong with ``location``, by field; empty when it can be saved."""
    problems: dict[str, str] = {}
    policy = _policy_today(location)
    if location.latitude is not None and not -90 <= location.latitude <= 90:
        problems["latitude"] = _("Latitude must be between -90 and 90.")
    if location.longitude is not None and not -180 <= location.longitude <= 180:
        problems["longitude"] = _("Longitude must be between -180 and 180.")
    if location.accuracy_tolerance_m is not None and location.accuracy_tolerance_m < 1:
        problems["accuracy_tolerance_m"] = _("A GPS tolerance of at least 1 m is needed.")
    elif (
        location.accuracy_tolerance_m is not None
        and location.accuracy_tolerance_m > policy.accuracy_tolerance_max_m
    ):
        problems["accuracy_tolerance_m"] = _(
            "A GPS tolerance of at most %(most)s m is allowed: a poorer fix does not show where"
            " the phone is."
        ) % {"most": policy.accuracy_tolerance_max_m}
    if location.polygon in (None, [], ""):
        if location.radius_m is not None and location.radius_m < 1:
            problems["radius_m"] = _("A point needs a radius of at least 1 m.")
        elif location.radius_m is not None and 2 * location.radius_m > policy.location_span_max_m:
            problems["radius_m"] = _(
                "A radius of at most %(most)s m is allowed: a location may be at most %(span)s m"
                " across."
            ) % {"most": policy.location_span_max_m // 2, "span": policy.location_span_max_m}
    else:
        polygon_problem = _polygon_problem(location.polygon, policy)
        if polygon_problem:
            problems["polygon"] = polygon_problem
    return problems


def _policy_today(location: Location) -> Policy:
    """The policy of today on the unit's clock: a location is judged by the bounds in force
    when it is saved."""
    from hadir.schedules.selectors import policy_as_of  # schedules' models import org's

    unit = getattr(location, "unit", None) if location.unit_id else None
    return policy_as_of(unit.today() if unit is not None else timezone.localdate())


def _polygon_problem(polygon: Any, policy: Policy) -> str:
    if not isinstance(polygon, list) or len(polygon) < 3:
        return _("A polygon needs at least three [lat, lng] points.")
    if len(polygon) > POLYGON_VERTICES_AT_MOST:
        return _("A polygon may have at most %(count)s points.") % {
            "count": POLYGON_VERTICES_AT_MOST
        }
    if not all(_is_coordinate_pair(point) for point in polygon):
        return _("Each polygon point must be [latitude, longitude] in degrees.")
    vertices = [Point(float(lat), float(lng)) for lat, lng in polygon]
    if on_one_line(vertices):
        return _("The polygon's points enclose no ground: they repeat or lie on one line.")
    if sides_cross(vertices):
        return _("The polygon's sides cross each other: place its corners in order around it.")
    if enclosed_area_m2(vertices) < 1:
        return _("The polygon's points enclose no ground: they repeat or lie on one line.")
    span = widest_span_m(vertices)
    if span > policy.location_span_max_m:
        return _(
            "The polygon is %(span)s m across; a location may be at most %(most)s m across."
        ) % {"span": round(span), "most": policy.location_span_max_m}
    return ""


def _is_coordinate_pair(point: Any) -> bool:
    """``[lat, lng]`` in degrees. The range comparisons are exact for integers of any size and
    false for NaN and the infinities, so no number slips through as a float."""
    return (
        isinstance(point, list)
        and len(point) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
        and -90 <= point[0] <= 90
        and -180 <= point[1] <= 180
    )
