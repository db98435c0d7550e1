"""Pengelolaan mandiri: the employee's gaps in the open period, each with its request in one step.

A gap is a working day with a missing datang or pulang, or with no record at all (TK), that no
pending request already covers. Today counts only for a missing datang: the pulang may still
come.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from hadir.recap.periods import period_close
from hadir.requests.selectors import gaps, open_period
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.requests.conftest import new_employee
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    account,
    approve,
    client_for,
    file_request,
    local,
    punch,
    reject,
)

FEB_28, FEB_29, MARCH_1 = date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)
GAPS = reverse("requests:gaps")


@pytest.fixture
def rina(org: Org) -> Employee:
    """Started on Wednesday 28 February; it is now Wednesday 6 March, 10:00.

    Wed 28 and Thu 29 Feb: nothing (TK). Fri 1 March: 07:25–16:35. Mon 4: only a pulang at
    16:05. Tue 5: only a datang at 07:20. Today: a datang at 07:28.
    """
    employee = new_employee(org, name="Rina Marlina", start=FEB_28)
    punch(employee, MARCH_1, "07:25")
    punch(employee, MARCH_1, "16:35")
    punch(employee, MONDAY, "16:05")
    punch(employee, TUESDAY, "07:20")
    punch(employee, WEDNESDAY, "07:28")
    return employee


def found(employee: Employee) -> list[tuple[date, str, str, str]]:
    return [(g.date, g.code, g.category, g.session) for g in gaps(employee, WEDNESDAY)]


def test_the_open_period_is_this_month_and_last_month() -> None:
    assert open_period(WEDNESDAY) == (date(2024, 2, 1), WEDNESDAY)
    assert open_period(date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 3, 31))
    assert open_period(date(2024, 4, 1)) == (MARCH_1, date(2024, 4, 1))


def test_each_day_with_a_missing_punch_or_no_record_is_a_gap_with_the_fitting_session(
    rina: Employee,
) -> None:
    assert found(rina) == [
        (FEB_28, "SISTEM_ERROR", "PENGADUAN", "PAGI_SORE"),
        (FEB_29, "SISTEM_ERROR", "PENGADUAN", "PAGI_SORE"),
        (MONDAY, "SISTEM_ERROR", "PENGADUAN", "PAGI"),
        (TUESDAY, "SISTEM_ERROR", "PENGADUAN", "SORE"),
    ]


def test_today_without_any_punch_yet_is_not_a_gap(org: Org, clock: Clock) -> None:
    employee = new_employee(org, start=WEDNESDAY)
    assert gaps(employee, WEDNESDAY) == []
    clock.set(local(WEDNESDAY, "10:00"))
    punch(employee, WEDNESDAY, "16:05")  # only a pulang: the morning is missing
    assert [(g.date, g.session) for g in gaps(employee, WEDNESDAY)] == [(WEDNESDAY, "PAGI")]


def test_a_pending_request_hides_the_gap_and_a_rejection_brings_it_back(
    rina: Employee, verifier: User
) -> None:
    request = file_request(rina, "SISTEM_ERROR", MONDAY)
    assert MONDAY not in [g.date for g in gaps(rina, WEDNESDAY)]
    reject(request, verifier)
    assert MONDAY in [g.date for g in gaps(rina, WEDNESDAY)]


def test_a_pending_waiver_hides_only_its_own_session(rina: Employee) -> None:
    """Tuesday has a datang and no pulang; a morning izin pending for it leaves the missing
    pulang a gap, and a morning complaint for a TK day leaves the afternoon."""
    file_request(rina, "IZIN", TUESDAY, session="PAGI", reason="Mengantar anak berobat.")
    file_request(rina, "SISTEM_ERROR", FEB_28, session="PAGI")
    file_request(rina, "DL", FEB_29, reason="Dinas luar.")

    assert found(rina) == [
        (FEB_28, "SISTEM_ERROR", "PENGADUAN", "SORE"),
        (MONDAY, "SISTEM_ERROR", "PENGADUAN", "PAGI"),
        (TUESDAY, "SISTEM_ERROR", "PENGADUAN", "SORE"),
    ]


def test_an_approved_waiver_or_absence_closes_the_gap(rina: Employee, verifier: User) -> None:
    approve(file_request(rina, "SISTEM_ERROR", MONDAY, session="PAGI"), verifier)
    approve(file_request(rina, "DL", FEB_28, FEB_29, reason="Dinas luar."), verifier)
    assert found(rina) == [(TUESDAY, "SISTEM_ERROR", "PENGADUAN", "SORE")]


def test_the_gaps_page_links_each_gap_to_a_prefilled_laporan_baru(rina: Employee) -> None:
    response = client_for(account(rina)).get(GAPS)
    assert response.status_code == 200
    page = response.content.decode()
    new = reverse("requests:new")
    assert (
        f'href="{new}?kategori=PENGADUAN&code=SISTEM_ERROR&start=2024-03-04&session=PAGI"'
    ) in page
    assert (
        f'href="{new}?kategori=PENGADUAN&code=SISTEM_ERROR&start=2024-03-05&session=SORE"'
    ) in page
    # A day without any record may also have been a day away: the absence form is offered.
    assert f'href="{new}?kategori=KETIDAKHADIRAN&start=2024-02-28"' in page
    assert "?kategori=KETIDAKHADIRAN&start=2024-03-04" not in page


def test_the_prefilled_link_opens_laporan_baru_with_type_date_and_session_chosen(
    rina: Employee,
) -> None:
    response = client_for(account(rina)).get(
        reverse("requests:new")
        + "?kategori=PENGADUAN&code=SISTEM_ERROR&start=2024-03-04&session=PAGI"
    )
    form = response.context["form"]
    assert form.category == "PENGADUAN"
    assert form.initial == {"code": "SISTEM_ERROR", "start": "2024-03-04", "session": "PAGI"}
    page = response.content.decode()
    assert '<option value="SISTEM_ERROR" selected>' in page
    assert '<option value="PAGI" selected>' in page
    assert 'value="2024-03-04"' in page


def test_the_gaps_page_shows_my_days_of_the_open_period(rina: Employee, verifier: User) -> None:
    client = client_for(account(rina))

    def monday() -> tuple[int, int]:
        [row] = [r for r in client.get(GAPS).context["days"] if r["day"].day == MONDAY]
        return row["day"].tl_class, row["day"].tl_minutes

    days = [r["day"].day for r in client.get(GAPS).context["days"]]
    assert days[0] == FEB_28
    assert days[-1] == WEDNESDAY
    assert monday() == (4, 225)
    approve(file_request(rina, "SISTEM_ERROR", MONDAY), verifier)
    assert monday() == (0, 0)
    assert MONDAY not in [g.date for g in client.get(GAPS).context["gaps"]]


def test_the_gaps_page_of_a_wit_employee_reads_today_on_her_units_clock(
    org: Org, clock: Clock
) -> None:
    """23:30 in Jakarta is already 01:30 of the next day in Jayapura."""
    org.kua_a.timezone = "Asia/Jayapura"
    org.kua_a.save()
    employee = new_employee(org, start=MARCH_1)
    clock.set(local(WEDNESDAY, "23:30"))

    page = client_for(account(employee)).get(GAPS)

    assert page.context["today"] == date(2024, 3, 7)


def test_a_day_off_is_never_a_gap(org: Org) -> None:
    employee = new_employee(org, start=date(2024, 3, 9))  # Saturday
    assert gaps(employee, date(2024, 3, 10)) == []
    assert gaps(employee, date(2024, 3, 12)) == [], "Nyepi and its cuti bersama are off too"
    assert [g.date for g in gaps(employee, date(2024, 3, 14))] == [date(2024, 3, 13)]


def test_once_february_is_closed_the_gaps_page_starts_in_march(
    rina: Employee, org: Org, clock: Clock
) -> None:
    # Rina's TK of 28 and 29 February can no longer be asked about once her unit closed
    # February: neither her gaps nor her days list it, and the page says it starts on 1 March.
    operator = user_with_role(Role.OPERATOR, org.kua_a)
    period_close(actor=operator, unit=org.kua_a, month=date(2024, 2, 1))
    page = client_for(account(rina)).get(GAPS)
    assert next(r["day"].day for r in page.context["days"]) == MARCH_1
    assert FEB_28 not in [g.date for g in page.context["gaps"]]
    assert page.context["start"] == MARCH_1
