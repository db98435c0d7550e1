"""The seeded work patterns and the dated policy values."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hadir.rules.policy import DEFAULT_POLICY, policy_to_values
from hadir.schedules.models import (
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
    WorkPattern,
)
from hadir.schedules.selectors import policy_as_of, special_periods_for, work_patterns
from tests.conftest import Org

DEFAULT_POLICY_VALUES = policy_to_values(DEFAULT_POLICY)

PATTERN_CODES = {"KANTOR_5H", "MADRASAH_5H", "MADRASAH_6H_MINGGU", "MADRASAH_6H_JUMAT"}
MON, FRI, SAT, SUN = 0, 4, 5, 6


def hours(code: str, weekday: int) -> tuple[time, time] | None:
    row = PatternDay.objects.filter(pattern__code=code, weekday=weekday).first()
    return None if row is None else (row.start, row.end)


def test_the_migrations_seed_exactly_the_four_patterns_of_the_circular(db: None) -> None:
    assert set(WorkPattern.objects.values_list("code", flat=True)) == PATTERN_CODES


@pytest.mark.parametrize(
    ("code", "weekday", "expected"),
    [
        ("KANTOR_5H", MON, (time(7, 30), time(16, 0))),
        ("KANTOR_5H", FRI, (time(7, 30), time(16, 30))),
        ("KANTOR_5H", SAT, None),
        ("KANTOR_5H", SUN, None),
        ("MADRASAH_5H", MON, (time(7, 0), time(15, 30))),
        ("MADRASAH_5H", FRI, (time(7, 0), time(16, 0))),
        ("MADRASAH_5H", SAT, None),
        ("MADRASAH_6H_MINGGU", MON, (time(7, 0), time(14, 30))),
        ("MADRASAH_6H_MINGGU", FRI, (time(7, 0), time(11, 30))),
        ("MADRASAH_6H_MINGGU", SAT, (time(7, 0), time(15, 0))),
        ("MADRASAH_6H_MINGGU", SUN, None),
        ("MADRASAH_6H_JUMAT", MON, (time(7, 0), time(14, 30))),
        ("MADRASAH_6H_JUMAT", FRI, None),
        ("MADRASAH_6H_JUMAT", SAT, (time(7, 0), time(14, 30))),
        ("MADRASAH_6H_JUMAT", SUN, (time(7, 0), time(12, 30))),
    ],
)
def test_seeded_patterns_have_the_hours_of_the_circular(
    db: None, code: str, weekday: int, expected: tuple[time, time] | None
) -> None:
    assert hours(code, weekday) == expected


def test_office_breaks_are_fixed_and_six_day_breaks_flexible(db: None) -> None:
    friday = PatternDay.objects.get(pattern__code="KANTOR_5H", weekday=FRI)
    assert (friday.break_start, friday.break_end) == (time(11, 30), time(13, 0))
    assert not WorkPattern.objects.get(code="KANTOR_5H").flexible_break
    assert WorkPattern.objects.get(code="MADRASAH_6H_JUMAT").flexible_break


def test_work_patterns_converts_rows_to_the_rules_library(db: None) -> None:
    patterns = work_patterns()
    assert set(patterns) == PATTERN_CODES
    kantor = patterns["KANTOR_5H"]
    assert kantor.hours_on(date(2026, 8, 21)).end == time(16, 30)  # type: ignore[union-attr]
    assert kantor.hours_on(date(2026, 8, 22)) is None
    assert kantor.days[MON].break_start == time(12, 0)  # type: ignore[union-attr]
    assert patterns["MADRASAH_6H_JUMAT"].flexible_break


def test_work_patterns_follow_an_operators_edit(db: None) -> None:
    PatternDay.objects.filter(pattern__code="KANTOR_5H", weekday=MON).update(start=time(8, 0))
    PatternDay.objects.filter(pattern__code="KANTOR_5H", weekday=FRI).delete()
    kantor = work_patterns()["KANTOR_5H"]
    assert kantor.days[MON].start == time(8, 0)  # type: ignore[union-attr]
    assert kantor.days[FRI] is None


def test_policy_as_of_takes_the_latest_value_effective_on_that_day(db: None) -> None:
    PolicyValue.objects.create(key="tukin.tk_day", effective_from=date(2025, 1, 1), value="4")
    PolicyValue.objects.create(key="tukin.tk_day", effective_from=date(2026, 1, 1), value="5")
    assert policy_as_of(date(2024, 12, 31)).tk_day_pct == Decimal("3")
    assert policy_as_of(date(2025, 1, 1)).tk_day_pct == Decimal("4")
    assert policy_as_of(date(2025, 12, 31)).tk_day_pct == Decimal("4")
    assert policy_as_of(date(2026, 6, 1)).tk_day_pct == Decimal("5")
    assert policy_as_of(date(2026, 6, 1)).day_minutes == 450


def test_policy_before_any_value_falls_back_to_the_default(db: None) -> None:
    assert policy_as_of(date(2020, 1, 1)) == DEFAULT_POLICY
    PolicyValue.objects.all().delete()
    assert policy_as_of(date(2026, 1, 1)) == DEFAULT_POLICY


def test_seeded_policy_equals_the_library_default(db: None) -> None:
    assert policy_as_of(date(2024, 3, 1)) == DEFAULT_POLICY


def test_a_bad_policy_value_is_refused_naming_its_key(db: None) -> None:
    value = PolicyValue(key="meal.rate.III", effective_from=date(2026, 1, 1), value="banyak")
    with pytest.raises(ValidationError) as refused:
        value.full_clean()
    assert "meal.rate.III" in refused.value.message_dict["value"][0]


def test_an_unknown_policy_key_is_refused(db: None) -> None:
    value = PolicyValue(key="tukin.bonus", effective_from=date(2026, 1, 1), value="1")
    with pytest.raises(ValidationError) as refused:
        value.full_clean()
    assert "tukin.bonus" in refused.value.message_dict["value"][0]


def test_a_bad_policy_value_is_refused_in_the_language_of_the_page(db: None) -> None:
    value = PolicyValue(key="day.minutes", effective_from=date(2026, 1, 1), value="7,5")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        value.full_clean()
    assert refused.value.message_dict["value"] == [
        "day.minutes: '7,5' is not a whole number (e.g. 450)"
    ]


def test_hours_a_pattern_cannot_take_are_refused_in_the_language_of_the_page(db: None) -> None:
    day = PatternDay(
        pattern=WorkPattern.objects.get(code="KANTOR_5H"), weekday=SAT, start=time(15), end=time(8)
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        day.full_clean()
    assert refused.value.message_dict == {"end": ["the start 15:00 must come before the end 08:00"]}


def test_a_special_period_ending_before_it_starts_is_refused_in_words(db: None) -> None:
    period = SpecialPeriod(name="Ramadan", start=date(2026, 3, 19), end=date(2026, 2, 18))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        period.full_clean()
    assert refused.value.messages == ["The end date comes before the start date."]


def test_a_good_policy_value_passes(db: None) -> None:
    PolicyValue(key="meal.rate.III", effective_from=date(2026, 1, 1), value="38000").full_clean()


@pytest.mark.parametrize(
    "key", ["meal.rate.III", "meal.tax.IV", "tukin.tk_day", "tukin.cap", "discipline.streak_days"]
)
def test_a_monthly_figure_takes_effect_only_from_the_first_of_a_month(db: None, key: str) -> None:
    """A month's recap applies its TUKIN percentages, meal rates and discipline ladder once:
    a rate from the 18th would price the whole month at it."""
    value = DEFAULT_POLICY_VALUES[key]
    with pytest.raises(ValidationError) as refused:
        PolicyValue(key=key, effective_from=date(2024, 3, 18), value=value).full_clean()
    assert refused.value.message_dict["effective_from"] == [
        f"{key} dipakai untuk rekap sebulan penuh: berlaku mulai tanggal 1 suatu bulan"
        " (01-03-2024 atau 01-04-2024)."
    ]
    PolicyValue(key=key, effective_from=date(2024, 4, 1), value=value).full_clean()


def test_a_daily_figure_may_take_effect_on_any_day(db: None) -> None:
    PolicyValue(key="window.end", effective_from=date(2024, 3, 18), value="20:00").full_clean()
    PolicyValue(key="class.bounds", effective_from=date(2024, 3, 18), value="30,60,90").full_clean()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ((time(15, 0), time(8, 0), None, None), "jam mulai 15:00 harus sebelum jam selesai 08:00"),
        (
            (time(7, 30), time(16, 0), time(12, 0), None),
            "istirahat harus punya jam mulai dan jam selesai, atau tidak sama sekali",
        ),
        (
            (time(7, 30), time(16, 0), time(17, 0), time(18, 0)),
            "istirahat 17:00–18:00 harus di dalam",
        ),
    ],
)
def test_hours_the_rules_cannot_read_are_refused_for_a_pattern_and_a_special_period(
    db: None, hours: tuple[time, time, time | None, time | None], message: str
) -> None:
    """Saved, they would make every schedule of the pattern (or of the period's dates) fail."""
    start, end, break_start, break_end = hours
    pattern = WorkPattern.objects.get(code="KANTOR_5H")
    period = SpecialPeriod.objects.create(
        name="Ramadan", start=date(2026, 2, 18), end=date(2026, 3, 19)
    )
    for day in (
        PatternDay(pattern=pattern, weekday=SAT, start=start, end=end),
        SpecialPeriodDay(period=period, pattern=pattern, weekday=MON, start=start, end=end),
    ):
        day.break_start, day.break_end = break_start, break_end
        with pytest.raises(ValidationError) as refused:
            day.full_clean()
        assert refused.value.messages[0].startswith(message)


def test_special_periods_of_a_parent_unit_apply_to_its_children_only(org: Org) -> None:
    ramadan = SpecialPeriod.objects.create(
        name="Ramadan", start=date(2026, 2, 18), end=date(2026, 3, 19), all_units=False
    )
    ramadan.units.add(org.kab_a)
    SpecialPeriodDay.objects.create(
        period=ramadan,
        pattern=WorkPattern.objects.get(code="KANTOR_5H"),
        weekday=MON,
        start=time(8, 0),
        end=time(15, 0),
    )
    [period] = special_periods_for(org.kua_a, date(2026, 3, 1), date(2026, 3, 31))
    assert period.hours["KANTOR_5H"][MON].start == time(8, 0)  # type: ignore[union-attr]
    assert period.hours["KANTOR_5H"][FRI] is None
    assert special_periods_for(org.kua_b, date(2026, 3, 1), date(2026, 3, 31)) == []
    assert special_periods_for(org.kua_a, date(2026, 4, 1), date(2026, 4, 30)) == []


def test_special_periods_for_all_units_apply_everywhere(org: Org) -> None:
    SpecialPeriod.objects.create(name="Darurat", start=date(2026, 1, 5), end=date(2026, 1, 9))
    assert [
        p.name for p in special_periods_for(org.kua_b, date(2026, 1, 1), date(2026, 1, 31))
    ] == ["Darurat"]
