"""Properties that must hold for any input, not just the rows of the tables (Hypothesis).

"Worse" for a day means any of: a higher TUKIN percentage, more minutes towards the yearly count
of days not at work (a TK day weighs a whole day), or losing the meal allowance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hadir.rules.day import Absence, DayResult, Waiver, evaluate_day
from hadir.rules.discipline import year_summary
from hadir.rules.month import day_deduction, month_summary
from hadir.rules.patterns import DEFAULT_PATTERNS
from hadir.rules.policy import ABSENCE_CODES, DEFAULT_POLICY, SANCTION_IDS
from hadir.rules.schedule import Schedule, schedule_for

from .support import WIB, WIT, WITA

ZONES = [WIB, WITA, WIT]
START = date(2024, 3, 1)

days_st = st.integers(0, 27).map(lambda n: START + timedelta(days=n))
codes_st = st.sampled_from(sorted(DEFAULT_PATTERNS))
zones_st = st.sampled_from(ZONES)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    day = draw(days_st)
    holidays = {day} if draw(st.booleans()) and draw(st.booleans()) else set()
    return schedule_for(day, DEFAULT_PATTERNS[draw(codes_st)], holidays=holidays)


@st.composite
def punches_on(draw: st.DrawFn, day: date) -> datetime:
    """A punch around ``day`` in any of the three zones (seconds included, edges likely)."""
    zone = draw(zones_st)
    minute = draw(st.one_of(st.integers(-120, 25 * 60), st.sampled_from([359, 360, 1259, 1260])))
    second = draw(st.sampled_from([0, 59]) | st.integers(0, 59))
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    return midnight + timedelta(minutes=minute, seconds=second)


@st.composite
def days_with_punches(draw: st.DrawFn) -> tuple[Schedule, list[datetime]]:
    sched = draw(schedules())
    punches = draw(st.lists(punches_on(sched.day), max_size=6))
    return sched, punches


waiver_st = st.builds(
    Waiver,
    kind=st.sampled_from(["TUGAS_LUAR", "SISTEM_ERROR", "IZIN"]),
    day=st.just(START),
    session=st.sampled_from(["PAGI", "SORE", "PAGI_SORE"]),
)


def cost(result: DayResult) -> tuple[Decimal, int, bool]:
    """Deduction, minutes towards days not at work, and whether the meal is lost."""
    minutes = (
        DEFAULT_POLICY.day_minutes
        if result.status == "TK"
        else result.tl_minutes + result.psw_minutes
    )
    return day_deduction(result), minutes, not result.meal


def no_worse(after: DayResult, before: DayResult) -> bool:
    a, b = cost(after), cost(before)
    return a[0] <= b[0] and a[1] <= b[1] and a[2] <= b[2]


@given(days_with_punches(), zones_st)
def test_minutes_are_never_negative_nor_above_the_cap(
    case: tuple[Schedule, list[datetime]], tz: object
) -> None:
    sched, punches = case
    result = evaluate_day(sched, punches, tz=tz)  # type: ignore[arg-type]
    for minutes, cls in (
        (result.tl_minutes, result.tl_class),
        (result.psw_minutes, result.psw_class),
    ):
        assert 0 <= minutes <= DEFAULT_POLICY.cap_minutes
        assert cls == DEFAULT_POLICY.class_of(minutes) or (
            cls == 4 and minutes == DEFAULT_POLICY.missing_minutes
        )


@given(days_with_punches(), zones_st, st.data())
def test_adding_a_punch_never_makes_a_day_worse(
    case: tuple[Schedule, list[datetime]], tz: object, data: st.DataObject
) -> None:
    sched, punches = case
    extra = data.draw(punches_on(sched.day))
    before = evaluate_day(sched, punches, tz=tz)  # type: ignore[arg-type]
    after = evaluate_day(sched, [*punches, extra], tz=tz)  # type: ignore[arg-type]
    assert no_worse(after, before)


@given(days_with_punches(), st.lists(waiver_st, min_size=1, max_size=3))
def test_waivers_never_make_a_day_worse(
    case: tuple[Schedule, list[datetime]], waivers: list[Waiver]
) -> None:
    sched, punches = case
    on_the_day = [replace(w, day=sched.day) for w in waivers]
    before = evaluate_day(sched, punches, tz=WIB)
    after = evaluate_day(sched, punches, tz=WIB, waivers=on_the_day)
    assert no_worse(after, before)


@given(days_with_punches(), zones_st, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_punch_order(
    case: tuple[Schedule, list[datetime]], tz: object, rnd: object
) -> None:
    sched, punches = case
    shuffled = punches[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate_day(sched, shuffled, tz=tz) == evaluate_day(sched, punches, tz=tz)  # type: ignore[arg-type]


@given(st.lists(waiver_st, max_size=4), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_excuse_order(waivers: list[Waiver], rnd: object) -> None:
    sched = schedule_for(START, DEFAULT_PATTERNS["KANTOR_5H"])
    shuffled = waivers[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate_day(sched, [], tz=WIB, waivers=shuffled) == evaluate_day(
        sched, [], tz=WIB, waivers=waivers
    )


@st.composite
def months(draw: st.DrawFn) -> list[DayResult]:
    results = []
    for offset in range(draw(st.integers(0, 31))):
        day = START + timedelta(days=offset)
        sched = schedule_for(day, DEFAULT_PATTERNS[draw(codes_st)])
        absences = []
        if draw(st.integers(0, 9)) == 0:
            absences = [Absence(draw(st.sampled_from(ABSENCE_CODES)), day, day)]
        punches = draw(st.lists(punches_on(day), max_size=3))
        results.append(evaluate_day(sched, punches, tz=WIB, absences=absences))
    return results


@settings(max_examples=60)
@given(
    months(),
    st.sampled_from(["I/a", "III/b", "IV/e", "IX"]),
    st.none() | st.sampled_from(SANCTION_IDS),
)
def test_the_monthly_deduction_stays_within_0_and_100_percent(
    days: list[DayResult], golongan: str, sanction: str | None
) -> None:
    summary = month_summary(days, golongan, sanction_in_force=sanction)
    assert 0 <= summary.deduction_pct <= 100
    assert summary.deduction_pct == summary.deduction_pct.quantize(Decimal("0.01"))
    assert 0 <= summary.meal.net <= summary.meal.gross


@settings(max_examples=60)
@given(months())
def test_days_not_at_work_never_exceed_the_working_days(days: list[DayResult]) -> None:
    """A day cannot count more than once: TK is one day, and each side is capped at half a day."""
    summary = year_summary(days)
    assert summary.days_absent <= sum(1 for d in days if d.working)
    assert summary.streaks.longest <= summary.tk_days


@given(days_with_punches(), zones_st, st.lists(waiver_st, max_size=2), st.data())
def test_results_with_equal_explanation_keys_explain_themselves_equally(
    case: tuple[Schedule, list[datetime]], tz: object, waivers: list[Waiver], data: st.DataObject
) -> None:
    """The key leaves out seconds (and the employee); nothing it leaves out may change a reason."""
    sched, punches = case
    moved = [p.replace(second=data.draw(st.integers(0, 59))) for p in punches]
    first = evaluate_day(sched, punches, tz=tz, waivers=waivers)  # type: ignore[arg-type]
    second = evaluate_day(sched, moved, tz=tz, waivers=waivers)  # type: ignore[arg-type]
    assume(first.explanation_key == second.explanation_key)
    assert first.reasons == second.reasons


@given(days_with_punches(), zones_st, st.lists(waiver_st, max_size=2), st.integers(1, 8))
def test_results_with_equal_explanation_keys_weeks_apart_explain_themselves_equally(
    case: tuple[Schedule, list[datetime]], tz: object, waivers: list[Waiver], weeks: int
) -> None:
    """The key leaves out the date of an ordinary working day; no reason may name it then."""
    sched, punches = case
    later = timedelta(weeks=weeks)
    moved = replace(sched, day=sched.day + later)
    first = evaluate_day(sched, punches, tz=tz, waivers=waivers)  # type: ignore[arg-type]
    second = evaluate_day(moved, [p + later for p in punches], tz=tz, waivers=waivers)  # type: ignore[arg-type]
    assume(first.explanation_key == second.explanation_key)
    assert first.reasons == second.reasons


def test_an_ordinary_working_day_has_the_same_explanation_key_a_week_later() -> None:
    """So a month's evaluation encodes each timetable-and-times explanation once, not daily."""
    monday = date(2024, 3, 4)
    pattern = DEFAULT_PATTERNS["KANTOR_5H"]

    def day(on: date) -> DayResult:
        punches = [datetime.combine(on, t, tzinfo=WIB) for t in (time(7, 41), time(16, 5))]
        return evaluate_day(schedule_for(on, pattern), punches, tz=WIB)

    assert day(monday).explanation_key == day(monday + timedelta(weeks=1)).explanation_key
