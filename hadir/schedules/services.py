"""Writes to the calendar and policy: filling a year's national holidays, operator edits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import holidays as holiday_calendars
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from hadir.common.audit import audit_record
from hadir.schedules.models import (
    Holiday,
    HolidayYear,
    PatternDay,
    SpecialPeriod,
    SpecialPeriodDay,
    WorkPattern,
)

if TYPE_CHECKING:
    from hadir.org.models import Unit

HOLIDAY_CATEGORIES = ("public", "government")


def holiday_year_ensure(year: int) -> None:
    """Fill ``year`` from the ``holidays`` package the first time it is needed, never again.

    Public holidays and cuti bersama (category ``government``). Concurrent callers may race; the
    unique year row makes exactly one of them fill.
    """
    if HolidayYear.objects.filter(year=year).exists():
        return
    calendar = holiday_calendars.country_holidays(
        "ID", years=year, categories=HOLIDAY_CATEGORIES, language="id"
    )
    try:
        with transaction.atomic():
            HolidayYear.objects.create(year=year)
            Holiday.objects.bulk_create(
                [
                    Holiday(date=day, name=name[:200], source=Holiday.Source.PACKAGE)
                    for day, name in sorted(calendar.items())
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return  # another request filled it first


def holiday_add(*, unit: Unit, day: date, name: str, actor: Any) -> Holiday:
    """A local holiday for ``unit`` and everything under it (or re-activate a dropped one).

    Raises :class:`~hadir.recap.periods.PeriodClosed` in a month closed for the unit, above or
    below it, unless an admin adds it: the holiday changes those days."""
    with transaction.atomic():
        _guard_closed_month(actor, unit, day)  # in the transaction: see recap.periods' locks
        # The working-day override first: it may bear the name the holiday takes.
        undone = Holiday.objects.filter(date=day, unit=unit, active=False).delete()[0]
        holiday, created = Holiday.objects.get_or_create(
            date=day,
            unit=unit,
            active=True,
            defaults={"name": name[:200], "source": Holiday.Source.OPERATOR},
        )
        audit_record(
            actor=actor,
            action="schedules.holiday_add",
            obj=holiday,
            summary=f"{unit.code} {day} {holiday.name}",
            # What the date was for the unit: a working day it had made, its own holiday
            # already, or neither.
            before={"working_day": bool(undone), "holiday": None if created else holiday.name},
            after={"date": day.isoformat(), "unit": unit.code, "name": holiday.name},
        )
    return holiday


class NotAHoliday(ValueError):
    """A drop of a date that is no holiday for the unit: it would change nothing (a work
    pattern's day off stays one) and leave a row that hides a holiday added above later."""


def holiday_drop(*, unit: Unit, day: date, actor: Any) -> None:
    """Make ``day``, a holiday, a working day for ``unit`` and everything under it.

    The unit's own local holiday on that date is removed; a national or parent-unit holiday is
    overridden by an inactive row on the unit, so the national calendar itself stays intact for
    everyone else. Refused in a closed month, as :func:`holiday_add` is, and for a date that is
    no holiday for the unit (:class:`NotAHoliday`).
    """
    from hadir.schedules.selectors import holiday_dates

    with transaction.atomic():
        _guard_closed_month(actor, unit, day)  # in the transaction: see recap.periods' locks
        if day not in holiday_dates(unit, day, day):
            raise NotAHoliday(
                _(
                    "%(date)s is not a holiday for this unit. A day off of the work pattern"
                    " becomes a working day only through a special period, set by an admin."
                )
                % {"date": f"{day:%d-%m-%Y}"}
            )
        if not _hours_on(unit, day):
            raise NotAHoliday(
                _(
                    "%(date)s falls on a day off of every work pattern of this unit: it stays a"
                    " day off. A day off becomes a working day only through a special period,"
                    " set by an admin."
                )
                % {"date": f"{day:%d-%m-%Y}"}
            )
        removed = list(Holiday.objects.filter(date=day, unit=unit, active=True).values("name"))
        Holiday.objects.filter(date=day, unit=unit).delete()
        Holiday.objects.create(
            date=day, unit=unit, name="(hari kerja)", source=Holiday.Source.OPERATOR, active=False
        )
        audit_record(
            actor=actor,
            action="schedules.holiday_drop",
            summary=f"{unit.code} {day}",
            before={"removed": removed},
            after={"date": day.isoformat(), "unit": unit.code, "working": True},
        )


def _hours_on(unit: Unit, day: date) -> bool:
    """Whether any work pattern followed in ``unit`` or under it has hours on ``day``'s
    weekday (a holiday aside): a holiday on every pattern's day off is no working day undone."""
    from hadir.org.models import Employee
    from hadir.schedules import cache

    under = type(unit).objects.filter(path__startswith=unit.path)
    codes = set(under.values_list("default_pattern__code", flat=True))
    codes |= set(
        Employee.objects.filter(unit__in=under, pattern__isnull=False).values_list(
            "pattern__code", flat=True
        )
    )
    return any(cache.schedule(unit, code, day).hours is not None for code in codes if code)


def _guard_closed_month(actor: Any, unit: Unit, day: date) -> None:
    # Imported here: the recap reads the calendar (hadir.schedules.cache), not the other way.
    from hadir.recap.periods import period_guard_calendar

    period_guard_calendar(actor=actor, unit=unit, dates=[day])


def pattern_hours_keep(*, pattern: WorkPattern, since: date, actor: Any) -> SpecialPeriod | None:
    """Keep ``pattern``'s hours, as stored, for the days before ``since``: its hours are about
    to change from that date (a new circular), and the days lived before keep theirs.

    They are kept as a special period for all units, from the day after the last such period
    of the pattern (else the first day anyone's attendance counts) to the day before
    ``since``; none when that span is empty (the change then corrects every day). Every other
    period, a Ramadan's, still wins inside it, whenever it started.
    """
    from django.db.models import Max, Min

    from hadir.org.models import Employee

    last_kept = SpecialPeriod.objects.filter(kept_hours=pattern).aggregate(end=Max("end"))["end"]
    if last_kept is not None:
        first = last_kept + timedelta(days=1)
    else:
        first = Employee.objects.aggregate(start=Min("start"))["start"] or since
    if first >= since:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # a stored name: the site's language
        name = _("Hours of %(pattern)s until %(date)s") % {
            "pattern": pattern.code,
            "date": f"{since - timedelta(days=1):%d-%m-%Y}",
        }
    with transaction.atomic():
        period = SpecialPeriod.objects.create(
            name=name[:120],
            start=first,
            end=since - timedelta(days=1),
            all_units=True,
            kept_hours=pattern,
        )
        week = [
            SpecialPeriodDay(
                period=period,
                pattern=pattern,
                weekday=day.weekday,
                start=day.start,
                end=day.end,
                break_start=day.break_start,
                break_end=day.break_end,
            )
            for day in PatternDay.objects.filter(pattern=pattern)
        ]
        for day in week:  # one by one: each row's save refreshes and clears the caches
            day.save()
        audit_record(
            actor=actor,
            action="schedules.pattern_hours_keep",
            obj=period,
            summary=f"{pattern.code} {first}–{period.end}",
            after={
                "pattern": pattern.code,
                "start": first.isoformat(),
                "end": period.end.isoformat(),
            },
        )
    return period
