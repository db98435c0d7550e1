"""Discipline sanctions as decided (DOMAIN.md §5): the recap proposes a rung of the ladder, a
person decides it by a decree (SK), and a *sedang* decision adds the policy's 25 % to the TUKIN
deduction of each month it runs. The people are those of the recap tests (Kankemenag Sleman),
the clock on Tuesday 2 April 2024.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.recap.models import SanctionDecision
from hadir.recap.periods import period_close
from hadir.recap.sanctions import SanctionRefused, sanction_decide, sanction_revoke
from hadir.recap.selectors import recap_month
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.recap.support import Sleman, local, logged_in, person

APRIL_1, MAY = date(2024, 4, 1), date(2024, 5, 1)


@pytest.fixture
def siti(sleman: Sleman) -> Employee:
    return person(sleman.kua, "Siti Hasanah", account=True)


@pytest.fixture
def operator(sleman: Sleman) -> User:
    """The Pengelola Presensi of KUA Mlati."""
    return user_with_role(Role.OPERATOR, sleman.kua)


def deduction(employee: Employee, month: date) -> Decimal:
    [recap] = recap_month(employees=Employee.objects.filter(pk=employee.pk), month=month)
    return recap.summary.deduction_pct


def cut_from_may(actor: User | None, siti: Employee, **changes: object) -> SanctionDecision:
    """TUKIN −25 % for 6 months from May, by a decree of 1 April."""
    fields: dict[str, object] = {
        "sanction": "TUKIN_25_6",
        "first_month": MAY,
        "decree": "B-123/Kk.12.04/KP.07.6/04/2024",
        "decided_on": APRIL_1,
    } | changes
    return sanction_decide(actor=actor, employee=siti, **fields)  # type: ignore[arg-type]


def test_a_decided_tukin_cut_adds_its_percentage_to_each_month_it_runs_and_no_other(
    siti: Employee, operator: User
) -> None:
    before = {month: deduction(siti, month) for month in (date(2024, 4, 1), MAY)}

    decision = cut_from_may(operator, siti)

    assert decision.months == 6  # the ladder's, as the policy of May says
    assert deduction(siti, date(2024, 4, 1)) == before[date(2024, 4, 1)]
    assert deduction(siti, MAY) == before[MAY] + Decimal("25.00")
    assert deduction(siti, date(2024, 10, 1)) == Decimal("25.00")
    assert deduction(siti, date(2024, 11, 1)) == Decimal("0.00")


def test_a_reprimand_is_kept_on_the_record_and_costs_nothing(
    siti: Employee, operator: User
) -> None:
    cut_from_may(operator, siti, sanction="TEGURAN_TERTULIS")
    assert SanctionDecision.objects.get().months == 0
    assert deduction(siti, MAY) == Decimal("0.00")


def test_the_month_page_explains_the_cut_with_the_decree(siti: Employee, operator: User) -> None:
    cut_from_may(operator, siti)
    assert siti.user is not None
    page = logged_in(siti.user).get("/rekap/saya/", {"bulan": "2024-05"})
    text = page.content.decode()
    assert "B-123/Kk.12.04/KP.07.6/04/2024" in text
    assert page.context["recap"]["tukin_deduction_percent"] == "25.00"
    assert page.context["sanction_form"] is None  # nobody records their own


def test_revoking_a_decision_takes_its_percentage_away_and_is_audited(
    siti: Employee, operator: User
) -> None:
    decision = cut_from_may(operator, siti)
    sanction_revoke(actor=operator, decision=decision)

    assert deduction(siti, MAY) == Decimal("0.00")
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "recap.sanction_decide",
        "recap.sanction_revoke",
    ]
    with pytest.raises(SanctionRefused):
        sanction_revoke(actor=operator, decision=decision)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decree": "   "}, "decree"),
        ({"decided_on": date(2024, 4, 3)}, "decided_on"),  # tomorrow
        ({"first_month": date(2024, 3, 1)}, "first_month"),  # before the decree's month
        ({"sanction": "TUKIN_50"}, "sanction"),
        ({"for_year": 2025}, "for_year"),  # a year the decree of 2024 cannot have judged
    ],
)
def test_a_decision_that_cannot_stand_is_refused_on_its_field(
    siti: Employee, operator: User, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(SanctionRefused) as refused:
        cut_from_may(operator, siti, **changes)
    assert refused.value.field == field
    assert not SanctionDecision.objects.exists()


def test_a_second_cut_overlapping_the_first_is_refused_naming_the_first_decree(
    siti: Employee, operator: User
) -> None:
    cut_from_may(operator, siti)
    with pytest.raises(SanctionRefused, match="B-123"):
        cut_from_may(operator, siti, first_month=date(2024, 10, 1), decree="B-200")
    cut_from_may(operator, siti, first_month=date(2024, 11, 1), decree="B-200")  # after it
    assert deduction(siti, date(2024, 11, 1)) == Decimal("25.00")


def test_a_cut_into_a_closed_month_is_refused_to_the_operator_and_recorded_by_an_admin(
    sleman: Sleman, siti: Employee, operator: User, clock: Clock
) -> None:
    clock.set(local(date(2024, 5, 10), "08:00"))
    period_close(actor=operator, unit=sleman.kua, month=APRIL_1)

    with pytest.raises(SanctionRefused, match="04-2024"):
        cut_from_may(operator, siti, first_month=APRIL_1)
    cut_from_may(user_with_role(Role.ADMIN, None), siti, first_month=APRIL_1)
    assert SanctionDecision.objects.count() == 1


def test_the_operator_records_a_decision_on_the_employees_month_page(
    siti: Employee, operator: User
) -> None:
    client = logged_in(operator)
    page = f"/rekap/pegawai/{siti.pk}/"
    assert client.get(page, {"bulan": "2024-04"}).context["sanction_form"] is not None

    sent = client.post(
        f"{page}sanksi/?bulan=2024-04",
        {
            "sanction": "TUKIN_25_9",
            "first_month": "2024-05",
            "decree": "B-77/2024",
            "decided_on": "2024-04-01",
        },
    )

    assert sent.status_code == 302
    decision = SanctionDecision.objects.get()
    assert (decision.sanction, decision.first_month, decision.months) == ("TUKIN_25_9", MAY, 9)
    assert decision.recorded_by == operator


def test_a_january_decree_may_judge_the_year_before_and_the_page_says_so(
    siti: Employee, operator: User, clock: Clock
) -> None:
    clock.set(local(date(2025, 1, 20), "09:00"))
    client = logged_in(operator)
    page = f"/rekap/pegawai/{siti.pk}/"
    assert (
        client.get(page, {"bulan": "2024-12"}).context["sanction_form"].initial["for_year"] == 2024
    )

    client.post(
        f"{page}sanksi/?bulan=2024-12",
        {
            "sanction": "TEGURAN_LISAN",
            "first_month": "2025-01",
            "decree": "B-5/2025",
            "decided_on": "2025-01-15",
            "for_year": "2024",
        },
    )

    assert SanctionDecision.objects.get().for_year == 2024
    html = client.get(page, {"bulan": "2025-01"}).content.decode()
    assert "SK B-5/2025 (15-01-2025) · untuk tahun 2024" in html


def test_a_refused_decision_comes_back_with_the_form_as_filled_and_the_reason(
    siti: Employee, operator: User
) -> None:
    sent = logged_in(operator).post(
        f"/rekap/pegawai/{siti.pk}/sanksi/?bulan=2024-04",
        {
            "sanction": "TUKIN_25_6",
            "first_month": "2024-03",
            "decree": "B-77/2024",
            "decided_on": "2024-04-01",
        },
    )
    assert sent.status_code == 200
    form = sent.context["sanction_form"]
    assert form.errors["first_month"]
    assert 'value="B-77/2024"' in sent.content.decode()
    assert not SanctionDecision.objects.exists()


def test_only_who_manages_the_employee_records_or_revokes_a_decision(
    sleman: Sleman, siti: Employee, operator: User
) -> None:
    decision = cut_from_may(operator, siti)
    elsewhere = user_with_role(Role.OPERATOR, sleman.kua_depok)
    reader = user_with_role(Role.LEADER, sleman.kua)
    assert siti.user is not None
    form = {"sanction": "TUKIN_25_6", "first_month": "2024-11", "decree": "X", "decided_on": "2024-04-01"}  # fmt: skip
    for user in (elsewhere, reader, siti.user):
        client = logged_in(user)
        assert client.post(f"/rekap/pegawai/{siti.pk}/sanksi/", form).status_code == 404
        revoke = f"/rekap/pegawai/{siti.pk}/sanksi/{decision.pk}/cabut/"
        assert client.post(revoke).status_code == 404
    assert SanctionDecision.objects.filter(revoked_at__isnull=True).count() == 1
    with pytest.raises(Http404):  # the service checks too
        cut_from_may(elsewhere, siti, first_month=date(2024, 11, 1))
