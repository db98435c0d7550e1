# ruff: noqa: F811  (fixtures imported from tests/recap are requested by name)
"""The calendar and the policy as admins edit them: a value judged with the values in force,
a count no calendar can hold, a month priced with the policy as committed, a national
holiday saved twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hadir.org.models import Employee, Role
from hadir.recap.periods import period_close
from hadir.recap.selectors import recap_month
from hadir.rules.policy import PolicyError
from hadir.schedules import cache
from hadir.schedules.models import Holiday, PolicyValue
from hadir.schedules.selectors import holiday_dates, policy_as_of
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.recap.conftest import clock, sleman  # noqa: F401  (fixtures: the stopped clock, Sleman)
from tests.recap.support import Sleman, local, march, recap_json
from tests.recap.test_edits_match_a_fresh_evaluation import (  # noqa: F401  (fixtures)
    admin_site,
    siti,
    stored_march,
)


def policy_form(key: str, effective_from: str, value: str) -> dict[str, str]:
    return {"key": key, "effective_from": effective_from, "value": value, "note": "uji"}


# ---------------------------------------------------------------- policy admin


def test_policy_admin_refuses_a_value_that_contradicts_the_values_in_force(
    admin_site: Client,
) -> None:
    """Each PolicyValue is checked alone against the library defaults
    (``PolicyValue.clean`` → ``policy_from_values({key: value})``), never together with the
    values already in force. Two edits that are each fine alone make a ladder out of order:
    teguran tertulis from 6 days, then pernyataan tidak puas from 5 days (3, 6, 5, ...).

    The admin accepts both; from then on ``policy_as_of`` raises PolicyError for every date
    from April 2024, so every recap, check-in and evaluation of those dates is a 500."""
    add = reverse("admin:schedules_policyvalue_add")
    first = admin_site.post(add, policy_form("discipline.from.TEGURAN_TERTULIS", "2024-04-01", "6"))
    assert first.status_code == 302, "alone, 3 < 6 < 7 is a valid ladder"

    second = admin_site.post(
        add, policy_form("discipline.from.PERNYATAAN_TIDAK_PUAS", "2024-04-01", "5")
    )

    broken = None
    try:
        policy_as_of(date(2024, 4, 30))
    except PolicyError as error:
        broken = str(error)
    assert second.status_code == 200, (
        f"accepted: the policy in force from 1 April 2024 no longer loads ({broken})"
    )
    assert "discipline.from.PERNYATAAN_TIDAK_PUAS" in second.content.decode()


def test_policy_admin_refuses_a_close_deadline_no_calendar_can_hold(
    admin_site: Client, sleman: Sleman
) -> None:
    """``recap.close_after_days`` has a lower bound (digits only) but no upper one: an admin who
    types a date into the value (20240406) saves it, and every unit's recap page then fails
    with OverflowError in ``close_allowed_from`` (a 500), instead of the admin form saying so."""
    response = admin_site.post(
        reverse("admin:schedules_policyvalue_add"),
        policy_form("recap.close_after_days", "2024-03-15", "20240406"),
    )
    if response.status_code == 302:  # accepted: the recap page of the unit must still answer
        admin_site.raise_request_exception = False
        page = admin_site.get(
            reverse("recap:unit_month", args=[sleman.kua.pk]), {"bulan": "2024-03"}
        )
        assert page.status_code != 500, "every recap page of March 2024 is now a 500"
    assert response.status_code == 200, "a deadline of 55 thousand years was saved"


# ---------------------------------------------------------------- the per-process cache


@pytest.mark.usefixtures("stored_march")
def test_a_month_closed_in_a_process_that_cached_the_policy_freezes_the_old_meal_rate(
    sleman: Sleman, siti: Employee, clock: Clock, in_another_process: Callable[[], Any]
) -> None:
    """The cache module says "Recaps do not use this: they read fresh", but ``recap_month``
    prices a month with ``cache.policy(last)`` and never observes the cache generation. An admin
    corrects the meal rate of golongan III for March in another process; for up to 30 s this
    process's recaps keep the old rate, and a month closed then freezes (signs) it."""
    clock.set(local(date(2024, 4, 6), "08:00"))
    recap_json()  # this process has read (and cached) the policy of 31 March
    with in_another_process():
        value = PolicyValue.objects.get(key="meal.rate.III", effective_from=march(1))
        value.value = "40000"
        value.save()

    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=march(1)
    )

    signed = {row["name"]: row for row in closing.snapshot}["Siti Hasanah"]
    cache.clear()  # the month is closed: the recap command would serve the snapshot itself
    fresh = next(recap_month(employees=Employee.objects.filter(pk=siti.pk), month=march(1)))
    assert signed["meal_allowance"] == fresh.as_dict()["meal_allowance"]
    assert signed == fresh.as_dict()


