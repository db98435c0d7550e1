"""The schedule of a date: days off, holidays, special periods and the pivot (DOMAIN.md §3, §4.2)."""

from __future__ import annotations

from datetime import date, time

import pytest

from hadir.rules.patterns import DEFAULT_PATTERNS, RAMADAN_HOURS, DayHours, SpecialPeriod
from hadir.rules.schedule import ScheduleBook, schedule_for

from .support import MONDAY, schedule, weekday

RAMADAN = SpecialPeriod(
    "RAMADAN_1447", "Ramadan 1447 H", date(2026, 2, 18), date(2026, 3, 19), RAMADAN_HOURS
)
RAMADAN_MONDAY = date(2026, 2, 23)


@pytest.mark.parametrize(
    ("code", "day", "pivot"),
    [
        ("KANTOR_5H", 0, time(11, 45)),  # 07:30–16:00, the example of DOMAIN.md
        ("KANTOR_5H", 4, time(12, 0)),  # 07:30–16:30
        ("MADRASAH_5H", 0, time(11, 15)),  # 07:00–15:30
        ("MADRASAH_5H", 4, time(11, 30)),  # 07:00–16:00
        ("MADRASAH_6H_MINGGU", 0, time(10, 45)),  # 07:00–14:30
        ("MADRASAH_6H_MINGGU", 4, time(9, 15)),  # 07:00–11:30
        ("MADRASAH_6H_MINGGU", 5, time(11, 0)),  # 07:00–15:00
        ("MADRASAH_6H_JUMAT", 6, time(9, 45)),  # 07:00–12:30
    ],
)
def test_pivot_is_the_floor_of_the_midpoint(code: str, day: int, pivot: time) -> None:
    assert schedule(weekday(day), code).pivot == pivot


def test_pivot_floors_an_odd_number_of_minutes() -> None:
    pattern = DEFAULT_PATTERNS["KANTOR_5H"]
    odd = type(pattern)("ODD", "odd", (DayHours(time(7, 30), time(16, 1)),) * 7)
    assert schedule_for(MONDAY, odd).pivot == time(11, 45)  # 11:45:30 floored


@pytest.mark.parametrize(
    ("code", "working_days"),
    [
        ("KANTOR_5H", {0, 1, 2, 3, 4}),
        ("MADRASAH_5H", {0, 1, 2, 3, 4}),
        ("MADRASAH_6H_MINGGU", {0, 1, 2, 3, 4, 5}),
        ("MADRASAH_6H_JUMAT", {0, 1, 2, 3, 5, 6}),
    ],
)
def test_a_pattern_works_on_its_weekdays_only(code: str, working_days: set[int]) -> None:
    assert {d for d in range(7) if schedule(weekday(d), code).working} == working_days


def test_a_day_off_has_no_hours() -> None:
    sunday = schedule(weekday(6))
    assert not sunday.working
    assert (sunday.start, sunday.end, sunday.pivot) == (None, None, None)


@pytest.mark.parametrize("code", list(DEFAULT_PATTERNS))
def test_a_holiday_is_not_a_working_day_for_any_pattern(code: str) -> None:
    nyepi = date(2024, 3, 11)  # Hari Suci Nyepi, a Monday
    result = schedule(nyepi, code, holidays={nyepi})
    assert not result.working
    assert result.holiday
    assert result.start == time.fromisoformat("07:30" if code == "KANTOR_5H" else "07:00")


def test_a_holiday_on_another_date_changes_nothing() -> None:
    assert schedule(MONDAY, holidays={date(2024, 3, 11)}).working


@pytest.mark.parametrize(
    ("code", "day", "hours"),
    [
        ("KANTOR_5H", RAMADAN_MONDAY, ("08:00", "15:00")),
        ("KANTOR_5H", date(2026, 2, 27), ("08:00", "15:30")),  # Friday
        ("MADRASAH_5H", RAMADAN_MONDAY, ("08:00", "15:00")),
        ("MADRASAH_6H_MINGGU", date(2026, 2, 28), ("08:00", "14:00")),  # Saturday
        ("MADRASAH_6H_JUMAT", date(2026, 3, 1), ("08:00", "14:00")),  # Sunday
    ],
)
def test_ramadan_replaces_the_hours_of_each_pattern(
    code: str, day: date, hours: tuple[str, str]
) -> None:
    result = schedule(day, code, periods=[RAMADAN])
    assert (result.start, result.end) == tuple(time.fromisoformat(h) for h in hours)
    assert result.special_period is RAMADAN


