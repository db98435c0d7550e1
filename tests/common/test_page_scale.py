"""Pages and operations cost what they show, not the data behind it: the admin's punch list
and a machine's PIN map, the verification queue, the recap of a unit with closings below it.
Not timed tests: queries, rows evaluated, recapped or read by SQL, counted as the data grows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.presence.models import Punch
from hadir.recap.models import EmployeeDay, PeriodClose
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory
from tests.presence.support import add_location, punch_append

WIB = ZoneInfo("Asia/Jakarta")


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory.create(is_superuser=True, is_staff=True)


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_queries(client: Client, url: str, data: dict[str, str] | None = None) -> int:
    client.get(url, data or {})  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200, response.status_code
    return len(captured)


# ---------------------------------------------------------------- admin changelists (N+1)


def test_the_punch_admin_list_costs_the_same_queries_however_many_app_punches_it_shows(
    org: Org, superuser: User
) -> None:
    """``Location.__str__`` reads ``self.unit.code``; PunchAdmin selects ``location`` but not
    ``location__unit``: one query per app punch on the page (hadir/presence/admin.py:15,
    hadir/org/models.py:274)."""
    employee = org.employees(org.kua_a)[0]
    location = add_location(org.kua_a)
    client = admin_client(superuser)
    url = reverse("admin:presence_punch_changelist")

    def add(n: int, first: date) -> None:
        for i in range(n):
            punch_append(
                employee,
                Punch(
                    employee=employee,
                    at=at(first + timedelta(days=i), "07:20"),
                    source=Punch.Source.APP,
                    location=location,
                ),
            )

    add(3, date(2024, 1, 1))
    few = count_queries(client, url)
    add(30, date(2024, 2, 1))
    many = count_queries(client, url)
    assert many == few, f"3 punches: {few} queries; 33 punches: {many}"


def test_a_machines_admin_page_costs_the_same_queries_however_many_pins_it_has(
    org: Org, superuser: User
) -> None:
    """The machine's PIN map is an inline with an autocomplete ``employee`` on every row
    (hadir/presence/admin.py:27-38): each row's widget reads its chosen employee, and
    ``MachinePin.__str__`` reads ``self.machine`` again: a machine of 2,000 PINs is thousands
    of queries (and 2,000 forms, unpaginated)."""
    from hadir.presence.models import Machine, MachinePin

    machine = Machine.objects.create(unit=org.kua_a, name="Mesin", serial="ZK-0001")
    people = EmployeeFactory.create_batch(25, unit=org.kua_a)
    client = admin_client(superuser)
    url = reverse("admin:presence_machine_change", args=[machine.pk])
    for n, employee in enumerate(people[:2]):
        MachinePin.objects.create(machine=machine, pin=str(n + 1), employee=employee)
    few = count_queries(client, url)
    for n, employee in enumerate(people[2:], start=2):
        MachinePin.objects.create(machine=machine, pin=str(n + 1), employee=employee)
    many = count_queries(client, url)
    assert many == few, f"2 PINs: {few} queries; 25 PINs: {many}"


# ---------------------------------------------------------------- verification queue


def test_the_queue_evaluates_only_the_days_around_each_employees_own_requests(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``days_around`` takes one date range for the whole page, from the earliest request's
    start to the latest one's end, and evaluates, stores and reads it for EVERY employee on the
    page (hadir/requests/selectors.py:127-135): 200 requests spread over a month (or a backlog
    of several) are 200 x 30+ employee-days instead of 200 x ~5. Here Siti's request of 4 March
    makes her whole February evaluated and stored because Budi's request is of 1 February."""
    from tests.requests.conftest import _employee_with_account
    from tests.requests.support import file_request

    clock = Clock(at(date(2024, 3, 6), "10:00"))  # Wednesday: February still open (first week)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    siti = _employee_with_account(org.employees(org.kua_a)[0], "siti@kua-a.example")
    budi = _employee_with_account(org.employees(org.kua_a)[1], "budi@kua-a.example")
    verifier = user_with_role(Role.VERIFIER, org.kab_a)
    file_request(siti, "SISTEM_ERROR", date(2024, 3, 4))
    file_request(budi, "SISTEM_ERROR", date(2024, 2, 1))
    # What the page shows of Siti: 2 to 8 March (two days either side of her 4 March).
    outside = EmployeeDay.objects.filter(employee=siti).exclude(
        date__range=(date(2024, 3, 2), date(2024, 3, 8))
    )
    before = outside.count()
    client = admin_client(verifier)
    response = client.get(reverse("requests:queue"))
    assert response.status_code == 200
    added = outside.count() - before
    assert added == 0, (
        f"{added} of Siti's days outside what the queue shows were evaluated, stored and read"
    )


# ---------------------------------------------------------------- closed months (snapshots)

from tests.recap.conftest import sleman  # noqa: E402, F401  (the fixture)
from tests.recap.support import Sleman, leader_of, person  # noqa: E402

MARCH = date(2024, 3, 1)


