"""Pages as employees read them: Bulan saya of someone whose attendance has ended, the gaps
page while last month is still open, and the warnings' wording in English.

The clock stands on Wednesday 6 March 2024, 10:00 WIB unless a test moves it (the calendar of
March 2024 is known: Saturday 9 and 16 are days off of ``KANTOR_5H``, Monday 11 is Nyepi).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hadir.org.models import Employee
from hadir.schedules import cache
from hadir.schedules.models import PolicyValue
from tests.clock import Clock
from tests.conftest import Org, committed
from tests.factories import EmployeeFactory, UserFactory
from tests.requests.support import WEDNESDAY, file_request, local

SATURDAY_16 = date(2024, 3, 16)
FEB_29 = date(2024, 2, 29)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(local(WEDNESDAY, "10:00"))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def employee_with_account(org: Org, **fields: object) -> Employee:
    """A Pegawai of KUA A (KANTOR_5H) with a login account."""
    return EmployeeFactory.create(unit=org.kua_a, user=UserFactory.create(), **fields)


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


# ---------------------------------------------------------------- pages of an ended period


def test_my_month_does_not_promise_a_retired_employee_that_today_will_count(org: Org) -> None:
    # A retired ASN (attendance until 15 February) opens Bulan saya: DOMAIN §4 and the phone's
    # own /api/presensi/today say a day outside the attendance period counts for nothing
    # ("Hari ini di luar masa presensi Anda"). The calendar must not tell her that today
    # "counts once the presensi window closes at 21:00", nor that the days after her end are
    # merely "not evaluated yet": they never will be.
    retired = employee_with_account(org, start=date(2024, 1, 1), end=date(2024, 2, 15))
    page = logged_in(retired.user).get(reverse("recap:my_month"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hari ini dihitung setelah jendela presensi ditutup" not in html
    assert "Belum dievaluasi" not in html


# ---------------------------------------------------------------- rules are data


def test_the_gaps_page_offers_last_months_days_while_the_policy_still_takes_requests(
    org: Org, clock: Clock
) -> None:
    # The admin gives employees ten days after a month to file requests about it
    # (recap.close_after_days = 10: February cannot be closed before 11 March, and a
    # complaint about 29 February is still accepted). On Friday 8 March the gaps page
    # (Kekurangan presensi, DOMAIN §8: "the app lists their gaps ... and offers the fitting
    # request") must still list 29 February's TK; it stops after a hard-coded 7th day
    # (hadir/requests/selectors.py open_period) whatever the policy says.
    with committed():
        PolicyValue.objects.create(
            key="recap.close_after_days", effective_from=date(2024, 1, 1), value="10"
        )
    assert cache.policy(FEB_29).close_after_days == 10
    employee = employee_with_account(org, start=date(2024, 2, 1))  # no punch: every day is TK
    clock.set(local(date(2024, 3, 8), "10:00"))
    page = logged_in(employee.user).get(reverse("requests:gaps"))
    file_request(employee, "SISTEM_ERROR", FEB_29, session="PAGI_SORE")  # still accepted
    assert FEB_29 in [gap.date for gap in page.context["gaps"]]


# ---------------------------------------------------------------- English second


def test_my_month_in_english_warns_one_more_day_in_the_singular(org: Org) -> None:
    # DOMAIN §5: "the system warns before each threshold (e.g. '1 more day → teguran
    # tertulis')", and the rules library words it so ("1 more day → oral reprimand"). The
    # English Bulan saya of an ASN with two TK days (Monday 4 and Tuesday 5 March) says
    # "1 more day(s) → oral reprimand": the template's blocktranslate has no plural.
    newcomer = employee_with_account(org, start=date(2024, 3, 4))
    page = logged_in(newcomer.user).get(reverse("recap:my_month"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "oral reprimand" in html
    assert "day(s)" not in html
