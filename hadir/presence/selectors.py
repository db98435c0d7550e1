"""Reads for presensi: an employee's allowed areas, their punches, the day's standing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from hadir.org.models import Employee, Location, LocationGrant
from hadir.presence.models import Punch
from hadir.rules.day import DayResult, evaluate_day
from hadir.rules.geo import Area, Point
from hadir.schedules import cache


def _area(location: Location) -> Area:
    vertices = tuple(Point(float(lat), float(lng)) for lat, lng in (location.polygon or []))
    return Area(
        key=location.pk,
        name=location.name,
        centre=Point(float(location.latitude), float(location.longitude)),
        radius_m=float(location.radius_m),
        accuracy_tolerance_m=float(location.accuracy_tolerance_m),
        vertices=vertices,
    )


def allowed_areas(employee: Employee) -> list[Area]:
    """The unit's active locations plus those granted to the employee and approved."""
    granted = LocationGrant.objects.filter(
        employee=employee, status=LocationGrant.Status.APPROVED
    ).values("location_id")
    locations = Location.objects.filter(active=True).filter(
        Q(unit_id=employee.unit_id) | Q(pk__in=granted)
    )
    return [_area(location) for location in locations]


def last_positioned_punch(employee: Employee) -> Punch | None:
    """The employee's latest app punch (the one travel speed is measured from)."""
    return (
        Punch.objects.filter(employee=employee, source=Punch.Source.APP)
        .only("at", "latitude", "longitude")
        .order_by("-at")
        .first()
    )


def punches_on(employee: Employee, day: date) -> list[datetime]:
    """The instants of the employee's counting punches on ``day`` in the unit's time zone."""
    tz = ZoneInfo(employee.unit.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return list(
        Punch.objects.filter(
            employee=employee, counts=True, at__gte=start, at__lt=start + timedelta(days=1)
        )
        .order_by("at")
        .values_list("at", flat=True)
    )


def day_standing(employee: Employee, day: date) -> DayResult:
    """The employee's day as it stands now, evaluated by the rules library."""
    pattern_code = (
        employee.pattern.code if employee.pattern_id else employee.unit.default_pattern.code
    )
    schedule = cache.schedule(employee.unit, pattern_code, day)
    return evaluate_day(
        schedule,
        punches_on(employee, day),
        tz=ZoneInfo(employee.unit.timezone),
        policy=cache.policy(day),
    )
