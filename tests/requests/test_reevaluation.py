"""Deciding or withdrawing a request re-evaluates exactly the days it covers, at once.

Stored employee-days are what recaps read. Approving a Sistem Error for a morning without a
datang turns that day from TL4 (225 minutes) into a day without TL, in the same transaction;
every other stored day keeps its values and its ``evaluated_at``.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_ensure
from hadir.requests.services import request_withdraw
from tests.clock import Clock
from tests.requests.support import (
    FRIDAY,
    MONDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    account,
    approve,
    client_for,
    file_request,
    local,
    materialise,
    punch,
    reject,
    stored_days,
)

FRIDAY_BEFORE = date(2024, 3, 1)
WEEK = [FRIDAY_BEFORE, MONDAY, TUESDAY, WEDNESDAY]
LIVED = [FRIDAY_BEFORE, MONDAY, TUESDAY]
"""The days of :data:`WEEK` that are over at 10:00 on Wednesday: those stored."""


def snapshot(employee: Employee) -> dict[date, dict[str, Any]]:
    """Every stored day of the employee, every column."""
    return {
        row["date"]: dict(row)
        for row in EmployeeDay.objects.filter(employee=employee).values().order_by("date")
    }


@pytest.fixture
def week(siti: Employee) -> dict[date, EmployeeDay]:
    """Siti's days so far, stored as check-ins left them.

    Fri 1 March 07:45–16:30 (TL1); Mon 4 only a pulang at 16:05 (no datang: TL4, 225 min);
    Tue 5 07:20–16:10 (on time); today, Wed 6, a datang at 07:25 (not stored: the day is
    not over).
    """
    punch(siti, FRIDAY_BEFORE, "07:45")
    punch(siti, FRIDAY_BEFORE, "16:30")
    punch(siti, MONDAY, "16:05")
    punch(siti, TUESDAY, "07:20")
    punch(siti, TUESDAY, "16:10")
    punch(siti, WEDNESDAY, "07:25")
    return materialise(siti, WEEK)


def test_the_morning_without_datang_is_stored_as_tl4_of_225_minutes(
    week: dict[date, EmployeeDay],
) -> None:
    monday = week[MONDAY]
    assert (monday.status, monday.datang, monday.pulang) == ("H", None, time(16, 5))
    assert (monday.tl_minutes, monday.tl_class, monday.psw_minutes, monday.meal) == (
        225,
        4,
        0,
        False,
    )


def test_today_is_stored_once_its_presensi_window_has_closed(
    siti: Employee, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    """At 10:00 Siti has a datang and no pulang yet: stored now, today would count PSW4 (225
    minutes) in the month's recap until she leaves. Once the window closes (21:00) the day is
    over, and a missing pulang is a PSW4."""
    assert WEDNESDAY not in week
    clock.set(local(WEDNESDAY, "20:59"))
    materialise(siti, [WEDNESDAY])
    assert WEDNESDAY not in stored_days(siti)

    clock.set(local(WEDNESDAY, "21:00"))
    wednesday = materialise(siti, [WEDNESDAY])[WEDNESDAY]

    assert (wednesday.status, wednesday.datang, wednesday.pulang) == ("H", time(7, 25), None)
    assert (wednesday.psw_minutes, wednesday.psw_class) == (225, 4)


def test_approving_a_sistem_error_pagi_clears_the_tl_of_that_day_and_touches_no_other(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    before = snapshot(siti)
    request = file_request(siti, "SISTEM_ERROR", MONDAY, session="PAGI")
    assert snapshot(siti) == before, "a submitted request excuses nothing yet"

    decided = clock.advance(hours=3)
    approve(request, verifier)

    after = snapshot(siti)
    assert set(after) == set(before), "no day outside the request was created"
    monday = after[MONDAY]
    assert (monday["status"], monday["tl_minutes"], monday["tl_class"]) == ("H", 0, 0)
    assert (monday["psw_minutes"], monday["pulang"], monday["meal"]) == (0, time(16, 5), True)
    assert monday["evaluated_at"] == decided
    assert {
        "code": "WAIVED_PAGI",
        "params": {"kind": "SISTEM_ERROR", "ref": request.reference, "time": "—"},
    } in monday["reasons"]
    for day in (FRIDAY_BEFORE, TUESDAY):
        assert after[day] == before[day], f"{day} must be left alone"


def test_rejecting_leaves_every_stored_day_as_it_was(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    before = snapshot(siti)
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    clock.advance(hours=1)
    reject(request, verifier)
    assert snapshot(siti) == before


def test_withdrawing_a_request_before_its_decision_changes_no_day(
    siti: Employee, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    """Nothing a pending request asks for is counted, so its withdrawal rewrites nothing."""
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    before = snapshot(siti)
    clock.advance(minutes=30)
    request_withdraw(actor=account(siti), request=request)
    after = snapshot(siti)
    assert after == before
    assert after[MONDAY]["tl_minutes"] == 225


def test_an_approved_absence_over_two_days_rewrites_those_two_days_only(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    before = snapshot(siti)
    request = file_request(siti, "DL", MONDAY, TUESDAY, reason="Dinas luar ke Kanwil.")
    decided = clock.advance(hours=1)
    approve(request, verifier)
    after = snapshot(siti)
    for day in (MONDAY, TUESDAY):
        assert (after[day]["status"], after[day]["tl_minutes"], after[day]["psw_minutes"]) == (
            "DL",
            0,
            0,
        )
        assert after[day]["evaluated_at"] == decided
    assert after[FRIDAY_BEFORE] == before[FRIDAY_BEFORE]
    assert WEDNESDAY not in after


def test_approving_days_not_yet_lived_stores_them_only_once_they_are(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay], clock: Clock
) -> None:
    """Thursday and Friday are still to come on Wednesday: nobody can say yet what they are
    (a TK or a PSW stored now would cost money in this month's recap before the day)."""
    approve(file_request(siti, "CS", THURSDAY, FRIDAY, reason="Sakit."), verifier)
    assert sorted(stored_days(siti)) == LIVED

    clock.set(local(date(2024, 3, 9), "08:00"))
    days_ensure(employees=[siti], start=THURSDAY, end=FRIDAY)

    stored = stored_days(siti)
    assert (stored[THURSDAY].status, stored[FRIDAY].status) == ("CS", "CS")


def test_withdrawing_an_absence_for_coming_days_leaves_them_unstored(
    siti: Employee, week: dict[date, EmployeeDay]
) -> None:
    request = file_request(siti, "DL", THURSDAY, FRIDAY, reason="Dinas luar.")

    request_withdraw(actor=account(siti), request=request)

    assert sorted(stored_days(siti)) == LIVED


def test_a_whole_day_complaint_turns_tk_into_a_day_present(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay]
) -> None:
    """Thursday 29 February: no punch at all, TK; a Sistem Error for both sessions mends it."""
    thursday_before = date(2024, 2, 29)
    assert materialise(siti, [thursday_before])[thursday_before].status == "TK"
    approve(file_request(siti, "SISTEM_ERROR", thursday_before, session="PAGI_SORE"), verifier)
    day = stored_days(siti)[thursday_before]
    assert (day.status, day.tl_minutes, day.psw_minutes, day.meal) == ("H", 0, 0, True)


def test_the_request_page_shows_the_mended_day_without_tl(
    siti: Employee, verifier: User, week: dict[date, EmployeeDay]
) -> None:
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    url = reverse("requests:detail", args=[request.reference])
    client = client_for(account(siti))

    def monday_on_page() -> Any:
        [row] = [row for row in client.get(url).context["days"] if row["day"].day == MONDAY]
        return row["day"]

    assert (monday_on_page().tl_class, monday_on_page().tl_minutes) == (4, 225)
    approve(request, verifier)
    assert (monday_on_page().tl_class, monday_on_page().tl_minutes) == (0, 0)
