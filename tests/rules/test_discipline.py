"""The yearly discipline standing: days not at work, the PP 94/2021 ladder, the 10-day TK run."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hadir.rules.day import Absence, DayResult
from hadir.rules.discipline import (
    Threshold,
    TkRuns,
    TkStreaks,
    sanction_for,
    tk_runs,
    tk_streaks,
    year_summary,
)
from hadir.rules.policy import DEFAULT_POLICY

from .support import day_result, texts

JAN_1 = date(2024, 1, 1)  # a Monday


def dates(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def spell(plan: str, start: date = JAN_1, holidays: Iterable[date] = ()) -> list[DayResult]:
    """One result per character from ``start``: ``T`` no punch, ``H`` a clean day, ``P`` a day
    without check-out (225 minutes), ``C`` annual leave. Weekends come out ``LIBUR`` whatever
    the letter, so plans are written for working days and weekend letters are ``.``.
    """
    results = []
    for day, letter in zip(dates(start, len(plan)), plan, strict=True):
        punches = {"T": (), "H": ("07:30", "16:30"), "P": ("07:30",), "C": (), ".": ()}[letter]
        absences = [Absence("CT", day, day)] if letter == "C" else []
        results.append(day_result(*punches, day=day, absences=absences, holidays=set(holidays)))
    return results


def scattered_tk(count: int, late_days: int = 0) -> list[DayResult]:
    """``count`` TK days, never two working days in a row, then ``late_days`` days without a
    check-out (225 minutes each); weekends fall where the calendar puts them.
    """
    working = ["T", "H"] * count + ["P"] * late_days
    plan: list[str] = []
    day = JAN_1
    while working:
        plan.append(working.pop(0) if day.weekday() < 5 else ".")
        day += timedelta(days=1)
    return spell("".join(plan))


LADDER_EDGES = [
    (0, None),
    (2, None),
    (3, "TEGURAN_LISAN"),
    (4, "TEGURAN_TERTULIS"),
    (6, "TEGURAN_TERTULIS"),
    (7, "PERNYATAAN_TIDAK_PUAS"),
    (10, "PERNYATAAN_TIDAK_PUAS"),
    (11, "TUKIN_25_6"),
    (13, "TUKIN_25_6"),
    (14, "TUKIN_25_9"),
    (16, "TUKIN_25_9"),
    (17, "TUKIN_25_12"),
    (20, "TUKIN_25_12"),
    (21, "PENURUNAN_JABATAN"),
    (24, "PENURUNAN_JABATAN"),
    (25, "PEMBEBASAN_JABATAN"),
    (27, "PEMBEBASAN_JABATAN"),
    (28, "PEMBERHENTIAN"),
    (60, "PEMBERHENTIAN"),
]


@pytest.mark.parametrize(("days", "sanction"), LADDER_EDGES)
def test_the_ladder_boundaries_of_the_circular(days: int, sanction: str | None) -> None:
    found = sanction_for(days)
    assert (found.id if found else None) == sanction


@pytest.mark.parametrize(("days", "sanction"), LADDER_EDGES[:-1])
def test_scattered_tk_days_reach_the_same_sanction(days: int, sanction: str | None) -> None:
    results = scattered_tk(days)
    summary = year_summary(results)
    assert summary.tk_days == days
    assert summary.streaks.longest <= 1
    assert (summary.sanction.id if summary.sanction else None) == sanction
    assert not summary.by_streak


def test_lateness_counts_as_whole_days_of_450_minutes() -> None:
    two_halves = year_summary(scattered_tk(2, late_days=2))  # 2 TK + 2 × 225 minutes
    assert (two_halves.tk_days, two_halves.tl_psw_minutes, two_halves.days_absent) == (2, 450, 3)
    assert two_halves.sanction is not None
    assert two_halves.sanction.id == "TEGURAN_LISAN"
    one_half = year_summary(scattered_tk(2, late_days=1))
    assert (one_half.tl_psw_minutes, one_half.days_absent, one_half.sanction) == (225, 2, None)


def test_waived_minutes_do_not_count() -> None:
    from hadir.rules.day import Waiver

    day = JAN_1
    waived = day_result("07:30", day=day, waivers=[Waiver("IZIN", day, "SORE")])
    assert year_summary([waived]).tl_psw_minutes == 0


# --- the run of consecutive working days of TK ---


def test_nine_working_days_of_tk_across_a_weekend_is_not_yet_dismissal() -> None:
    summary = year_summary(spell("TTTTT..TTTT"))
    assert summary.streaks.longest == 9
    assert not summary.by_streak
    assert summary.sanction is not None
    assert summary.sanction.id == "PERNYATAAN_TIDAK_PUAS"
    assert summary.streak_threshold == Threshold("PEMBERHENTIAN", 1, streak=True)


def test_ten_working_days_of_tk_across_a_weekend_is_dismissal_whatever_the_total() -> None:
    summary = year_summary(spell("TTTTT..TTTTT"))
    assert summary.days_absent == 10
    assert summary.by_streak
    assert summary.sanction is not None
    assert summary.sanction.id == "PEMBERHENTIAN"
    assert (summary.next_threshold, summary.streak_threshold) == (None, None)


def test_a_holiday_inside_the_run_neither_breaks_nor_extends_it() -> None:
    holiday = date(2024, 1, 8)  # a Monday made a holiday
    nine = spell("TTTTT..TTTTT..", holidays={holiday})  # Mon–Fri, weekend, holiday, Tue–Fri
    assert tk_streaks(nine).longest == 9
    assert not year_summary(nine).by_streak
    ten = spell("TTTTT..TTTTT..T", holidays={holiday})  # … and the next Monday
    assert tk_streaks(ten).longest == 10
    assert year_summary(ten).by_streak


def test_any_other_status_on_a_working_day_breaks_the_run() -> None:
    for breaker in "HPC":
        results = spell(f"TTTTT..TTTT{breaker}..T")
        assert tk_streaks(results).longest == 9, breaker
        assert tk_streaks(results).current == 1


def test_a_date_missing_from_the_input_breaks_the_run() -> None:
    results = spell("TTTTT..TTTTT")
    del results[8]  # Tuesday of the second week was not evaluated
    assert tk_streaks(results).longest == 6


def test_the_run_does_not_depend_on_input_order() -> None:
    results = spell("TTTTT..TTTTTHT")
    shuffled = results[:]
    random.Random(7).shuffle(shuffled)
    assert tk_streaks(shuffled) == tk_streaks(results)
    assert year_summary(shuffled) == year_summary(results)


def test_two_results_for_one_date_are_refused() -> None:
    results = spell("TT")
    with pytest.raises(ValueError, match="dua hasil untuk tanggal 2024-01-02"):
        tk_streaks([*results, results[1]])


def test_a_policy_streak_length_is_honoured() -> None:
    from dataclasses import replace

    policy = replace(DEFAULT_POLICY, streak_days=5)
    assert year_summary(spell("TTTTT"), policy).by_streak


# --- warnings before each threshold ---


@pytest.mark.parametrize(
    ("days", "next_id", "left"),
    [
        (0, "TEGURAN_LISAN", 3),
        (2, "TEGURAN_LISAN", 1),
        (3, "TEGURAN_TERTULIS", 1),
        (5, "PERNYATAAN_TIDAK_PUAS", 2),
        (27, "PEMBERHENTIAN", 1),
    ],
)
def test_the_next_threshold_says_how_many_days_are_left(days: int, next_id: str, left: int) -> None:
    assert year_summary(scattered_tk(days)).next_threshold == Threshold(next_id, left)


def test_there_is_no_threshold_after_dismissal() -> None:
    assert year_summary(scattered_tk(28)).next_threshold is None


def test_the_warning_reads_in_both_languages() -> None:
    warning = Threshold("TEGURAN_TERTULIS", 1)
    assert warning.reason.text("id") == "1 hari lagi → teguran tertulis"
    assert warning.reason.text("en") == "1 more day → written reprimand"
    assert Threshold("TEGURAN_LISAN", 3).reason.text("en") == "3 more days → oral reprimand"
    streak = Threshold("PEMBERHENTIAN", 2, streak=True)
    assert streak.reason.text("id") == (
        "2 hari kerja TK berturut-turut lagi"
        " → pemberhentian dengan hormat tidak atas permintaan sendiri"
    )
    assert streak.reason.text("en") == (
        "2 more consecutive working days of TK → honourable dismissal not at own request"
    )


def test_a_year_explains_itself() -> None:
    assert texts(year_summary(scattered_tk(3))) == [
        "Hari tidak masuk kerja: 3 hari TK + ⌊0 menit TL/PSW ÷ 450⌋ = 3 hari",
        "TK berturut-turut terpanjang: 1 hari kerja",
        "Usulan hukuman disiplin: teguran lisan (TEGURAN_LISAN, tingkat ringan)",
        "1 hari lagi → teguran tertulis",
    ]
    assert texts(year_summary(scattered_tk(11)), "en")[2:4] == [
        "Proposed sanction: TUKIN cut (TUKIN_25_6, moderate)",
        "Additional TUKIN deduction of 25% a month for 6 months",
    ]
    assert texts(year_summary(scattered_tk(21)))[2:4] == [
        "Usulan hukuman disiplin: penurunan jabatan setingkat lebih rendah (PENURUNAN_JABATAN, tingkat berat)",
        "Berlaku 12 bulan",
    ]
    assert texts(year_summary(spell("TTTTT..TTTTT")), "en")[1:] == [
        "Longest run of TK: 10 working days",
        "10 consecutive working days of TK (limit 10): honourable dismissal not at own request (PEMBERHENTIAN)",
    ]
    assert texts(year_summary([]), "en") == [
        "Days not at work: 0 TK days + ⌊0 minutes late/early ÷ 450⌋ = 0",
        "No sanction",
        "3 more days → oral reprimand",
    ]


@dataclass(frozen=True)
class Fact:
    """Just the fields a TK run reads."""

    day: date
    working: bool
    status: str
    tl_minutes: int = 0
    psw_minutes: int = 0
    tl_class: int = 0
    psw_class: int = 0
    meal: bool = False


facts_st = st.lists(
    st.tuples(st.booleans(), st.sampled_from(["TK", "TK", "H", "CT"]), st.integers(0, 9)),
    max_size=120,
)


def as_facts(plan: list[tuple[bool, str, int]]) -> list[Fact]:
    """One fact per plan entry from JAN_1; an entry drawn 0 of 0–9 is a missing date."""
    return [
        Fact(day, working, status)
        for day, (working, status, roll) in zip(dates(JAN_1, len(plan)), plan, strict=True)
        if roll
    ]


def by_month(facts: list[Fact]) -> list[list[Fact]]:
    months: dict[int, list[Fact]] = {}
    for fact in facts:
        months.setdefault(fact.day.month, []).append(fact)
    return list(months.values())


@settings(max_examples=300)
@given(facts_st)
def test_months_joined_give_the_runs_of_the_whole_stretch(
    plan: list[tuple[bool, str, int]],
) -> None:
    facts = as_facts(plan)
    joined = TkRuns()
    for month in by_month(facts):
        joined = joined.then(tk_runs(month))
    assert joined.streaks == tk_streaks(facts)
    assert joined == tk_runs(facts)


def test_a_run_carries_over_the_end_of_the_month() -> None:
    january = tk_runs(spell("TTTTT..TTTTT..TTTTT..TTTTT..TTT", start=JAN_1))
    february = tk_runs(spell("TT..HT", start=date(2024, 2, 1)))  # Thursday to Tuesday
    assert (january.head, january.tail, january.broken) == (23, 23, False)
    assert (february.head, february.longest, february.tail) == (2, 2, 1)
    assert january.then(february).streaks == TkStreaks(longest=25, current=1)


def test_a_month_not_evaluated_between_breaks_the_run() -> None:
    january = tk_runs(spell("TTTTT..TTTTT..TTTTT..TTTTT..TTT", start=JAN_1))
    march = tk_runs(spell("T..TTT", start=date(2024, 3, 1)))  # Friday to Wednesday
    assert january.then(march).streaks == TkStreaks(longest=23, current=4)
    assert TkRuns().then(march) == march
    assert march.then(TkRuns()) == march


def test_overlapping_stretches_cannot_be_joined() -> None:
    january = tk_runs(spell("TTT"))
    with pytest.raises(ValueError, match="tumpang tindih pada 2024-01-01"):
        january.then(january)


def test_only_the_run_open_at_the_end_of_a_year_goes_on_into_the_next() -> None:
    december = TkRuns(date(2023, 12, 1), date(2023, 12, 31), head=2, longest=8, tail=6, broken=True)
    january = TkRuns(date(2024, 1, 1), date(2024, 1, 31), head=4, longest=4, tail=0, broken=True)
    present_on_the_2nd = TkRuns(date(2024, 1, 1), date(2024, 1, 31), 0, 1, 1, True)

    assert december.carried().then(january).longest == 10
    assert december.carried().then(present_on_the_2nd).streaks == TkStreaks(1, 1)
    assert TkRuns(date(2023, 12, 1), date(2023, 12, 31), 0, 3, 0, True).carried() == TkRuns()
