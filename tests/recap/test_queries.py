"""The unit recap page and its exports read the database a fixed number of times, however many
employees the unit has (5 or 40, each with March 2024 stored day by day)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hadir.org.models import Unit
from hadir.recap.services import days_refresh_many
from hadir.schedules import cache
from hadir.schedules.services import holiday_year_ensure
from tests.factories import UnitFactory, pattern
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    Sleman,
    attend,
    leader_of,
    logged_in,
    march,
    person,
)


def staffed_unit(sleman: Sleman, code: str, size: int) -> Unit:
    """A KUA of ``size`` employees with March stored: the first two came on time every working
    day but the 5th (late) and the 6th (left early); the rest never came (TK)."""
    unit = UnitFactory.create(
        code=code, name=f"KUA {code}", parent=sleman.kankemenag, default_pattern=pattern()
    )
    people = [person(unit, f"Pegawai {code} {n:02d}") for n in range(size)]
    for employee in people[:2]:
        attend(
            employee,
            FIVE_DAY_WORKDAYS,
            "07:25",
            "16:35",
            instead={march(5): ["07:50", "16:35"], march(6): ["07:25", "15:00"]},
        )
    days_refresh_many(employees=people, start=march(1), end=march(31))
    return unit


@pytest.fixture
def small_and_big(sleman: Sleman) -> tuple[tuple[Unit, Client], tuple[Unit, Client]]:
    small = staffed_unit(sleman, "KECIL", 5)
    big = staffed_unit(sleman, "BESAR", 40)
    return (small, logged_in(leader_of(small))), (big, logged_in(leader_of(big)))


def queries(send: Callable[..., Any], url: str, data: dict[str, str]) -> list[str]:
    """The SQL a request runs, with the process caches cold (as after their 30 s)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert send(url, data).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_unit_recap_page_runs_as_many_queries_for_40_employees_as_for_5(
    small_and_big: tuple[tuple[Unit, Client], tuple[Unit, Client]],
) -> None:
    counts = []
    for unit, client in small_and_big:
        url = f"/rekap/unit/{unit.pk}/"
        response = client.get(url, {"bulan": "2024-03"})  # warm: nothing left to evaluate
        assert response.status_code == 200
        counts.append(len(queries(client.get, url, {"bulan": "2024-03"})))
    small, big = counts
    assert small == big, f"5 employees: {small} queries, 40 employees: {big}"
    assert big <= 25


def test_the_filtered_and_sorted_unit_page_is_flat_too(
    small_and_big: tuple[tuple[Unit, Client], tuple[Unit, Client]],
) -> None:
    wanted = {"bulan": "2024-03", "q": "pegawai", "tampil": "tk", "urut": "tk"}
    counts = [
        len(queries(client.get, f"/rekap/unit/{unit.pk}/", wanted))
        for unit, client in small_and_big
    ]
    assert counts[0] == counts[1]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "json"])
@pytest.mark.parametrize("daily", [False, True])
def test_the_export_runs_as_many_queries_for_40_employees_as_for_5(
    small_and_big: tuple[tuple[Unit, Client], tuple[Unit, Client]], fmt: str, daily: bool
) -> None:
    form = {"format": fmt, **({"daily": "1"} if daily else {})}
    counts = []
    for unit, client in small_and_big:
        url = f"/rekap/unit/{unit.pk}/ekspor/?bulan=2024-03"
        assert client.post(url, form).status_code == 200
        counts.append(len(queries(client.post, url, form)))
    assert counts[0] == counts[1], f"5 employees: {counts[0]} queries, 40: {counts[1]}"
    assert counts[1] <= 45


def test_a_first_visit_evaluating_the_missing_days_is_flat_as_well(sleman: Sleman) -> None:
    """Nobody has stored anything yet: the page evaluates the month set-wise, not per person,
    and reads the policy once per change of it, not once per day."""
    holiday_year_ensure(2024)  # filled once per year, by whichever request comes first
    counts = []
    for code, size in (("SEDIKIT", 5), ("BANYAK", 40)):
        unit = UnitFactory.create(code=code, name=code, parent=sleman.kankemenag)
        for n in range(size):
            person(unit, f"Pegawai {code} {n:02d}")
        client = logged_in(leader_of(unit))
        url = f"/rekap/unit/{unit.pk}/"
        counts.append(len(queries(client.get, url, {"bulan": "2024-03"})))
    assert counts[0] == counts[1], f"5 employees: {counts[0]} queries, 40: {counts[1]}"
    # One for the December before (a run of TK open at its end goes on), one for the
    # sanctions decided that run this month, one for those decided this year (set beside the
    # discipline list's proposals).
    assert counts[1] <= 48


def test_the_unit_page_reads_month_tallies_not_stored_days(
    small_and_big: tuple[tuple[Unit, Client], tuple[Unit, Client]],
) -> None:
    """A Kankemenag of 5,000 is one small row per employee-month, not 110,000 days."""
    (_, _), (big, client) = small_and_big
    url = f"/rekap/unit/{big.pk}/"
    client.get(url, {"bulan": "2024-03"})
    sql = queries(client.get, url, {"bulan": "2024-03"})
    assert any("recap_employeemonthtally" in q for q in sql)
    assert not [q for q in sql if "recap_employeeday" in q.replace("employeedaytally", "")]
