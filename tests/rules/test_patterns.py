"""The four work patterns of the circular (DOMAIN.md §3), checked weekday by weekday."""

from __future__ import annotations

from datetime import date, time

import pytest

from hadir.rules.explain import Invalid
from hadir.rules.patterns import (
    DEFAULT_PATTERNS,
    RAMADAN_HOURS,
    DayHours,
    SpecialPeriod,
    WorkPattern,
    minutes_of,
    time_of,
)

from .support import MONDAY, weekday

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
OFF = None

# (pattern, weekday) -> (start, end, break start, break end) or OFF, straight from DOMAIN.md §3.
TABLE: dict[str, dict[int, tuple[str, str, str | None, str | None] | None]] = {
    "KANTOR_5H": {
        **dict.fromkeys((MON, TUE, WED, THU), ("07:30", "16:00", "12:00", "13:00")),
        FRI: ("07:30", "16:30", "11:30", "13:00"),
        SAT: OFF,
        SUN: OFF,
    },
    "MADRASAH_5H": {
        **dict.fromkeys((MON, TUE, WED, THU), ("07:00", "15:30", "12:00", "13:00")),
        FRI: ("07:00", "16:00", "11:30", "13:00"),
        SAT: OFF,
        SUN: OFF,
    },
    "MADRASAH_6H_MINGGU": {
        **dict.fromkeys((MON, TUE, WED, THU), ("07:00", "14:30", None, None)),
        FRI: ("07:00", "11:30", None, None),
        SAT: ("07:00", "15:00", None, None),
        SUN: OFF,
    },
    "MADRASAH_6H_JUMAT": {
        **dict.fromkeys((MON, TUE, WED, THU), ("07:00", "14:30", None, None)),
        FRI: OFF,
        SAT: ("07:00", "14:30", None, None),
        SUN: ("07:00", "12:30", None, None),
    },
}

CASES = [(code, day, hours) for code, days in TABLE.items() for day, hours in days.items()]


def _t(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def test_there_are_exactly_the_four_patterns_of_the_circular() -> None:
    assert set(DEFAULT_PATTERNS) == set(TABLE)
    assert all(code == pattern.code for code, pattern in DEFAULT_PATTERNS.items())


@pytest.mark.parametrize(("code", "day", "expected"), CASES)
def test_each_pattern_has_the_circular_hours_on_each_weekday(
    code: str, day: int, expected: tuple[str, str, str | None, str | None] | None
) -> None:
    hours = DEFAULT_PATTERNS[code].hours_on(weekday(day))
    if expected is None:
        assert hours is None
    else:
        assert hours == DayHours(*(_t(part) for part in expected))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "flexible"),
    [
        ("KANTOR_5H", False),
        ("MADRASAH_5H", False),
        ("MADRASAH_6H_MINGGU", True),
        ("MADRASAH_6H_JUMAT", True),
    ],
)
def test_six_day_patterns_have_a_flexible_break(code: str, flexible: bool) -> None:
    assert DEFAULT_PATTERNS[code].flexible_break is flexible


def test_pattern_names_are_indonesian() -> None:
    assert DEFAULT_PATTERNS["KANTOR_5H"].name == "Kantor 5 hari kerja"
    assert all("hari kerja" in p.name for p in DEFAULT_PATTERNS.values())


@pytest.mark.parametrize("code", ["KANTOR_5H", "MADRASAH_5H"])
def test_five_day_patterns_work_37_and_a_half_hours_net_of_breaks(code: str) -> None:
    """The circular's 37.5 hours a week hold once the breaks are taken out."""
    total = 0
    for hours in DEFAULT_PATTERNS[code].days:
        if hours is not None:
            assert hours.break_start is not None
            assert hours.break_end is not None
            total += minutes_of(hours.end) - minutes_of(hours.start)
            total -= minutes_of(hours.break_end) - minutes_of(hours.break_start)
    assert total == 37 * 60 + 30


def test_ramadan_template_follows_the_sekjen_circular() -> None:
    kantor = RAMADAN_HOURS["KANTOR_5H"]
    assert kantor[MON] == DayHours(time(8), time(15))
    assert kantor[FRI] == DayHours(time(8), time(15, 30))
    assert kantor[SAT] is None
    assert RAMADAN_HOURS["MADRASAH_6H_MINGGU"][SAT] == DayHours(time(8), time(14))
    assert RAMADAN_HOURS["MADRASAH_6H_MINGGU"][SUN] is None
    assert RAMADAN_HOURS["MADRASAH_6H_JUMAT"][FRI] is None
    assert RAMADAN_HOURS["MADRASAH_6H_JUMAT"][SUN] == DayHours(time(8), time(14))


def test_minutes_and_times_convert_both_ways() -> None:
    assert minutes_of(time(11, 45)) == 705
    assert time_of(705) == time(11, 45)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((time(7, 30, 15), time(16)), "menit bulat"),
        ((time(16), time(7, 30)), "harus sebelum"),
        ((time(7), time(16), time(12), None), "istirahat harus punya"),
        ((time(7), time(16), time(6), time(7)), "di dalam jam kerja"),
        ((time(7), time(16), time(13), time(12)), "di dalam jam kerja"),
    ],
)
def test_impossible_day_hours_are_refused(args: tuple[time | None, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DayHours(*args)  # type: ignore[arg-type]


def test_impossible_hours_are_explained_in_english_too() -> None:
    with pytest.raises(Invalid) as caught:
        DayHours(time(7), time(16), time(13), time(12))
    assert caught.value.reason.text("en") == (
        "the break 13:00–12:00 must lie within the working hours 07:00–16:00"
    )
    with pytest.raises(Invalid) as caught:
        SpecialPeriod("R", "Ramadan", MONDAY, MONDAY, {"KANTOR_5H": (None,)})
    assert caught.value.reason.text("en") == (
        "period R, pattern KANTOR_5H: must have 7 days (Monday … Sunday), not 1"
    )


def test_a_pattern_must_cover_seven_days() -> None:
    with pytest.raises(ValueError, match="harus 7 hari"):
        WorkPattern("X", "x", (None,) * 6)


def test_a_special_period_must_end_after_it_starts_and_cover_whole_weeks() -> None:
    with pytest.raises(ValueError, match="sebelum tanggal mulai"):
        SpecialPeriod("R", "Ramadan", date(2026, 3, 20), date(2026, 2, 18))
    with pytest.raises(ValueError, match="harus 7 hari"):
        SpecialPeriod("R", "Ramadan", MONDAY, MONDAY, {"KANTOR_5H": (None,)})


def test_a_special_period_is_frozen_hashable_and_covers_its_end_date() -> None:
    hours = {"KANTOR_5H": RAMADAN_HOURS["KANTOR_5H"]}
    period = SpecialPeriod("R", "Ramadan", date(2026, 2, 18), date(2026, 3, 19), hours)
    hours.clear()  # the period keeps its own copy
    assert "KANTOR_5H" in period.hours
    assert period.covers(date(2026, 3, 19))
    assert not period.covers(date(2026, 3, 20))
    same = SpecialPeriod(
        "R",
        "Ramadan",
        date(2026, 2, 18),
        date(2026, 3, 19),
        {"KANTOR_5H": RAMADAN_HOURS["KANTOR_5H"]},
    )
    assert period == same
    assert hash(period) == hash(same)
    assert SpecialPeriod("E", "Darurat", MONDAY, MONDAY).hours == {}
