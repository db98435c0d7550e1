"""Shared fixtures: a small two-regency organisation and the people who work in it.

::

    Kanwil
    ├── Kankemenag A ── KUA A, MAN A
    └── Kankemenag B ── KUA B

Each leaf unit has two employees; the Kankemenag offices have one each.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer
from django.db import connection
from django.test import TestCase
from django.test.testcases import LiveServerThread
from django.utils import translation

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from tests.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    pattern,
)


@dataclass
class Org:
    kanwil: Unit
    kab_a: Unit
    kua_a: Unit
    man_a: Unit
    kab_b: Unit
    kua_b: Unit

    def employees(self, unit: Unit) -> list[Employee]:
        return list(Employee.objects.filter(unit=unit).order_by("nip"))


class LiveRequests:
    """What the live server is answering, so a test's end can wait for its last request.

    A browser closed mid-request leaves the server answering it (or a connection still queued
    for it): flushing the database under that request fails the next test at random.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answering = 0
        self._last = time.monotonic()

    def answer(self, handle: Callable[[], None]) -> None:
        with self._lock:
            self._answering += 1
        try:
            handle()
        finally:
            with self._lock:
                self._answering -= 1
                self._last = time.monotonic()

    def wait_until_quiet(self, quiet_s: float = 0.3, at_most_s: float = 15.0) -> None:
        """Wait until nothing has been answered for ``quiet_s`` (a queued connection is
        accepted at once, so a quiet spell means the queue is empty too)."""
        deadline = time.monotonic() + at_most_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._answering and time.monotonic() - self._last >= quiet_s:
                    return
            time.sleep(0.05)
        raise AssertionError(f"the live server was still answering after {at_most_s} s")


LIVE_REQUESTS = LiveRequests()


class SerialWSGIServer(WSGIServer):
    """The live server answering one request at a time (and closing each connection).

    On SQLite its threads share the test's in-memory connection: a browser's parallel requests
    on it fail at random ("bad parameter or other API misuse"). PostgreSQL keeps Django's
    threaded server, a connection per thread.
    """

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the server thread already uses the override

    def finish_request(self, request: Any, client_address: Any) -> None:
        LIVE_REQUESTS.answer(
            lambda: super(SerialWSGIServer, self).finish_request(request, client_address)
        )


class CountedThreadedWSGIServer(ThreadedWSGIServer):
    """Django's threaded live server, its requests counted in ``LIVE_REQUESTS``."""

    def finish_request(self, request: Any, client_address: Any) -> None:
        LIVE_REQUESTS.answer(
            lambda: super(CountedThreadedWSGIServer, self).finish_request(request, client_address)
        )


@pytest.fixture(scope="session", autouse=True)
def counted_live_server() -> None:
    """One request at a time on SQLite; on either database, requests counted."""
    if connection.vendor == "sqlite":
        LiveServerThread.server_class = SerialWSGIServer  # type: ignore[assignment]
    else:
        LiveServerThread.server_class = CountedThreadedWSGIServer


@pytest.fixture
def org(db: None) -> Org:
    kanwil = UnitFactory.create(code="KANWIL", name="Kanwil", kind=Unit.Kind.KANWIL)
    kab_a = UnitFactory.create(
        code="KAB-A", name="Kankemenag A", kind=Unit.Kind.KANKEMENAG, parent=kanwil
    )
    kua_a = UnitFactory.create(code="KUA-A", name="KUA A", kind=Unit.Kind.KUA, parent=kab_a)
    man_a = UnitFactory.create(
        code="MAN-A",
        name="MAN A",
        kind=Unit.Kind.MADRASAH_NEGERI,
        parent=kab_a,
        default_pattern=pattern("MADRASAH_5H"),
    )
    kab_b = UnitFactory.create(
        code="KAB-B", name="Kankemenag B", kind=Unit.Kind.KANKEMENAG, parent=kanwil
    )
    kua_b = UnitFactory.create(code="KUA-B", name="KUA B", kind=Unit.Kind.KUA, parent=kab_b)
    for unit in (kab_a, kab_b):
        EmployeeFactory.create(unit=unit)
    for unit in (kua_a, man_a, kua_b):
        EmployeeFactory.create_batch(2, unit=unit)
    return Org(kanwil, kab_a, kua_a, man_a, kab_b, kua_b)


