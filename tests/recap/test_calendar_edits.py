"""Calendar edits made the way people make them (the admin's forms) keep stored days true.

The admin saves a special period first and its hours (inline rows) and units afterwards; an
edit may move a period's dates or a holiday to another day. Every one of those steps must
re-evaluate the stored days it affects, or the recap keeps the old schedule.

Siti (KUA Mlati, KANTOR_5H) came at 07:50 and left at 15:05 from Monday 25 to Thursday 28 March:
on the normal schedule (07:30–16:00) that is TL 20 (TL1) and PSW 55 (PSW2) each day. Under
Ramadan hours for the office pattern (Monday–Thursday 08:00–15:00) she is on time. A teacher at
MAN 2 Sleman (MADRASAH_5H, no Ramadan hours given) is never affected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from hadir.recap.services import days_refresh_many
from hadir.schedules.models import Holiday, SpecialPeriod
from hadir.schedules.services import holiday_add
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import UserFactory, pattern
from tests.recap.support import (
    Sleman,
    attend,
    committed,
    dates,
    local,
    march,
    person,
    stored,
)

RAMADAN_WEEK = dates(march(25), march(28))
NORMAL = (20, 1, 55, 2)
"""TL minutes, TL class, PSW minutes, PSW class of a 07:50–15:05 day on 07:30–16:00."""
RAMADAN = (0, 0, 0, 0)


@pytest.fixture
def siti(sleman: Sleman) -> Employee:
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, [march(21), march(22), *RAMADAN_WEEK], "07:50", "15:05")
    return siti


@pytest.fixture
def guru(sleman: Sleman) -> Employee:
    guru = person(sleman.man, "Guru Madrasah")
    attend(guru, [march(21), march(22), *RAMADAN_WEEK], "06:50", "15:35")
    return guru


@pytest.fixture
def stored_march(siti: Employee, guru: Employee, clock: Clock) -> None:
    """March stored for both, as the nightly runs left it."""
    days_refresh_many(employees=[siti, guru], start=march(1), end=march(31))
    clock.set(local(date(2024, 4, 2), "11:00"))


@pytest.fixture
def admin_site(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    return client


def figures(employee: Employee, day: date) -> tuple[int, int, int, int]:
    row = stored(employee)[day]
    return (row["tl_minutes"], row["tl_class"], row["psw_minutes"], row["psw_class"])


def period_form(
    *,
    start: str,
    end: str,
    units: list[int] | None = None,
    hours: list[dict[str, Any]] | None = None,
    initial: int = 0,
) -> dict[str, Any]:
    """The admin's special-period form: the period, its units and its inline hours."""
    data: dict[str, Any] = {
        "name": "Ramadan 1445 H",
        "start": start,
        "end": end,
        "units": units or [],
        "days-TOTAL_FORMS": len(hours or []),
        "days-INITIAL_FORMS": initial,
        "days-MIN_NUM_FORMS": 0,
        "days-MAX_NUM_FORMS": 1000,
    }
    if units is None:
        data["all_units"] = "on"
    for index, row in enumerate(hours or []):
        data.update({f"days-{index}-{key}": value for key, value in row.items()})
    return data


def office_ramadan_hours(**extra: Any) -> list[dict[str, Any]]:
    """Monday–Thursday 08:00–15:00 for KANTOR_5H."""
    return [
        {"weekday": weekday, "start": "08:00", "end": "15:00", "pattern": pattern().pk, **extra}
        for weekday in range(4)
    ]


def add_ramadan(admin_site: Client, **form: Any) -> SpecialPeriod:
    with committed():
        response = admin_site.post(
            reverse("admin:schedules_specialperiod_add"),
            period_form(start="2024-03-25", end="2024-03-28", hours=office_ramadan_hours(), **form),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return SpecialPeriod.objects.get()


@pytest.mark.usefixtures("stored_march")
def test_a_special_period_added_in_the_admin_with_its_hours_re_evaluates_its_days(
    admin_site: Client, siti: Employee, guru: Employee, clock: Clock
) -> None:
    before = {e.name: stored(e) for e in (siti, guru)}
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [NORMAL] * 4
    add_ramadan(admin_site)
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [RAMADAN] * 4
    assert {d: r for d, r in stored(siti).items() if d not in RAMADAN_WEEK} == {
        d: r for d, r in before["Siti Hasanah"].items() if d not in RAMADAN_WEEK
    }
    assert stored(guru) == before["Guru Madrasah"]


@pytest.mark.usefixtures("stored_march")
def test_a_special_period_for_some_units_re_evaluates_the_days_of_those_units_only(
    admin_site: Client, sleman: Sleman, siti: Employee, guru: Employee
) -> None:
    other = person(sleman.kua_depok, "Pegawai Depok")
    attend(other, RAMADAN_WEEK, "07:50", "15:05")
    days_refresh_many(employees=[other], start=march(25), end=march(28))
    add_ramadan(admin_site, units=[sleman.kua.pk])
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [RAMADAN] * 4
    assert [figures(other, d) for d in RAMADAN_WEEK] == [NORMAL] * 4


@pytest.mark.usefixtures("stored_march")
def test_shortening_a_special_period_in_the_admin_restores_the_normal_schedule_on_the_dropped_days(
    admin_site: Client, siti: Employee
) -> None:
    period = add_ramadan(admin_site)
    rows = [
        {**row, "id": day.pk, "period": period.pk}
        for row, day in zip(office_ramadan_hours(), period.days.order_by("weekday"), strict=True)
    ]
    with committed():
        response = admin_site.post(
            reverse("admin:schedules_specialperiod_change", args=[period.pk]),
            period_form(start="2024-03-25", end="2024-03-26", hours=rows, initial=len(rows)),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [RAMADAN, RAMADAN, NORMAL, NORMAL]


@pytest.mark.usefixtures("stored_march")
def test_deleting_a_special_period_restores_the_normal_schedule(
    admin_site: Client, siti: Employee
) -> None:
    period = add_ramadan(admin_site)
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [RAMADAN] * 4
    with committed():
        period.delete()
    assert [figures(siti, d) for d in RAMADAN_WEEK] == [NORMAL] * 4


@pytest.mark.usefixtures("stored_march")
def test_moving_a_holiday_to_another_date_makes_the_old_date_a_working_day_again(
    admin_site: Client, sleman: Sleman, siti: Employee, guru: Employee
) -> None:
    operator: User = user_with_role(Role.OPERATOR, sleman.kua)
    with committed():
        holiday = holiday_add(unit=sleman.kua, day=march(22), name="Hari jadi", actor=operator)
    assert stored(siti)[march(22)]["status"] == "LIBUR"

    with committed():
        response = admin_site.post(
            reverse("admin:schedules_holiday_change", args=[holiday.pk]),
            {"date": "2024-03-21", "name": "Hari jadi", "unit": sleman.kua.pk,
             "source": "operator", "active": "on"},
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Holiday.objects.get(pk=holiday.pk).date == march(21)
    days = stored(siti)
    assert (days[march(21)]["status"], days[march(22)]["status"]) == ("LIBUR", "H")
    assert figures(siti, march(22)) == (20, 1, 85, 3)  # a Friday: the office closes at 16:30
    assert stored(guru)[march(21)]["status"] == "H"
