"""Month tallies: a recap reads one stored row per employee-month, and gets the same answers as
if it had read every day — across month ends, and after the tallies are lost."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from hadir.org.models import Employee, Role
from hadir.recap import periods, services
from hadir.recap.models import EmployeeDay, EmployeeMonthTally, StaleTally
from hadir.recap.periods import period_close
from hadir.recap.services import days_refresh, days_refresh_many, tallies_settle
from hadir.schedules.services import holiday_year_ensure
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.presence.support import needs_concurrent_writers, run_together
from tests.recap.support import (
    Sleman,
    attend,
    dates,
    local,
    locks_held_at,
    person,
    punch,
    recap_json,
)

FEBRUARY = dates(date(2024, 2, 1), date(2024, 2, 29))
MARCH = dates(date(2024, 3, 1), date(2024, 3, 31))


def workdays(days: list[date]) -> list[date]:
    return [d for d in days if d.weekday() < 5 and d != date(2024, 2, 8)]  # Isra Mikraj


def test_a_tk_run_across_the_end_of_february_proposes_dismissal_in_march(sleman: Sleman) -> None:
    """Gita came every working day but none from Wednesday 21 February to Tuesday 5 March:
    seven TK days in February and three in March make ten in a row."""
    holiday_year_ensure(2024)
    gita = person(sleman.kua, "Gita Permata", start=date(2024, 2, 1))
    absent = set(dates(date(2024, 2, 21), date(2024, 3, 5)))
    came = [d for d in workdays(FEBRUARY + MARCH) if d not in absent and d != date(2024, 3, 11)]
    attend(gita, came, "07:25", "16:35")
    february = recap_json("2024-02")["Gita Permata"]["discipline"]
    march = recap_json("2024-03")["Gita Permata"]["discipline"]
    assert february["longest_absent_streak"] == 7
    assert february["sanction"] != "PEMBERHENTIAN"
    assert march["longest_absent_streak"] == 10
    assert march["year_absent_days"] == 10
    assert march["sanction"] == "PEMBERHENTIAN"


def test_a_tk_run_across_new_year_proposes_dismissal_and_a_december_day_later_found_ends_it(
    sleman: Sleman,
) -> None:
    """The rungs count a calendar year; the run of ten working days does not ("whatever the
    yearly total", DOMAIN.md §5). No punch from Wednesday 20 December 2023 to Friday 5 January
    2024: six working days in December (Christmas and its cuti bersama between) and four in
    January (New Year's Day between) are one run of ten. A machine log that later shows her at
    work on 22 December splits it, and January's standing follows."""
    holiday_year_ensure(2023)
    holiday_year_ensure(2024)
    gita = person(sleman.kua, "Gita Permata", start=date(2023, 12, 1))
    absent = set(dates(date(2023, 12, 20), date(2024, 1, 5)))
    holidays = {date(2023, 12, 25), date(2023, 12, 26), date(2024, 1, 1)}
    workdays_ = [
        d
        for d in dates(date(2023, 12, 1), date(2024, 1, 31))
        if d.weekday() < 5 and d not in holidays
    ]
    attend(gita, [d for d in workdays_ if d not in absent], "07:25", "16:35")
    december = recap_json("2023-12")["Gita Permata"]["discipline"]
    january = recap_json("2024-01")["Gita Permata"]["discipline"]
    assert december["longest_absent_streak"] == 6
    assert (january["longest_absent_streak"], january["sanction"]) == (10, "PEMBERHENTIAN")
    assert january["year_absent_days"] == 4  # the rungs still count January alone

    attend(gita, [date(2023, 12, 22)], "07:25", "16:35")
    days_refresh(employee=gita, dates=[date(2023, 12, 22)])  # as the machine log's import does
    january = recap_json("2024-01")["Gita Permata"]["discipline"]
    assert (january["longest_absent_streak"], january["sanction"]) == (7, "TEGURAN_TERTULIS")


def test_a_december_and_a_later_month_recounted_together_rewrite_january_too(
    sleman: Sleman,
) -> None:
    """A December rewritten rewrites the next year from January, even when that year's own
    recount starts later: a machine log carrying a day of 22 December and one of February,
    recounted together when February is read first, still splits January's run of ten."""
    holiday_year_ensure(2023)
    holiday_year_ensure(2024)
    gita = person(sleman.kua, "Gita Permata", start=date(2023, 12, 1))
    absent = set(dates(date(2023, 12, 20), date(2024, 1, 5)))
    holidays = {date(2023, 12, 25), date(2023, 12, 26), date(2024, 1, 1), date(2024, 2, 8),
                date(2024, 2, 9), date(2024, 2, 14)}  # fmt: skip
    workdays = [
        d
        for d in dates(date(2023, 12, 1), date(2024, 2, 29))
        if d.weekday() < 5 and d not in holidays
    ]
    attend(gita, [d for d in workdays if d not in absent], "07:25", "16:35")
    recap_json("2023-12")
    recap_json("2024-02")
    assert recap_json("2024-01")["Gita Permata"]["discipline"]["longest_absent_streak"] == 10

    attend(gita, [date(2023, 12, 22)], "07:25", "16:35")
    days_refresh(employee=gita, dates=[date(2023, 12, 22), date(2024, 2, 1)])
    recap_json("2024-02")  # settles both marked months in one recount

    january = recap_json("2024-01")["Gita Permata"]["discipline"]
    assert january["longest_absent_streak"] == 7


def test_lost_tallies_are_recounted_and_the_recap_does_not_change(
    march_people: dict[str, Employee],
) -> None:
    before = recap_json()
    EmployeeMonthTally.objects.all().delete()
    assert recap_json() == before
    assert EmployeeMonthTally.objects.filter(month=date(2024, 3, 1)).count() == len(march_people)


def test_a_refreshed_day_marks_its_month_and_the_next_recap_counts_it(sleman: Sleman) -> None:
    """A check-in stores its day at once but leaves the month's recount to the next reader."""
    hana = person(sleman.kua, "Hana Lestari")
    attend(hana, workdays(MARCH)[:3], "07:25", "16:35")
    wednesday = date(2024, 3, 6)
    before = recap_json()["Hana Lestari"]
    assert not StaleTally.objects.exists()

    punch(hana, wednesday, "07:45")
    punch(hana, wednesday, "16:35")
    days_refresh(employee=hana, dates=[wednesday])

    assert list(StaleTally.objects.values_list("employee_id", "month")) == [
        (hana.pk, date(2024, 3, 1))
    ]
    assert EmployeeDay.objects.get(employee=hana, date=wednesday).tl_minutes == 15
    after = recap_json()["Hana Lestari"]
    assert not StaleTally.objects.exists()
    assert after["absent_days"] == before["absent_days"] - 1
    assert after["late"]["minutes"] == before["late"]["minutes"] + 15


def test_re_evaluating_a_month_keeps_one_tally_per_employee_month(
    march_people: dict[str, Employee],
) -> None:
    people = list(march_people.values())
    recap_json()
    days_refresh_many(employees=people, start=date(2024, 3, 1), end=date(2024, 3, 31))
    days_refresh_many(employees=people, start=date(2024, 3, 10), end=date(2024, 3, 12))
    assert EmployeeMonthTally.objects.filter(month=date(2024, 3, 1)).count() == len(people)


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_of_one_month_leave_a_tally_that_counts_every_day(
    sleman: Sleman,
) -> None:
    """A check-in, a decided request and an import storing different days of Hana's March at
    the same instant: each recounts the month, and none may miss another's day (the suite's
    closing check compares every tally with a recount of the stored days)."""
    needs_concurrent_writers()
    hana = person(sleman.kua, "Hana Lestari")
    attend(hana, workdays(MARCH)[:12], "07:25", "16:35")
    days = workdays(MARCH)[:12]

    def refresh(index: int) -> int:
        employee = Employee.objects.select_related("unit__default_pattern", "pattern").get(
            pk=hana.pk
        )
        return len(days_refresh(employee=employee, dates=[days[index]]))

    assert run_together(len(days), refresh) == [1] * len(days)
    tallies_settle([hana.pk])
    tally = EmployeeMonthTally.objects.get(employee=hana, month=date(2024, 3, 1))
    assert tally.evaluated_mask.bit_count() == len(days)
    assert "TK" not in tally.tally["statuses"]  # every one of them came (Nyepi is LIBUR)
    assert sum(tally.tally["statuses"].values()) == len(days)


@pytest.mark.django_db(transaction=True)
def test_readers_settling_the_month_while_writers_store_its_days_lose_no_day(
    sleman: Sleman,
) -> None:
    """Twelve days of Hana's March stored at the same instant as four recap readers settle
    her month over and over: a reader may delete only marks whose days are committed, so once
    the writers are done, one more settle leaves a tally that counts all twelve."""
    needs_concurrent_writers()
    hana = person(sleman.kua, "Hana Lestari")
    days = workdays(MARCH)[:12]
    attend(hana, days, "07:25", "16:35")
    EmployeeDay.objects.filter(employee=hana).delete()
    EmployeeMonthTally.objects.filter(employee=hana).delete()
    StaleTally.objects.filter(employee=hana).delete()

    def write_or_settle(index: int) -> int:
        if index >= len(days):
            return sum(tallies_settle([hana.pk]) for _ in range(5))
        employee = Employee.objects.select_related("unit__default_pattern", "pattern").get(
            pk=hana.pk
        )
        return len(days_refresh(employee=employee, dates=[days[index]]))

    results = run_together(len(days) + 4, write_or_settle)

    assert results[: len(days)] == [1] * len(days)
    assert all(isinstance(settled, int) for settled in results[len(days) :]), results
    tallies_settle([hana.pk])
    tally = EmployeeMonthTally.objects.get(employee=hana, month=date(2024, 3, 1))
    assert tally.evaluated_mask.bit_count() == len(days)
    assert sum(tally.tally["statuses"].values()) == len(days)
    assert not StaleTally.objects.filter(employee=hana).exists()


@pytest.mark.django_db(transaction=True)
def test_a_slow_evaluation_that_read_the_punches_first_cannot_store_an_older_day_last(
    sleman: Sleman, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly run reads Hana's punches of Monday 4 March (none yet) and is slow to store
    its verdict; meanwhile a machine import adds her punches and refreshes the day. Whichever
    writer stores last, the stored day is the one with the punches."""
    needs_concurrent_writers()
    hana = person(sleman.kua, "Hana Lestari")
    monday = date(2024, 3, 4)
    read, resume = threading.Event(), threading.Event()
    read_punches = services._punches_for

    def slow_reader(*args: object) -> object:
        found = read_punches(*args)  # type: ignore[arg-type]
        read.set()
        resume.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_punches_for", slow_reader)

    def fresh() -> Employee:
        related = Employee.objects.select_related("unit__default_pattern", "pattern")
        return related.get(pk=hana.pk)

    def nightly_run() -> None:
        try:
            days_refresh_many(employees=[fresh()], start=monday, end=monday)
        finally:
            connection.close()

    def machine_import() -> None:
        try:
            punch(hana, monday, "07:25")
            punch(hana, monday, "16:35")
            days_refresh(employee=fresh(), dates=[monday])
        finally:
            connection.close()

    night = threading.Thread(target=nightly_run)
    night.start()
    assert read.wait(timeout=10)
    importer = threading.Thread(target=machine_import)
    importer.start()
    importer.join(timeout=1)  # it waits for the nightly run's lock (or, unlocked, is done)
    resume.set()
    night.join(timeout=20)
    importer.join(timeout=20)
    assert EmployeeDay.objects.get(employee=hana, date=monday).status == "H"


@pytest.mark.django_db(transaction=True)
def test_settling_a_kanwils_marked_months_holds_one_chunks_locks_at_a_time(
    sleman: Sleman, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a day of check-ins every employee of a Kanwil has a marked month; closing its
    period settles them all. One lock per employee in one transaction would overflow
    PostgreSQL's lock table (about 6,400 locks by default) and keep their check-ins waiting."""
    needs_concurrent_writers()
    staff = [person(sleman.kua, f"Pegawai {n}") for n in range(25)]
    for employee in staff:
        attend(employee, workdays(MARCH)[:1], "07:25", "16:35")
        days_refresh(employee=employee, dates=workdays(MARCH)[:1])
    assert StaleTally.objects.count() == 25
    held = locks_held_at(monkeypatch, services, "months_refresh")
    monkeypatch.setattr(services, "SETTLE_CHUNK", 10)

    assert tallies_settle(e.pk for e in staff) == 25
    assert held == [10, 10, 5]
    assert not StaleTally.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_closing_a_month_evaluates_its_missing_days_a_chunk_of_employees_per_transaction(
    sleman: Sleman, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly run missed March for a whole unit; closing March evaluates it. Inside the
    close's transaction every chunk would be a savepoint, all the unit's locks held to the end."""
    needs_concurrent_writers()
    for n in range(25):
        person(sleman.kua, f"Pegawai {n}")
    held = locks_held_at(monkeypatch, services, "_evaluate_batch")
    monkeypatch.setattr(periods, "ENSURE_CHUNK", 10)
    clock.set(local(date(2024, 4, 6), "08:00"))

    closed = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH[0]
    )

    assert held == [10, 10, 5]
    # 21 weekdays less Nyepi, its cuti bersama and Good Friday: all TK
    assert {row["absent_days"] for row in closed.snapshot} == {18}
