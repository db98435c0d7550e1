"""Cuti tahunan against the balance: 12 working days a year, carried over up to 18 or 24.

The arithmetic is :mod:`hadir.rules.leave` (tested in tests/rules/test_leave.py); here the
services feed it what the database holds: working days of the employee's own calendar (a
weekend or a holiday inside a cuti costs nothing), pending and approved cuti, and the year the
employee started.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from hadir.accounts.models import User
from hadir.org.models import Employee
from hadir.recap.evaluation import evaluate_dates
from hadir.requests.models import Request, Status
from hadir.requests.services import (
    RequestRefused,
    leave_taken,
    leave_working_days,
    request_withdraw,
)
from hadir.schedules import cache
from hadir.schedules.models import PolicyValue
from tests.conftest import Org
from tests.requests.conftest import new_employee
from tests.requests.support import (
    CUTI_BERSAMA_NYEPI,
    FRIDAY,
    NYEPI,
    SATURDAY,
    account,
    approve,
    client_for,
    dates,
    file_request,
    reject,
)

TWELVE_DAYS = (date(2024, 1, 15), date(2024, 1, 30))
"""Monday 15 – Tuesday 30 January 2024: twelve working days."""
THIRTEEN_DAYS = (date(2024, 1, 15), date(2024, 1, 31))
JULY_1 = date(2024, 7, 1)
"""From Monday 1 July 2024 every weekday is a working day for weeks."""
WORKING_DAYS_FROM_JULY_1 = {
    18: date(2024, 7, 24),
    19: date(2024, 7, 25),
    24: date(2024, 8, 1),
    25: date(2024, 8, 2),
}


def cuti(employee: Employee, start: date, end: date) -> Request:
    return file_request(employee, "CT", start, end, reason="Cuti tahunan.")


def refusal(employee: Employee, start: date, end: date) -> str:
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        cuti(employee, start, end)
    return str(refused.value)


def test_twelve_working_days_of_cuti_are_granted_and_a_thirteenth_is_refused(
    siti: Employee, verifier: User
) -> None:
    approve(cuti(siti, *TWELVE_DAYS), verifier)
    assert leave_taken(siti) == {2024: 12}
    assert refusal(siti, date(2024, 2, 1), date(2024, 2, 1)) == (
        "Cuti tahunan 2024: 1 working days asked, 0 of 12 left."
    )


def test_one_request_over_the_balance_is_refused_with_the_balance_in_the_message(
    siti: Employee,
) -> None:
    assert refusal(siti, *THIRTEEN_DAYS) == (
        "Cuti tahunan 2024: 13 working days asked, 12 of 12 left."
    )
    assert not Request.objects.exists()


def test_laporan_baru_shows_the_balance_refusal(siti: Employee) -> None:
    from tests.requests.support import pdf_letter, upload

    response = client_for(account(siti)).post(
        reverse("requests:new") + "?kategori=KETIDAKHADIRAN",
        {
            "code": "CT",
            "start": "2024-01-15",
            "end": "2024-01-31",
            "reason": "Pulang kampung.",
            "letter": upload(pdf_letter()),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cuti tahunan 2024: 13 working days asked, 12 of 12 left."
    ]


def test_cuti_across_a_weekend_and_holidays_consumes_only_the_working_days(
    siti: Employee, verifier: User
) -> None:
    """Friday 8 – Wednesday 13 March 2024: Sat, Sun, Nyepi and its cuti bersama cost nothing."""
    wednesday_13 = date(2024, 3, 13)
    assert leave_working_days(siti, FRIDAY, wednesday_13) == {2024: 2}
    approve(cuti(siti, FRIDAY, wednesday_13), verifier)
    assert leave_taken(siti) == {2024: 2}
    statuses = {d: r.status for d, r in evaluate_dates(siti, dates(FRIDAY, wednesday_13)).items()}
    assert statuses == {
        FRIDAY: "CT",
        SATURDAY: "LIBUR",
        date(2024, 3, 10): "LIBUR",
        NYEPI: "LIBUR",
        CUTI_BERSAMA_NYEPI: "LIBUR",
        wednesday_13: "CT",
    }


def test_the_laporan_page_shows_what_is_taken_and_left(siti: Employee, verifier: User) -> None:
    approve(cuti(siti, FRIDAY, date(2024, 3, 13)), verifier)
    cuti(siti, date(2024, 3, 18), date(2024, 3, 19))  # pending counts too
    response = client_for(account(siti)).get(reverse("requests:index") + "?kategori=KETIDAKHADIRAN")
    leave = response.context["leave"]
    assert (leave.year, leave.entitlement, leave.taken, leave.remaining) == (2024, 12, 4, 8)


def test_pending_cuti_counts_against_the_balance_until_withdrawn_or_rejected(
    siti: Employee, verifier: User
) -> None:
    pending = cuti(siti, date(2024, 3, 13), date(2024, 3, 26))  # ten working days
    assert refusal(siti, date(2024, 4, 1), date(2024, 4, 3)) == (
        "Cuti tahunan 2024: 3 working days asked, 2 of 12 left."
    )
    request_withdraw(actor=account(siti), request=pending)
    assert leave_taken(siti) == {}
    second = cuti(siti, date(2024, 1, 15), date(2024, 1, 26))  # again ten
    reject(second, verifier)
    assert cuti(siti, *TWELVE_DAYS).status == Status.SUBMITTED


def test_cuti_across_new_year_counts_in_each_year(siti: Employee) -> None:
    cuti(siti, date(2024, 12, 23), date(2025, 1, 3))
    assert leave_taken(siti) == {2024: 5, 2025: 2}


def test_unused_days_carry_into_the_next_year_up_to_six(org: Org, verifier: User) -> None:
    """Four days taken in 2023 leave eight unused; six carry over: 2024 has 18."""
    employee = new_employee(org, start=date(2023, 1, 1))
    approve(cuti(employee, date(2023, 7, 3), date(2023, 7, 6)), verifier)
    assert refusal(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[19]) == (
        "Cuti tahunan 2024: 19 working days asked, 18 of 18 left."
    )
    assert cuti(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[18]).status == Status.SUBMITTED


def test_fewer_unused_days_carry_only_what_is_left(org: Org, verifier: User) -> None:
    """Ten days taken in 2023 leave two to carry: 2024 has 14."""
    employee = new_employee(org, start=date(2023, 1, 1))
    approve(cuti(employee, date(2023, 7, 3), date(2023, 7, 14)), verifier)
    message = refusal(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[18])
    assert message == "Cuti tahunan 2024: 18 working days asked, 14 of 14 left."


def test_after_two_years_without_cuti_the_ceiling_is_twenty_four(org: Org) -> None:
    employee = new_employee(org, start=date(2022, 1, 1))
    assert refusal(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[25]) == (
        "Cuti tahunan 2024: 25 working days asked, 24 of 24 left."
    )
    assert cuti(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[24]).status == Status.SUBMITTED


def test_a_newcomer_has_twelve_days_in_the_first_year_whatever_came_before(
    org: Org,
) -> None:
    employee = new_employee(org, start=date(2024, 1, 2))
    assert refusal(employee, JULY_1, WORKING_DAYS_FROM_JULY_1[18]) == (
        "Cuti tahunan 2024: 18 working days asked, 12 of 12 left."
    )


def test_approval_checks_the_balance_again(siti: Employee, verifier: User) -> None:
    """The year's entitlement was lowered after the cuti was filed (a leave figure takes effect
    from a 1 January): the verifier cannot approve it."""
    pending = cuti(siti, date(2024, 3, 13), date(2024, 3, 26))
    PolicyValue.objects.create(key="leave.days", effective_from=date(2024, 1, 1), value="8")
    cache.clear()
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        approve(pending, verifier)
    assert str(refused.value) == "Cuti tahunan 2024: 10 working days asked, 8 of 8 left."
    assert Request.objects.get(pk=pending.pk).status == Status.SUBMITTED


def test_other_absences_do_not_touch_the_balance(siti: Employee, verifier: User) -> None:
    approve(file_request(siti, "CS", *THIRTEEN_DAYS), verifier)
    approve(file_request(siti, "DL", date(2024, 3, 13), date(2024, 3, 26)), verifier)
    assert leave_taken(siti) == {}
    assert cuti(siti, JULY_1, date(2024, 7, 16)).status == Status.SUBMITTED  # twelve days


# ---------------------------------------------------------------- across the new year


DEC_16_2024, JAN_22_2025 = date(2024, 12, 16), date(2025, 1, 22)


def test_cuti_across_new_year_counts_its_own_december_days_in_januarys_carry(org: Org) -> None:
    """A newcomer of 2024 (12 days) asks one cuti: 10 working days of December 2024 and 15 of
    January 2025. Taking 10 of 2024's 12 leaves 2 to carry: 2025 has 12 + 2 = 14, so the
    15 asked for 2025 are over the balance (PP 11/2017 as README 'Laporan'; rules/leave.py)."""
    employee = new_employee(org, start=date(2024, 1, 2))
    assert leave_working_days(employee, DEC_16_2024, JAN_22_2025) == {2024: 10, 2025: 15}
    with pytest.raises(
        RequestRefused, match=r"^Cuti tahunan 2025: diminta 15 hari kerja, sisa 14 dari 14\.$"
    ):
        cuti(employee, DEC_16_2024, JAN_22_2025)


def test_cuti_across_new_year_does_not_keep_the_24_day_ceiling_of_two_years_without_cuti(
    org: Org,
) -> None:
    """No cuti in 2022 and 2023: 2024 has 24. One cuti takes 10 days of December 2024 and 19 of
    January 2025. 2024 is then no longer a year without cuti, so 2025 has 12 + 6 = 18, not 24
    again: the 19 asked for 2025 are over the balance."""
    employee = new_employee(org, start=date(2022, 1, 3))
    end = date(2025, 1, 31)
    assert leave_working_days(employee, DEC_16_2024, end) == {2024: 10, 2025: 19}
    with pytest.raises(
        RequestRefused, match=r"^Cuti tahunan 2025: diminta 19 hari kerja, sisa 18 dari 18\.$"
    ):
        cuti(employee, DEC_16_2024, end)


def test_cuti_filed_for_this_year_may_not_eat_the_carry_already_booked_next_year(
    org: Org,
) -> None:
    """17 days booked in 2025 rest on 5 of the 6 days 2024 may carry; 12 days then asked in
    2024 leave nothing to carry, so 2025 would hold 17 taken of a 12-day entitlement
    (leave_balance(2025, leave_taken(e), 2024) == entitlement 12, taken 17)."""
    employee = new_employee(org, start=date(2024, 1, 2))
    jan_2025 = (date(2025, 1, 2), date(2025, 1, 24))
    assert leave_working_days(employee, *jan_2025) == {2025: 17}
    cuti(employee, *jan_2025)  # 17 of 2025's 12 + 6 carried: accepted, rightly
    july_2024 = (date(2024, 7, 1), date(2024, 7, 16))
    assert leave_working_days(employee, *july_2024) == {2024: 12}
    with pytest.raises(RequestRefused) as refused:
        cuti(employee, *july_2024)
    assert str(refused.value) == (
        "Cuti tahunan 2025 akan kurang: sudah diminta 17 hari kerja, dari 12 hari yang tersisa"
        " untuknya bila cuti ini diambil."
    )