# ---------------------------------------------------------------- national holidays


def test_a_national_holiday_saved_twice_cannot_be_dropped(
    admin_site: Client, sleman: Sleman
) -> None:
    """``uniq_holiday_date_name_unit`` covers (date, name, unit), but a national holiday has no
    unit and PostgreSQL treats NULLs as distinct: the same national holiday saved twice (the
    admin's "Save and add another" clicked with the same data, or a date entered by hand
    before the package fills its year) makes two active rows. Dropping it the documented way
    (``active`` off) then changes nothing: the tie rule of ``holiday_dates`` lets the other
    active row win, and 20 March stays a holiday for every unit."""
    add = reverse("admin:schedules_holiday_add")
    form = {"date": "2024-03-20", "name": "Libur nasional tambahan", "source": "operator"}
    for _ in range(2):
        admin_site.post(add, {**form, "active": "on"})

    first = Holiday.objects.filter(date=march(20), unit__isnull=True).order_by("pk").first()
    assert first is not None
    dropped = admin_site.post(
        reverse("admin:schedules_holiday_change", args=[first.pk]), form
    )  # "active" unticked
    assert dropped.status_code == 302

    assert march(20) not in holiday_dates(sleman.kua, march(1), march(31)), (
        f"{Holiday.objects.filter(date=march(20)).count()} national rows; one is still active"
    )


# ---------------------------------------------------------------- policy values in context


def test_a_policy_value_moved_to_a_later_date_is_judged_on_the_dates_it_leaves(db: None) -> None:
    """PolicyValue._clean_with_the_values_in_force checks only the dates from the row's *new*
    effective_from. Moving a row later takes it away from the dates between its old and new
    date, and those are never checked. From 1 January 2025: carry 0, cap 20, leave.days 15
    (15 + 0 <= 20). The admin moves the carry row to June: from January to May the seeded
    carry of 6 is back in force, 15 + 6 > 20, and policy_as_of / cache.policy raise
    PolicyError for every one of those dates (every evaluation of them fails)."""
    rows = {}
    for key, value in (
        ("leave.carry_days", "0"),
        ("leave.cap_after_two_years", "20"),
        ("leave.days", "15"),
    ):
        rows[key] = PolicyValue(key=key, effective_from=date(2025, 1, 1), value=value)
        rows[key].full_clean()
        rows[key].save()

    carry = rows["leave.carry_days"]
    carry.effective_from = date(2025, 6, 1)  # the admin moves it to June

    with pytest.raises(ValidationError):
        carry.full_clean()


def test_a_policy_value_valid_with_the_values_in_force_is_accepted(db: None) -> None:
    """The commit judges a value "with the values in force", yet PolicyValue.clean first
    judges it alone against the library's defaults (policy_from_values({key: value})): with
    a cap of 30 in force from 1 January 2025, leave.days 20 (20 + 6 <= 30) is refused because
    20 + 6 > 24, the *default* cap. No order of edits can raise leave.days past 18."""
    cap = PolicyValue(key="leave.cap_after_two_years", effective_from=date(2025, 1, 1), value="30")
    cap.full_clean()
    cap.save()

    PolicyValue(key="leave.days", effective_from=date(2025, 1, 1), value="20").full_clean()


def test_a_policy_value_the_others_rest_on_cannot_be_deleted(admin_site: Client) -> None:
    """leave.days 20 holds under a cap of 30 after two years; deleted, the cap falls back to 24
    (< 20 + 6 carried): every leave balance from 2025 would fail. The admin keeps it, saying
    why, and deletes a value nothing rests on."""
    cap = PolicyValue.objects.create(
        key="leave.cap_after_two_years", effective_from=date(2025, 1, 1), value="30"
    )
    PolicyValue.objects.create(key="leave.days", effective_from=date(2025, 1, 1), value="20")
    url = reverse("admin:schedules_policyvalue_delete", args=[cap.pk])

    refused = admin_site.post(url, {"post": "yes"})

    assert refused.status_code == 200
    assert PolicyValue.objects.filter(pk=cap.pk).exists()
    assert "leave.cap_after_two_years" in refused.content.decode()
    harmless = PolicyValue.objects.create(
        key="day.minutes", effective_from=date(2026, 1, 1), value="450"
    )
    deleted = admin_site.post(
        reverse("admin:schedules_policyvalue_delete", args=[harmless.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not PolicyValue.objects.filter(pk=harmless.pk).exists()