def test_ramadan_keeps_the_days_off() -> None:
    assert not schedule(date(2026, 2, 27), "MADRASAH_6H_JUMAT", periods=[RAMADAN]).working  # Friday
    assert not schedule(date(2026, 3, 1), "KANTOR_5H", periods=[RAMADAN]).working  # Sunday


def test_a_special_period_applies_from_its_first_to_its_last_date_inclusive() -> None:
    assert schedule(date(2026, 2, 17), periods=[RAMADAN]).special_period is None
    assert schedule(date(2026, 2, 18), periods=[RAMADAN]).special_period is RAMADAN
    assert schedule(date(2026, 3, 19), periods=[RAMADAN]).special_period is RAMADAN
    assert schedule(date(2026, 3, 20), periods=[RAMADAN]).special_period is None


def test_a_special_period_without_the_pattern_leaves_it_alone() -> None:
    madrasah_only = SpecialPeriod(
        "X", "Ujian", RAMADAN_MONDAY, RAMADAN_MONDAY, {"MADRASAH_5H": RAMADAN_HOURS["MADRASAH_5H"]}
    )
    result = schedule(RAMADAN_MONDAY, "KANTOR_5H", periods=[madrasah_only])
    assert result.special_period is None
    assert result.start == time(7, 30)


def test_the_most_recently_started_period_wins_when_periods_nest() -> None:
    emergency_week = {"KANTOR_5H": (DayHours(time(9), time(12)),) * 5 + (None, None)}
    emergency = SpecialPeriod(
        "DARURAT", "Banjir", date(2026, 3, 2), date(2026, 3, 6), emergency_week
    )
    for periods in ([RAMADAN, emergency], [emergency, RAMADAN]):
        assert schedule(date(2026, 3, 3), periods=periods).start == time(9)
        assert schedule(date(2026, 3, 9), periods=periods).start == time(8)


def test_a_patterns_former_week_yields_to_a_ramadan_that_started_before_it() -> None:
    # The office hours changed on 2 March, mid-Ramadan, and again later: the hours before the
    # second change are kept from 2 March on. They are the pattern's usual week, not a
    # circular of their own, so Ramadan still sets the hours of 3 March.
    usual = {"KANTOR_5H": DEFAULT_PATTERNS["KANTOR_5H"].days}
    former = SpecialPeriod(
        "SP9", "Jam KANTOR_5H", date(2026, 3, 2), date(2026, 3, 31), usual, former_week=True
    )
    for periods in ([RAMADAN, former], [former, RAMADAN]):
        assert schedule(date(2026, 3, 3), periods=periods).special_period is RAMADAN
        assert schedule(date(2026, 3, 23), periods=periods).special_period is former


def test_on_equal_starts_the_later_period_in_the_list_wins() -> None:
    other = SpecialPeriod(
        "B", "B", RAMADAN.start, RAMADAN.end, {"KANTOR_5H": DEFAULT_PATTERNS["KANTOR_5H"].days}
    )
    assert schedule(RAMADAN_MONDAY, periods=[RAMADAN, other]).special_period is other
    assert schedule(RAMADAN_MONDAY, periods=[other, RAMADAN]).special_period is RAMADAN


def test_a_holiday_inside_a_special_period_is_still_a_holiday() -> None:
    result = schedule(RAMADAN_MONDAY, periods=[RAMADAN], holidays={RAMADAN_MONDAY})
    assert not result.working


def test_the_schedule_book_computes_each_pattern_date_once() -> None:
    book = ScheduleBook(DEFAULT_PATTERNS, holidays={date(2024, 3, 11)}, special_periods=[RAMADAN])
    first = book.get("KANTOR_5H", MONDAY)
    assert book.get("KANTOR_5H", MONDAY) is first
    assert first == schedule(MONDAY)
    assert not book.get("MADRASAH_5H", date(2024, 3, 11)).working
    assert book.get("KANTOR_5H", RAMADAN_MONDAY).start == time(8)
    with pytest.raises(KeyError):
        book.get("UNKNOWN", MONDAY)
