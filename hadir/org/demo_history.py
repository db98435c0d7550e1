"""A plausible attendance history for the demo: punches since the start of last month, a few
requests, and the evaluated days, so every page of the demo has something to show."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hadir.org.models import Employee
from hadir.presence.chain import GENESIS, punch_seal
from hadir.presence.models import Punch
from hadir.recap.services import days_refresh_many
from hadir.rules.patterns import time_of
from hadir.schedules import cache
from hadir.schedules.selectors import unit_calendars


def history_start(today: date) -> date:
    """The first day of last month: the demo employees' attendance counts from there."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def demo_history_load(employees: list[Employee], today: date, rng: random.Random) -> int:
    """Punches for every working day from :func:`history_start` to yesterday; returns days."""
    start, end = history_start(today), today - timedelta(days=1)
    units = {e.unit_id: e.unit for e in employees}
    calendars = unit_calendars(list(units.values()), start, end)
    patterns = cache.patterns()
    punches: list[Punch] = []
    for employee in employees:
        tz = ZoneInfo(employee.unit.timezone)
        location = employee.unit.locations.first()
        pattern = patterns[employee.effective_pattern_code]
        holidays = calendars[employee.unit_id][0]
        chain = GENESIS
        day = start
        while day <= end:
            hours = pattern.hours_on(day)
            if hours is not None and day not in holidays:
                for moment in _day_punches(day, hours.start, hours.end, rng):
                    punch = Punch(
                        employee=employee,
                        at=datetime.combine(day, moment, tzinfo=tz),
                        source=Punch.Source.APP,
                        latitude=location.latitude if location else None,
                        longitude=location.longitude if location else None,
                        accuracy_m=float(rng.randint(5, 30)),
                        location=location,
                        device_id=f"demo-{employee.pk}",
                    )
                    punch_seal(punch, chain)
                    chain = punch.hash
                    punches.append(punch)
            day += timedelta(days=1)
    Punch.objects.bulk_create(punches, batch_size=2000)
    return days_refresh_many(employees=employees, start=start, end=end)


def _day_punches(day: date, start: time, end: time, rng: random.Random) -> list[time]:
    """Mostly on time; sometimes late, early, a forgotten check-out, or a day away."""
    roll = rng.random()
    if roll < 0.03:
        return []
    begin = start.hour * 60 + start.minute
    finish = end.hour * 60 + end.minute
    arrive = begin - rng.randint(5, 40) if roll < 0.85 else begin + rng.randint(1, 100)
    leave = finish + rng.randint(0, 45) if roll < 0.93 else finish - rng.randint(5, 60)
    moments = [_clock(arrive, rng)]
    if roll < 0.96 or roll >= 0.99:
        moments.append(_clock(leave, rng))
    return moments


def _clock(minutes: int, rng: random.Random) -> time:
    return time_of(minutes).replace(second=rng.randint(0, 59))


def demo_evidence_pdf() -> bytes:
    """A one-page PDF letter for the demo's pending requests."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
