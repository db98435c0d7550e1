"""After an edit of a special period's hours, a unit's periods or a pattern's code, the stored
days equal a fresh evaluation of the same days.

Each test stores March 2024 for a few people, makes one edit the way people make it, and
compares every stored day with what the rules say of it now (``stale``) and the recap with a
recap computed from scratch (``recap_from_scratch``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hadir.org.models import Employee
from hadir.presence.imports import punches_import
from hadir.recap.evaluation import evaluate_dates, reasons_to_json
from hadir.recap.models import EmployeeDay, EmployeeMonthTally, StaleTally
from hadir.recap.services import days_refresh_many
from hadir.schedules import cache
from hadir.schedules.models import SpecialPeriod, SpecialPeriodDay
from tests.clock import Clock
from tests.factories import UserFactory, pattern
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    Sleman,
    attend,
    committed,
    daily_json,
    local,
    march,
    person,
    recap_json,
    stored,
)

FIELDS = ("status", "working", "tl_minutes", "psw_minutes", "tl_class", "psw_class", "meal")


def stale(*employees: Employee) -> dict[tuple[str, date], Any]:
    """Every stored day that differs from a fresh evaluation: (name, date) -> (stored, fresh)."""
    cache.clear()
    found: dict[tuple[str, date], Any] = {}
    for employee in employees:
        employee = Employee.objects.select_related("unit__default_pattern", "pattern").get(
            pk=employee.pk
        )
        rows = stored(employee)
        fresh = evaluate_dates(employee, list(rows))
        for day, row in rows.items():
            got = (*(row[f] for f in FIELDS), row["reasons"])
            now = fresh.get(day)
            want = (
                None
                if now is None
                else (*(getattr(now, f) for f in FIELDS), reasons_to_json(now.reasons))
            )
            if got != want:
                found[employee.name, day] = (got[:-1], want and want[:-1])
    return found


def recap_from_scratch(month: str = "2024-03") -> dict[str, Any]:
    """The recap as it would be with nothing stored before it."""
    EmployeeDay.objects.all().delete()
    EmployeeMonthTally.objects.all().delete()
    StaleTally.objects.all().delete()
    cache.clear()
    return recap_json(month)


@pytest.fixture
def admin_site(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def siti(sleman: Sleman) -> Employee:
    """KUA Mlati (KANTOR_5H), 07:50–15:05 on every working day of March."""
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, FIVE_DAY_WORKDAYS, "07:50", "15:05")
    return siti


@pytest.fixture
def stored_march(siti: Employee, clock: Clock) -> None:
    days_refresh_many(employees=[siti], start=march(1), end=march(31))
    clock.set(local(date(2024, 4, 2), "11:00"))


def period_form(
    *, start: str, end: str, hours: list[dict[str, Any]], initial: int = 0
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ramadan 1445 H",
        "start": start,
        "end": end,
        "units": [],
        "all_units": "on",
        "days-TOTAL_FORMS": len(hours),
        "days-INITIAL_FORMS": initial,
        "days-MIN_NUM_FORMS": 0,
        "days-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(hours):
        data.update({f"days-{index}-{key}": value for key, value in row.items()})
    return data


# ---------------------------------------------------------------- special periods


@pytest.mark.usefixtures("stored_march")
def test_special_period_hours_for_some_weekdays_change_the_other_weekdays_too(
    admin_site: Client, siti: Employee
) -> None:
    """The admin adds a special period for the week of 18–22 March with hours for Monday to
    Thursday of KANTOR_5H. A period's hours replace the pattern's whole week, so Friday 22
    March is now a day without hours (LIBUR) for a fresh evaluation; the stored Friday must
    follow (or the schedule and the stored day disagree)."""
    hours = [
        {"weekday": wd, "start": "08:00", "end": "15:00", "pattern": pattern().pk}
        for wd in range(4)
    ]
    with committed():
        response = admin_site.post(
            reverse("admin:schedules_specialperiod_add"),
            period_form(start="2024-03-18", end="2024-03-22", hours=hours),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored_recap = recap_json()["Siti Hasanah"]
    fresh = stale(siti)
    assert stored_recap == recap_from_scratch()["Siti Hasanah"]
    assert fresh == {}, "Friday 22 March keeps its normal-schedule verdict"


@pytest.mark.usefixtures("stored_march")
def test_deleting_the_only_hours_row_of_a_special_period_restores_the_other_weekdays(
    siti: Employee,
) -> None:
    """A one-day emergency schedule: Monday 18 March only, in a period covering 18–22 March.
    While it stands, Tuesday–Friday have no hours for KANTOR_5H; deleting that row restores
    the pattern's week on all five days, not only on Monday."""
    with committed():
        period = SpecialPeriod.objects.create(name="Darurat", start=march(18), end=march(22))
        SpecialPeriodDay.objects.create(
            period=period, pattern=pattern(), weekday=0, start="08:00", end="15:00"
        )
    days_refresh_many(employees=[siti], start=march(1), end=march(31))  # stored afresh
    assert {stored(siti)[march(d)]["status"] for d in (19, 20, 21, 22)} == {"LIBUR"}
    assert stale(siti) == {}
    with committed():
        SpecialPeriodDay.objects.get().delete()
    assert stale(siti) == {}


