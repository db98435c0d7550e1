"""The operator's calendar page: a unit's holidays, local additions and drops, within scope."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Role
from hadir.schedules.models import Holiday
from hadir.schedules.selectors import holiday_dates
from tests.conftest import Org, user_with_role

INDEPENDENCE_DAY = date(2026, 8, 17)
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


def page(unit_id: int) -> str:
    return reverse("schedules:unit_holidays", args=[unit_id])


def test_operator_sees_the_national_holidays_of_their_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    response = client.get(page(org.kua_a.pk), {"year": 2026})
    assert response.status_code == 200
    assert (INDEPENDENCE_DAY, "Hari Kemerdekaan Republik Indonesia", True) in response.context[
        "days"
    ]
    assert response.context["can_manage"] is True


def test_operator_adds_a_local_holiday_for_their_unit(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    day = date(2026, 10, 6)
    response = client.post(
        page(org.kab_a.pk), {"date": day.isoformat(), "name": "Hari Jadi", "action": "add"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{page(org.kab_a.pk)}?year=2026"
    assert day in holiday_dates(org.kua_a, *YEAR_2026)
    assert day not in holiday_dates(org.kua_b, *YEAR_2026)
    assert AuditEvent.objects.filter(action="schedules.holiday_add", actor=operator_kab_a).exists()


def test_a_local_holiday_needs_a_name(client: Client, org: Org, operator_kua_a: User) -> None:
    client.force_login(operator_kua_a)
    response = client.post(page(org.kua_a.pk), {"date": "2026-10-06", "action": "add"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Holiday.objects.filter(unit=org.kua_a).exists()


def test_operator_makes_a_national_holiday_a_working_day_for_their_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    response = client.post(
        page(org.kua_a.pk), {"date": INDEPENDENCE_DAY.isoformat(), "action": "drop"}
    )
    assert response.status_code == 302
    shown = client.get(page(org.kua_a.pk), {"year": 2026})
    days = shown.context["days"]
    assert (INDEPENDENCE_DAY, "Hari Kemerdekaan Republik Indonesia", False) in days
    assert INDEPENDENCE_DAY in holiday_dates(org.man_a, *YEAR_2026)
    said = [str(message) for message in shown.context["messages"]]
    assert said == ["17-08-2026 kini menjadi hari kerja untuk unit ini."]  # as the calendar


def test_another_units_calendar_is_a_404(client: Client, org: Org, operator_kua_a: User) -> None:
    client.force_login(operator_kua_a)
    assert client.get(page(org.kua_b.pk)).status_code == 404
    response = client.post(page(org.kua_b.pk), {"date": "2026-10-06", "name": "X", "action": "add"})
    assert response.status_code == 404
    assert not Holiday.objects.filter(unit=org.kua_b).exists()


def test_a_verifier_reads_the_calendar_but_cannot_change_it(client: Client, org: Org) -> None:
    client.force_login(user_with_role(Role.VERIFIER, org.kua_a))
    response = client.get(page(org.kua_a.pk))
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    posted = client.post(page(org.kua_a.pk), {"date": "2026-10-06", "name": "X", "action": "add"})
    assert posted.status_code == 404
    assert not Holiday.objects.filter(unit=org.kua_a).exists()


def test_the_year_asked_is_kept_within_bounds(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    assert client.get(page(org.kua_a.pk), {"year": "1900"}).context["year"] == 2000
    assert client.get(page(org.kua_a.pk), {"year": "nonsense"}).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client: Client, org: Org) -> None:
    response = client.get(page(org.kua_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