@pytest.fixture
def april_6(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Saturday 6 April 2024, 08:00 WIB: March can be closed."""
    clock = Clock(at(date(2024, 4, 6), "08:00"))
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def _close(unit: Unit, month: date = MARCH) -> PeriodClose:
    from hadir.recap.periods import period_close

    return period_close(actor=user_with_role(Role.OPERATOR, unit), unit=unit, month=month)


def _reopen(closing: PeriodClose) -> None:
    from hadir.recap.periods import period_reopen

    period_reopen(actor=user_with_role(Role.ADMIN, None), closing=closing)


def test_a_kankemenag_page_does_not_recap_again_whom_a_closing_below_froze(
    sleman: Sleman,  # noqa: F811
    april_6: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``live_recaps`` (hadir/recap/reports.py:83-94) computes ``recap_month`` for every
    employee of the unit, then drops those whose rows a closing below froze; and the page reads
    every employee's NIP and id besides (hadir/recap/views.py:183). A Kanwil whose 1,000 KUA
    have closed still recaps all its 100,000 employees to show none of them live."""
    from hadir.recap import reports

    computed: list[int] = []
    from hadir.recap.selectors import recap_month as original

    def counting(**kwargs: Any) -> Iterator[Any]:
        for recap in original(**kwargs):
            computed.append(recap.employee.pk)
            yield recap

    monkeypatch.setattr(reports, "recap_month", counting)
    person(sleman.kua_depok, "Dewi")  # live: KUA Depok stays open
    people = [person(sleman.kua, f"Pegawai Mlati {n}") for n in range(2)]
    viewer = admin_client(leader_of(sleman.kankemenag))
    url = reverse("recap:unit_month", args=[sleman.kankemenag.pk])

    def wasted() -> int:
        computed.clear()
        assert viewer.get(url, {"bulan": "2024-03"}).status_code == 200
        frozen = {p.pk for p in Employee.objects.filter(unit=sleman.kua)}
        return len([pk for pk in computed if pk in frozen])

    closing = _close(sleman.kua)
    small = wasted()
    _reopen(closing)
    people += [person(sleman.kua, f"Pegawai Mlati {n}") for n in range(2, 12)]
    _close(sleman.kua)
    big = wasted()
    assert (small, big) == (0, 0), (
        f"frozen employees recapped anyway: {small} of 2 frozen, {big} of 12 frozen"
    )


def test_reading_the_closings_below_a_unit_costs_the_same_per_row_however_many_there_are(
    db: None,
) -> None:
    """``frozen_of`` (hadir/recap/reports.py:74-79) rebuilds ``taken`` from all rows so far for
    each closing below the unit: O(closings x rows). A Kanwil with 1,000 closed KUA (100,000
    rows) reads about 50 M NIPs per page view. Counted here as NIP lookups per frozen row."""
    from hadir.recap import reports

    lookups = 0

    class Row(dict):  # type: ignore[type-arg]
        def __getitem__(self, key: str) -> Any:
            nonlocal lookups
            if key == "nip":
                lookups += 1
            return super().__getitem__(key)

    kanwil = UnitFactory.create(code="KW", name="Kanwil", kind=Unit.Kind.KANWIL)
    closer = UserFactory.create()

    def closings(count: int) -> float:
        nonlocal lookups
        PeriodClose.objects.all().delete()
        for _n in range(count):
            kua = UnitFactory.create(parent=kanwil)
            PeriodClose.objects.create(
                unit=kua,
                month=MARCH,
                closed_by=closer,
                snapshot=[{"nip": f"{kua.code}-{i}", "unit": kua.code} for i in range(5)],
                daily_snapshot=[],
            )
        original = PeriodClose.from_db.__func__  # type: ignore[attr-defined]

        def wrapped(cls: Any, /, db: Any, field_names: Any, values: Any, **kw: Any) -> PeriodClose:
            obj: PeriodClose = original(cls, db, field_names, values, **kw)
            obj.snapshot = [Row(r) for r in obj.snapshot]
            return obj

        lookups = 0
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(PeriodClose, "from_db", classmethod(wrapped))
            frozen = reports.frozen_of(kanwil, MARCH)
        return lookups / len(frozen.rows)

    few, many = closings(4), closings(40)
    assert many <= few, f"NIP lookups per frozen row: {few:.1f} with 4 closings, {many:.1f} with 40"


# ---------------------------------------------------------------- rows read by SQL (PostgreSQL)


def _rows_scanned(plan: dict[str, Any]) -> int:
    """Rows the plan's scans read (actual rows x loops at each scan node)."""
    own = 0
    if "Scan" in plan["Node Type"]:
        own = int(plan.get("Actual Rows", 0)) * int(plan.get("Actual Loops", 1))
    return own + sum(_rows_scanned(child) for child in plan.get("Plans", []))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="counts rows in PostgreSQL's EXPLAIN ANALYZE plans: run by .ci/run's PostgreSQL pass",
)
def test_the_punch_admin_list_does_not_read_the_whole_punch_table(
    org: Org, superuser: User
) -> None:
    """The punch changelist (hadir/presence/admin.py:9-15) shows 100 rows but its
    ``date_hierarchy = "at"`` asks MIN/MAX(at) and then the distinct years over every punch,
    and no index leads with ``at`` (only (employee_id, at, source)); the paginator counts them
    all besides. hadir_bench (10 M punches): MIN/MAX(at) alone is a full index scan, 1.4 s;
    a national table grows ~150 M a year. Counted here as rows the plans read."""
    employee = org.employees(org.kua_a)[0]
    client = admin_client(superuser)
    url = reverse("admin:presence_punch_changelist")
    made = 0

    def grow_to(total: int) -> int:
        nonlocal made
        start = datetime(2020, 1, 1, tzinfo=WIB)
        Punch.objects.bulk_create(
            Punch(
                employee=employee,
                at=start + timedelta(hours=n),
                source=Punch.Source.MACHINE,
                prev_hash="x",
                hash="x",
            )
            for n in range(made, total)
        )
        made = total
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE presence_punch")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        scanned = 0
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if "presence_punch" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                scanned += _rows_scanned(plan[0]["Plan"])
        return scanned

    few, many = grow_to(150), grow_to(1500)
    assert many <= few, f"punch rows read for one page: {few} at 150 punches, {many} at 1,500"
