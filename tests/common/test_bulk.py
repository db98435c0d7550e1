"""Bulk writes: the upsert inserts new rows and updates colliding ones, the insert adds rows, by
COPY or row by row."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from hadir.common.bulk import COPY_FROM_ROWS, EncodedJson, insert, read_rows, upsert
from hadir.recap.models import EmployeeDay
from tests.factories import EmployeeFactory

COLUMNS = ("employee", "date", "status", "working", "datang", "pulang", "tl_minutes",
           "psw_minutes", "tl_class", "psw_class", "meal", "reasons", "evaluated_at")  # fmt: skip
AT = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)


def rows(
    employee_id: int, count: int, status: str, datang: time | None, encoded: bool = False
) -> list[tuple[object, ...]]:
    value = [{"code": "TK", "params": {"n": "1"}}]
    reasons = EncodedJson(json.dumps(value)) if encoded else value
    return [
        (
            employee_id,
            date(2024, 1, 1) + timedelta(days=n),
            status,
            True,
            datang,
            None,
            5,
            0,
            1,
            0,
            False,
            reasons,
            AT,
        )
        for n in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("encoded", [False, True])
@pytest.mark.parametrize("count", [3, COPY_FROM_ROWS + 50])
def test_rows_are_inserted_then_updated_in_place_without_duplicates(
    count: int, encoded: bool
) -> None:
    employee = EmployeeFactory.create()
    upsert(EmployeeDay, COLUMNS, ("employee", "date"), rows(employee.pk, count, "H", time(7, 40)))
    first_ids = set(EmployeeDay.objects.values_list("id", flat=True))
    later = rows(employee.pk, count + 2, "TK", None, encoded=encoded)
    upsert(EmployeeDay, COLUMNS, ("employee", "date"), later)
    stored = EmployeeDay.objects.filter(employee=employee).order_by("date")
    assert stored.count() == count + 2
    assert first_ids <= set(stored.values_list("id", flat=True))
    day = stored.first()
    assert day is not None
    assert (day.status, day.datang, day.pulang, day.tl_minutes) == ("TK", None, None, 5)
    assert day.reasons == [{"code": "TK", "params": {"n": "1"}}]
    assert day.evaluated_at == AT
    stored.delete()  # made-up rows, not evaluated days: the suite checks those against tallies


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, COPY_FROM_ROWS + 50])
def test_inserted_rows_are_stored_as_given_and_a_collision_is_refused(count: int) -> None:
    employee = EmployeeFactory.create()
    insert(EmployeeDay, COLUMNS, rows(employee.pk, count, "H", time(7, 40), encoded=True))
    stored = EmployeeDay.objects.filter(employee=employee).order_by("date")
    assert stored.count() == count
    day = stored.last()
    assert day is not None
    assert (day.date, day.status, day.datang, day.tl_minutes) == (
        date(2024, 1, 1) + timedelta(days=count - 1),
        "H",
        time(7, 40),
        5,
    )
    assert day.reasons == [{"code": "TK", "params": {"n": "1"}}]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(EmployeeDay, COLUMNS, rows(employee.pk, count, "TK", None))
    assert set(stored.values_list("status", flat=True)) == {"H"}
    stored.delete()  # made-up rows, not evaluated days: the suite checks those against tallies


@pytest.mark.django_db
def test_nothing_to_write_runs_no_query(django_assert_num_queries: object) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        upsert(EmployeeDay, COLUMNS, ("employee", "date"), [])


@pytest.mark.django_db
def test_rows_read_in_bulk_equal_the_querysets_own() -> None:
    employee = EmployeeFactory.create()
    insert(EmployeeDay, COLUMNS, rows(employee.pk, 3, "H", time(7, 40)))
    stored = EmployeeDay.objects.filter(employee=employee).order_by("date")
    query = stored.values_list("employee_id", "date", "datang", "meal", "reasons", "evaluated_at")
    read = read_rows(query)
    assert read == list(query)
    assert read[0][-1].utcoffset() == timedelta(0)
    stored.delete()  # made-up rows, not evaluated days: the suite checks those against tallies
