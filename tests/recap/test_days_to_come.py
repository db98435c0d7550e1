"""Days still to come are nobody's verdict yet: a request approved or withdrawn for them
changes nothing in the month's recap before they are lived.

The clock stands on Tuesday 2 April 2024, 10:00 WIB (tests/recap/conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from hadir.requests.services import request_decide, request_withdraw
from tests.conftest import user_with_role
from tests.recap.support import (
    Sleman,
    attend,
    file_request,
    person,
    recap_json,
    with_account,
)

APRIL_1 = date(2024, 4, 1)
FRIDAY_APRIL_5 = date(2024, 4, 5)


@pytest.fixture
def verifier(sleman: Sleman) -> User:
    return user_with_role(Role.VERIFIER, sleman.kankemenag)


@pytest.fixture
def rina(sleman: Sleman) -> Employee:
    """KUA Mlati (KANTOR_5H), III/a, from 1 April 2024; on time on Monday 1 April."""
    employee = person(sleman.kua, "Rina Marlina", "III/a", start=APRIL_1)
    with_account(employee)
    attend(employee, [APRIL_1], "07:25", "16:35")
    return employee


def test_an_approved_tugas_luar_pagi_for_a_coming_day_costs_nothing_before_that_day(
    rina: Employee, verifier: User
) -> None:
    """§4.5/§5: a day is evaluated from its punches; Friday 5 April has not happened yet on
    2 April. Approving a morning tugas luar for it must not put a PSW4 (1.5 %) in April's
    recap: the only day lived so far (1 April) was clean."""
    user = with_account(rina)
    request = file_request(user, rina, "TUGAS_LUAR", FRIDAY_APRIL_5, session="PAGI")
    request_decide(actor=verifier, request=request, approve=True)

    row = recap_json("2024-04")["Rina Marlina"]
    assert (row["early"]["4"], row["tukin_deduction_percent"]) == (0, "0.00")


def test_a_withdrawn_absence_for_coming_days_leaves_no_tk_in_the_recap(
    rina: Employee,
) -> None:
    """§4.6: TK is a working day with no punch and no excuse, which a day not yet lived cannot
    be. Rina files a dinas luar for Monday 22 – Wednesday 24 April and withdraws it on 2 April: April's recap must
    not show three TK days (9 %) and a teguran lisan (§5: 3 days not at work)."""
    user = with_account(rina)
    request = file_request(user, rina, "DL", date(2024, 4, 22), date(2024, 4, 24))
    request_withdraw(actor=user, request=request)

    row = recap_json("2024-04")["Rina Marlina"]
    assert (row["absent_days"], row["tukin_deduction_percent"]) == (0, "0.00")
    assert row["discipline"]["sanction"] is None