def user_with_role(role: str, unit: Unit | None) -> User:
    """A fresh user holding ``role`` over ``unit`` (and everything under it)."""
    assignment = RoleAssignmentFactory.create(role=role, unit=unit)
    return assignment.user


@pytest.fixture
def operator_kua_a(org: Org) -> User:
    return user_with_role(Role.OPERATOR, org.kua_a)


@pytest.fixture
def operator_kab_a(org: Org) -> User:
    return user_with_role(Role.OPERATOR, org.kab_a)


@pytest.fixture
def admin_user(db: None) -> User:
    return user_with_role(Role.ADMIN, None)


@pytest.fixture
def employee_user(org: Org) -> User:
    """A plain Pegawai of KUA A with an account and no role."""
    user = UserFactory.create()
    employee = org.employees(org.kua_a)[0]
    employee.user = user
    employee.save(update_fields=["user"])
    return user


@contextmanager
def committed() -> Iterator[None]:
    """The block's changes as if committed: what waits for the commit (the refresh of stored
    days a calendar or policy edit owes) runs at the end of the block. A test's own
    transaction never commits, so an edit made before the block would leave a drain that the
    block's edits join and never run: refused, to keep a test from passing on another edit's
    refresh."""
    from hadir.recap.refreshes import drains_waiting

    assert not drains_waiting(), "an earlier edit owes a refresh: make it in committed() too"
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


@pytest.fixture
def in_another_process(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """Edits made within it, committed at its end, reach this process only as another
    process's would: through the database (this process's cache is not told)."""
    from hadir.schedules import cache

    @contextmanager
    def editing() -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(cache, "clear", lambda: None)
            with committed():
                yield

    return editing


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    """Schedules and policy are cached per process for 30 s, big live boards for a minute; no
    test may see another's."""
    from django.core.cache import cache as django_cache

    from hadir.schedules import cache

    cache.clear()
    django_cache.clear()  # and the live boards shared for a minute
    yield
    cache.clear()
    django_cache.clear()


@pytest.fixture(autouse=True)
def site_language() -> Iterator[None]:
    """Every test starts in the site's language, as a command or a fresh request does: a request
    through LocaleMiddleware leaves its language active in the thread, so an English request
    would otherwise turn the messages of the tests after it English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Evidence letters and exports go to a fresh directory that disappears with the test."""
    root = tmp_path / "private"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def tallies_match_stored_days(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test with a database: once the months marked stale are recounted (as any
    read of tallies does first), each employee-month with stored days has a tally, and every
    tally equals a recount of its month's stored days (whatever wrote them)."""
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # set up first, so it is torn down after this check
            break
    else:
        if request.node.get_closest_marker("django_db") is None:
            yield
            return
    yield
    from hadir.recap.models import EmployeeDay, EmployeeMonthTally, StaleTally
    from hadir.recap.services import tallies_settle

    tallies_settle(StaleTally.objects.values_list("employee_id", flat=True))
    assert not StaleTally.objects.exists(), "a stale mark outlived the recount of its month"
    from hadir.recap.tallies import (
        DAY_FIELDS,
        TALLY_FIELDS,
        StoredDay,
        TallyRow,
        run_carried,
        tally_row,
        year_to_date,
    )

    days: dict[tuple[int, date], list[StoredDay]] = defaultdict(list)
    for employee_id, *values in EmployeeDay.objects.values_list("employee_id", *DAY_FIELDS):
        days[employee_id, values[0].replace(day=1)].append(StoredDay(*values))
    tallies = {
        (employee_id, month): TallyRow(*values)
        for employee_id, month, *values in EmployeeMonthTally.objects.values_list(
            "employee_id", "month", *TALLY_FIELDS
        )
    }
    assert set(days) <= set(tallies), "a month with stored days has no tally"
    years: dict[tuple[int, int], list[tuple[date, TallyRow]]] = defaultdict(list)
    for (employee_id, month), _ in sorted(tallies.items()):
        years[employee_id, month.year].append(
            (month, tally_row(days.get((employee_id, month), [])))
        )
    for (employee_id, year), months in sorted(years.items()):
        december = date(year - 1, 12, 1)
        carried = run_carried(december, tallies.get((employee_id, december)))
        for (month, _), recounted in zip(months, year_to_date(months, carried), strict=True):
            assert tallies[employee_id, month] == recounted, f"{employee_id} {month}: stale"
