"""Benchmark: employee-days evaluated per second by the rules library, in one process.

Why: month-end recomputation evaluates every employee-day of a Kankemenag (thousands of
employees × ~30 days) and an approval re-evaluates days at once; the target is at least
150,000 employee-days per second on a 2-core machine, so a month of 10,000 employees takes
about two seconds of rule work.

The data are synthetic but shaped like a real month: the four patterns, three time zones,
weekends and a holiday, mostly punctual days, some late or early, missing punches, duplicate
punches, punches outside the window, session waivers and multi-day absences. Generating them is
not timed; evaluating them (``evaluate_day`` with schedules from a ``ScheduleBook``) is. A second
figure includes rendering every day's explanation, which the app only does when a day is shown.

Run: ``.venv/bin/python bench/rules_bench.py [--employees N] [--days D] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hadir.rules.day import Absence, DayResult, Waiver, evaluate_day
from hadir.rules.month import month_summary
from hadir.rules.patterns import DEFAULT_PATTERNS
from hadir.rules.policy import DEFAULT_POLICY
from hadir.rules.schedule import Schedule, ScheduleBook

ZONES = (
    [ZoneInfo("Asia/Jakarta")] * 6 + [ZoneInfo("Asia/Makassar")] * 3 + [ZoneInfo("Asia/Jayapura")]
)
PATTERN_MIX = ["KANTOR_5H"] * 4 + ["MADRASAH_5H"] * 4 + ["MADRASAH_6H_MINGGU", "MADRASAH_6H_JUMAT"]
FIRST_DAY = date(2024, 3, 1)
HOLIDAYS = frozenset({date(2024, 3, 11), date(2024, 3, 29)})  # Nyepi, Good Friday


@dataclass(frozen=True, slots=True)
class Case:
    """One employee-day's input, as the Django side would hand it over."""

    schedule: Schedule
    punches: tuple[datetime, ...]
    tz: tzinfo
    absences: tuple[Absence, ...]
    waivers: tuple[Waiver, ...]
    golongan: str


def _at(day: date, minute: int, tz: tzinfo, rnd: random.Random) -> datetime:
    base = datetime(day.year, day.month, day.day, tzinfo=tz)
    return base + timedelta(minutes=minute, seconds=rnd.randrange(60))


def _punches(sched: Schedule, tz: tzinfo, rnd: random.Random) -> tuple[datetime, ...]:
    day, start, end = sched.day, sched.start_min, sched.end_min
    if not sched.working:
        return tuple(
            _at(day, 8 * 60 + rnd.randrange(300), tz, rnd) for _ in range(rnd.choice((0, 0, 0, 2)))
        )
    roll = rnd.random()
    if roll < 0.03:  # TK
        return ()
    datang = start - rnd.randrange(1, 40)
    pulang = end + rnd.randrange(0, 60)
    if roll < 0.18:  # late
        datang = start + rnd.choice(
            (rnd.randrange(1, 31), rnd.randrange(31, 120), rnd.randrange(120, 300))
        )
    elif roll < 0.24:  # early leave
        pulang = end - rnd.randrange(1, 200)
    punches = [_at(day, datang, tz, rnd), _at(day, pulang, tz, rnd)]
    if roll > 0.97:  # forgot one side
        punches.pop(rnd.randrange(2))
    elif roll > 0.93:  # double tap
        punches.append(punches[0] + timedelta(seconds=5))
    elif roll > 0.91:  # a stray punch before the window
        punches.append(_at(day, 5 * 60 + 30, tz, rnd))
    rnd.shuffle(punches)
    return tuple(punches)


def build(employees: int, days: int, seed: int = 2024) -> tuple[list[Case], ScheduleBook]:
    """Synthetic employee-days; every employee keeps one pattern, zone and golongan."""
    rnd = random.Random(seed)
    book = ScheduleBook(DEFAULT_PATTERNS, holidays=HOLIDAYS)
    dates = [FIRST_DAY + timedelta(days=n) for n in range(days)]
    cases: list[Case] = []
    for _ in range(employees):
        code, tz = rnd.choice(PATTERN_MIX), rnd.choice(ZONES)
        golongan = rnd.choice(("II/c", "III/a", "III/d", "IV/b", "V", "IX", "XIII"))
        absences: tuple[Absence, ...] = ()
        if rnd.random() < 0.15:
            first = rnd.choice(dates)
            absences = (
                Absence(
                    rnd.choice(("CT", "DL", "CS", "TB")),
                    first,
                    first + timedelta(days=rnd.randrange(1, 6)),
                ),
            )
        for day in dates:
            sched = book.get(code, day)
            waivers: tuple[Waiver, ...] = ()
            if sched.working and rnd.random() < 0.03:
                waivers = (
                    Waiver(
                        rnd.choice(("TUGAS_LUAR", "SISTEM_ERROR", "IZIN")),
                        day,
                        rnd.choice(("PAGI", "SORE", "PAGI_SORE")),
                    ),
                )
            cases.append(Case(sched, _punches(sched, tz, rnd), tz, absences, waivers, golongan))
    return cases, book


def evaluate_all(cases: list[Case]) -> list[DayResult]:
    """The timed loop: exactly what a recomputation does per employee-day."""
    policy = DEFAULT_POLICY
    return [
        evaluate_day(
            c.schedule, c.punches, tz=c.tz, absences=c.absences, waivers=c.waivers, policy=policy
        )
        for c in cases
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    cases, _ = build(args.employees, args.days)
    n = len(cases)
    best = float("inf")
    results: list[DayResult] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        results = evaluate_all(cases)
        best = min(best, time.perf_counter() - started)

    working = [c for c in cases if c.schedule.working]
    best_working = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        evaluate_all(working)
        best_working = min(best_working, time.perf_counter() - started)

    started = time.perf_counter()
    for result in results:
        for reason in result.reasons:
            reason.text("id")
    explain_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for offset in range(0, n, args.days):
        month_summary(results[offset : offset + args.days], cases[offset].golongan)
    month_seconds = time.perf_counter() - started

    statuses = Counter(r.status for r in results)
    print(
        f"machine: {os.cpu_count()} CPU(s), {platform.machine()}, {platform.system()} {platform.release()}"
    )
    print(f"python:  {platform.python_implementation()} {platform.python_version()}")
    print(f"data:    {args.employees} employees × {args.days} days = {n:,} employee-days")
    print(f"mix:     {', '.join(f'{s} {c / n:.1%}' for s, c in statuses.most_common())}")
    print(
        f"evaluate_day:            {n / best:>12,.0f} employee-days/s  (best of {args.repeat}, {best:.3f} s)"
    )
    print(f"  working days only:     {len(working) / best_working:>12,.0f} employee-days/s")
    print(f"evaluate + explain (id): {n / (best + explain_seconds):>12,.0f} employee-days/s")
    print(f"month_summary:           {args.employees / month_seconds:>12,.0f} employee-months/s")
    target = 150_000
    verdict = "meets" if n / best >= target else "MISSES"
    print(f"target:  {target:,} employee-days/s in one process: {verdict}")


if __name__ == "__main__":
    main()
