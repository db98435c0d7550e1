"""A retried tap records one punch: the idempotency key replays the first answer.

The phone retries on a weak signal with the same key, and a user may tap twice; under parallel
requests the employee's lock (hadir.common.locks) makes exactly one of them write.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from django.db import connection
from django.test import Client

from hadir.org.models import Employee
from hadir.presence.models import Punch, Refusal
from hadir.presence.services import Outcome, punch_check_in
from tests.factories import EmployeeFactory
from tests.presence.support import (
    MONDAY,
    SLEMAN,
    at_point,
    freeze_clock,
    local,
    needs_concurrent_writers,
    north_of,
    run_together,
)

MORNING = local(MONDAY, "07:20")
PARALLEL = 20


def test_the_same_key_twice_records_one_punch_and_the_second_answer_is_a_replay(
    employee: Employee,
) -> None:
    first = punch_check_in(
        employee=employee, check_in=at_point(idempotency_key="tap-1"), now=MORNING
    )
    second = punch_check_in(
        employee=employee,
        check_in=at_point(idempotency_key="tap-1"),
        now=local(MONDAY, "07:21"),
    )

    assert first.accepted
    assert not first.replayed
    assert second.accepted
    assert second.replayed
    assert second.punch == first.punch
    assert second.at == first.at == MORNING
    assert second.kind == first.kind == "DATANG"
    assert Punch.objects.count() == 1


def test_a_refused_key_replays_the_refusal_even_from_inside_the_office(
    employee: Employee,
) -> None:
    far = punch_check_in(
        employee=employee,
        check_in=at_point(north_of(SLEMAN, 2100), idempotency_key="tap-2"),
        now=MORNING,
    )
    again = punch_check_in(
        employee=employee,
        check_in=at_point(idempotency_key="tap-2"),
        now=local(MONDAY, "07:21"),
    )

    assert far.refusal is not None
    assert again.replayed
    assert not again.accepted
    assert again.refusal == far.refusal
    assert again.detail["distance_m"] == far.detail["distance_m"]
    assert Refusal.objects.count() == 1
    assert not Punch.objects.exists()


def test_different_keys_record_different_punches(employee: Employee) -> None:
    for minute, key in (("07:20", "tap-a"), ("07:21", "tap-b")):
        punch_check_in(
            employee=employee, check_in=at_point(idempotency_key=key), now=local(MONDAY, minute)
        )
    assert Punch.objects.count() == 2


def test_without_a_key_every_tap_is_a_new_punch(employee: Employee) -> None:
    for minute in ("07:20", "07:21"):
        outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, minute))
        assert not outcome.replayed
    assert Punch.objects.count() == 2


def test_a_key_belongs_to_one_employee(employee: Employee) -> None:
    colleague = EmployeeFactory.create(unit=employee.unit)
    for person in (employee, colleague):
        outcome = punch_check_in(
            employee=person, check_in=at_point(idempotency_key="tap-sama"), now=MORNING
        )
        assert outcome.accepted
        assert not outcome.replayed
    assert Punch.objects.count() == 2


# --- under concurrency --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_requests_with_one_key_over_http_record_exactly_one_punch(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, employee: Employee
) -> None:
    needs_concurrent_writers()
    freeze_clock(monkeypatch, MORNING)
    assert employee.user is not None
    browser = Client()
    browser.force_login(employee.user)
    session = browser.cookies["sessionid"].value
    token = "a" * 32  # an unmasked CSRF secret, sent as cookie and header alike
    body = json.dumps(
        {"latitude": SLEMAN[0], "longitude": SLEMAN[1], "accuracy_m": 10, "idempotency_key": "k1"}
    ).encode()

    def post(_: int) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 (the test's own live server)
            f"{live_server.url}/api/presensi/check-in",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Cookie": f"sessionid={session}; csrftoken={token}",
                "X-CSRFToken": token,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    answers = run_together(PARALLEL, post)

    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert Counter(status for status, _ in answers) == {201: 1, 200: PARALLEL - 1}
    assert sum(1 for _, body in answers if body["replayed"]) == PARALLEL - 1
    assert Punch.objects.count() == 1
    assert not Refusal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_service_calls_with_one_key_record_exactly_one_punch(
    employee: Employee,
) -> None:
    needs_concurrent_writers()

    def tap(_: int) -> Outcome:
        return punch_check_in(
            employee=Employee.objects.select_related("unit", "user").get(pk=employee.pk),
            check_in=at_point(idempotency_key="k2"),
            now=MORNING,
        )

    outcomes = run_together(PARALLEL, tap)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert all(o.accepted for o in outcomes)
    assert sum(1 for o in outcomes if not o.replayed) == 1
    assert len({o.punch.pk for o in outcomes}) == 1
    assert Punch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_employee_import_correcting_the_start_does_not_deadlock_a_check_in(
    employee: Employee, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import locks the employee rows, and saving a corrected start owes the drop of the
    days outside it, while a check-in holding the employee's lock has its punch's foreign key
    checked against that row at commit. With a full row lock the check-in would wait for the
    import to commit; the import now waits (here) for the check-in."""
    needs_concurrent_writers()
    from hadir.org.services import employees_import
    from hadir.recap import refreshes, signals

    rows_locked, check_in_done = threading.Event(), threading.Event()
    owe = refreshes.refresh_later
    waited: list[bool] = []

    def owe_after_the_check_in(*args: Any, **kwargs: Any) -> None:
        rows_locked.set()
        waited.append(check_in_done.wait(timeout=3))  # False: stuck behind the row lock
        owe(*args, **kwargs)

    monkeypatch.setattr(signals, "refresh_later", owe_after_the_check_in)
    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        f"{employee.nip},{employee.name},{employee.unit.code},KANTOR_5H,{employee.golongan},"
        f"{employee.start.replace(day=1) - timedelta(days=1):%Y-%m-%d}\n"
    )
    errors: list[BaseException] = []

    def guarded(work: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # surfaced by the assertion below
                errors.append(error)
            finally:
                connection.close()

        return run

    def check_in() -> None:
        assert rows_locked.wait(timeout=10)
        fresh = Employee.objects.select_related("unit", "user").get(pk=employee.pk)
        assert punch_check_in(employee=fresh, check_in=at_point(), now=MORNING).accepted
        check_in_done.set()

    importer = threading.Thread(target=guarded(lambda: employees_import(path=sheet)))
    tapper = threading.Thread(target=guarded(check_in))
    importer.start()
    tapper.start()
    importer.join(timeout=30)
    tapper.join(timeout=30)

    assert errors == []
    assert set(waited) == {True}  # the check-in never waited for the import
    assert Punch.objects.filter(employee=employee).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_twin_tap_refused_at_21_00_replays_the_punch_its_twin_is_still_recording(
    employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two taps of one key a moment apart, the first at 20:59:59 and admissible, the second at
    21:00:01 and outside the window: the second waits for the first to commit and answers with
    its punch, instead of keeping a refusal of the same key beside it."""
    needs_concurrent_writers()
    from hadir.presence import services

    first_holds_the_lock = threading.Event()
    remember = services._remember_device

    def remember_slowly(*args: Any, **kwargs: Any) -> None:
        first_holds_the_lock.set()
        threading.Event().wait(0.5)  # the twin arrives while the punch is being recorded
        remember(*args, **kwargs)

    monkeypatch.setattr(services, "_remember_device", remember_slowly)

    def tap(index: int) -> Outcome:
        fresh = Employee.objects.select_related("unit", "user").get(pk=employee.pk)
        if index == 0:
            now = local(MONDAY, "20:59") + timedelta(seconds=59)
        else:
            assert first_holds_the_lock.wait(timeout=10)
            now = local(MONDAY, "21:00") + timedelta(seconds=1)
        return punch_check_in(employee=fresh, check_in=at_point(idempotency_key="twin"), now=now)

    first, second = run_together(2, tap)

    assert isinstance(first, Outcome), first
    assert isinstance(second, Outcome), second
    assert first.accepted
    assert second.accepted
    assert second.replayed
    assert second.punch == first.punch
    assert Punch.objects.count() == 1
    assert not Refusal.objects.exists()