@pytest.mark.usefixtures("stored_march")
def test_clearing_a_units_special_periods_from_the_unit_side_refreshes_its_days(
    sleman: Sleman, siti: Employee
) -> None:
    """A period for KUA Mlati only, Monday–Friday hours; then the unit's periods are cleared
    (``unit.special_periods.clear()``): the reverse m2m clear sends ``pk_set=None``."""
    with committed():
        period = SpecialPeriod.objects.create(
            name="Ramadan", start=march(18), end=march(22), all_units=False
        )
        for wd in range(5):
            SpecialPeriodDay.objects.create(
                period=period, pattern=pattern(), weekday=wd, start="08:00", end="15:00"
            )
        period.units.add(sleman.kua)
    assert stored(siti)[march(18)]["tl_minutes"] == 0
    with committed():
        sleman.kua.special_periods.clear()
    assert stale(siti) == {}


# ---------------------------------------------------------------- work patterns


@pytest.mark.usefixtures("stored_march")
def test_a_work_patterns_new_code_reaches_the_explanations_of_its_stored_days_off(
    siti: Employee,
) -> None:
    """Every stored day off carries the pattern's code in its explanation (``DAY_OFF``,
    ``pattern=KANTOR_5H``). Renaming the code in the admin leaves the stored Saturdays and
    Sundays of March explaining themselves with a code that no longer exists; a fresh
    evaluation names the new one. Only ``flexible_break`` owes a refresh."""
    office = pattern()
    office.code = "KANTOR_5H_2024"
    with committed():
        office.save()
    assert stale(siti) == {}


def test_punches_imported_before_a_corrected_start_date_count_once_the_day_is_in_service(
    sleman: Sleman, tmp_path: Path
) -> None:
    """DOMAIN.md §4 step 2 and step 6: punches inside the presensi window count, and a working
    day is TK only when there is no datang, no pulang and no waiver at all.

    Siti's start was typed as Tuesday 5 March; the machine log with her 07:20 and 16:05 of
    Monday 4 March is imported, then the operator corrects her start to 4 March (a corrected
    start is an ordinary edit: the recap re-reads her days). Monday 4 March is now a day of
    her service on which she punched in and out on time: H with no TL/PSW, not TK (3 % TUKIN
    and a discipline day, §5). The import's flag said what it saw then; the evaluation judges
    the punch as her dates stand now (found by a review helper).
    """
    siti = person(sleman.kua, "Siti Hasanah", start=march(5))
    log = tmp_path / "mesin.csv"
    log.write_text(
        f"nip,time\n{siti.nip},2024-03-04T07:20:00+07:00\n{siti.nip},2024-03-04T16:05:00+07:00\n",
        encoding="utf-8",
    )
    punches_import(path=log, actor_label="operator")
    with committed():
        siti.start = march(4)
        siti.save()

    day = daily_json(unit="KUA-MLATI")["Siti Hasanah"][march(4)]
    assert (day["status"], day["datang"], day["pulang"]) == ("H", "07:20", "16:05")
    assert (day["late_minutes"], day["early_minutes"]) == (0, 0)
