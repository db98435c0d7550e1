"""Benchmark: a month of 100,000 employees evaluated and recapped, a day refreshed, a unit's page.

Why: at month's end a Kanwil's kepegawaian office needs every TUKIN and uang makan figure, and
during the month each check-in and each decided request must update a day at once. Frappe HRMS's
auto-attendance takes ~30 s for a few days × 1,000 employees and times out at 2,100. Targets on a
2-core machine, on PostgreSQL:

* a full month's evaluation and recap for 100,000 employees: at most 60 s;
* one employee-day refresh (what a check-in or an approval triggers): at most 50 ms;
* the unit recap page for 5,000 employees: at most 500 ms of server time.

How: the organisation (100,000 employees in 1,001 units) comes from the check-in benchmark's
empty database (``bench/checkin_data.py``; built here if missing) as a template; one month of
punches (about 4 M: two a working day, with late, early and missing ones) and approved requests
for a few percent of employees are written with COPY into ``hadir_recap_bench``. Then, in this
process, with the bench settings: (1) ``days_refresh_parallel`` (a worker process per core, as
``finalize_days --workers``) + ``recap_month`` over everyone, with no day stored before (the
month as first evaluated), (2) ``days_refresh`` of single employee-days, (3) ``GET
/rekap/unit/<kankemenag>/`` through Django's test client as an admin (server time: request in,
response out), (4) the month evaluated again over its stored days (as ``finalize_days`` at the
month's end; no target, for comparison).

Run: ``make bench-recap`` or ``.venv/bin/python bench/recap_bench.py [--fresh]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import checkin_data as data  # noqa: E402
import psycopg  # noqa: E402

MONTH = date(2026, 10, 1)
GENERATOR_VERSION = "r1"
REQUEST_SHARE = 0.03
TARGET_MONTH_S = 60.0
TARGET_REFRESH_MS = 50.0
TARGET_PAGE_MS = 500.0


def month_workdays() -> list[date]:
    last = (MONTH + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days = [MONTH + timedelta(days=n) for n in range((last - MONTH).days + 1)]
    return [d for d in days if d.weekday() < 5]


def build(name: str, template: str, employees: int) -> None:
    """``name`` from the organisation template plus a month of punches and some requests."""
    started = time.monotonic()
    data.create_database(name, template=template)
    rng = random.Random(7)
    tz = ZoneInfo(data.TZ_NAME)
    workdays = month_workdays()
    with psycopg.connect(data.db_url(name)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET session_replication_role = replica")  # past the append-only triggers
        conn.execute("DELETE FROM presence_punch")
        ids = [row[0] for row in conn.execute("SELECT id FROM org_employee ORDER BY id").fetchall()]
        punch_columns = ["employee_id", "at", "recorded_at", "source", "accuracy_m", "device_id", "idempotency_key",
                         "counts", "flags", "prev_hash", "hash"]  # fmt: skip

        def punches() -> Iterator[list[object]]:
            n = 0
            now = datetime.now(UTC)
            for employee_id in ids:
                for day in workdays:
                    roll = rng.random()
                    if roll < 0.03:
                        continue
                    arrive = (
                        7 * 60 + 30 + (rng.randint(-40, -1) if roll < 0.85 else rng.randint(1, 100))
                    )
                    leave = 16 * 60 + (rng.randint(0, 45) if roll < 0.93 else -rng.randint(5, 60))
                    for minutes in (arrive, leave) if roll < 0.97 else (arrive,):
                        n += 1
                        at = datetime(
                            day.year,
                            day.month,
                            day.day,
                            minutes // 60,
                            minutes % 60,
                            rng.randint(0, 59),
                            tzinfo=tz,
                        )
                        yield [
                            employee_id,
                            at,
                            now,
                            "MACHINE",
                            None,
                            "",
                            "",
                            True,
                            "",
                            "",
                            f"r{n:012d}",
                        ]

        data.copy_rows(conn, "presence_punch", punch_columns, punches())
        data.log("punches written")
        request_columns = ["reference", "employee_id", "category", "code", "start", '"end"', "session", "reason",
                           "status", "created_at", "submitted_at", "decided_at", "decision_note", "imported"]  # fmt: skip
        chosen = rng.sample(ids, int(len(ids) * REQUEST_SHARE))

        def requests() -> Iterator[list[object]]:
            now = datetime.now(UTC)
            for n, employee_id in enumerate(chosen, start=1):
                day = rng.choice(workdays)
                if n % 2:
                    yield [f"PGD-2026-B{n:06d}", employee_id, "PENGADUAN", "SISTEM_ERROR", day, day, "PAGI", "bench",
                           "APPROVED", now, now, now, "", True]  # fmt: skip
                else:
                    end = min(day + timedelta(days=2), workdays[-1])
                    yield [f"KTH-2026-B{n:06d}", employee_id, "KETIDAKHADIRAN", "DL", day, end, "", "bench",
                           "APPROVED", now, now, now, "", True]  # fmt: skip

        data.copy_rows(conn, "requests_request", request_columns, requests())
        conn.execute("DELETE FROM recap_employeeday")
        data.write_meta(conn, {"recap_version": GENERATOR_VERSION, "recap_employees": len(ids)})
        conn.commit()
        conn.execute("ANALYZE")
    data.log(f"built {name} in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="hadir_recap_bench")
    parser.add_argument(
        "--template", default="hadir_bench_empty", help="organisation database to copy"
    )
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--reuse-days",
        action="store_true",
        help="keep the stored days and time only the recap, refresh and page",
    )
    parser.add_argument("--data-only", action="store_true", help="build the data and stop")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes evaluating the month (finalize_days --workers); default: one per core",
    )
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "hadir.config.settings.bench"
    os.environ["DATABASE_URL"] = data.db_url(args.db)
    scale = data.Scale(employees=args.employees, punches=0, drivers=2000)
    if not data.meta_matches(data.read_meta(args.template), scale, punches=0):
        print(f"building the organisation template {args.template}…", flush=True)
        import checkin_bench

        checkin_bench.django_setup()
        data.build_org(args.template, scale, encode_session=checkin_bench.encode_session,
                       migrate=lambda: checkin_bench.migrate(args.template))  # fmt: skip
    meta = data.read_meta(args.db)
    if (
        args.fresh
        or meta.get("recap_version") != GENERATOR_VERSION
        or meta.get("recap_employees") != str(args.employees)
    ):
        print(f"building {args.db} (one month of punches)…", flush=True)
        build(args.db, args.template, args.employees)
    if args.data_only:
        return

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # a database built by older code gets new tables
    from django.test import Client

    from hadir.accounts.models import User
    from hadir.org.models import Employee, Unit
    from hadir.recap.selectors import recap_month
    from hadir.recap.services import days_refresh, days_refresh_parallel

    last = (MONTH + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM presence_punch")
        punch_count = cursor.fetchone()[0]
        if not args.reuse_days:
            # The month as first evaluated (after a migration, an import of the month's machine
            # logs): nothing stored yet. Re-evaluating a stored month is measured at the end.
            cursor.execute("TRUNCATE recap_employeeday, recap_employeemonthtally")

    started = time.perf_counter()
    everyone = list(
        Employee.objects.select_related("unit__default_pattern", "pattern").order_by("pk")
    )
    written = (
        0
        if args.reuse_days
        else days_refresh_parallel(
            employee_ids=[e.pk for e in everyone], start=MONTH, end=last, workers=args.workers
        )
    )
    evaluated = time.perf_counter() - started
    recaps = sum(
        1 for _ in recap_month(employees=Employee.objects.all(), month=MONTH, ensure=False)
    )
    month_seconds = time.perf_counter() - started
    print(f"month: {written:,} employee-days evaluated and stored in {evaluated:.1f} s "
          f"({args.workers} worker processes); recap of {recaps:,} employees; "
          f"total {month_seconds:.1f} s", flush=True)  # fmt: skip

    rng = random.Random(3)
    sample = rng.sample(everyone, 200)
    timings = []
    for employee in sample:
        day = rng.choice(month_workdays())
        t0 = time.perf_counter()
        days_refresh(employee=employee, dates=[day])
        timings.append((time.perf_counter() - t0) * 1000)
    refresh_p50 = statistics.median(timings)
    refresh_p99 = sorted(timings)[int(len(timings) * 0.99) - 1]

    office = Unit.objects.filter(kind=Unit.Kind.KANKEMENAG).order_by("pk").first()
    assert office is not None
    head_count = Employee.objects.filter(unit__path__startswith=office.path).count()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    url = f"/rekap/unit/{office.pk}/?bulan={MONTH:%Y-%m}"
    page_times = []
    for _ in range(6):
        t0 = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        page_times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    page_ms = statistics.median(page_times[1:])

    again = None
    if not args.reuse_days:
        t0 = time.perf_counter()
        days_refresh_parallel(
            employee_ids=[e.pk for e in everyone], start=MONTH, end=last, workers=args.workers
        )
        again = time.perf_counter() - t0

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"data: {len(everyone):,} employees, {punch_count:,} punches in {MONTH:%Y-%m}")
    print(f"{'measure':48} {'value':>12} {'target':>10}  verdict")
    print(
        f"{'full month evaluation + recap (s)':48} {month_seconds:12.1f} {TARGET_MONTH_S:10.0f}  {verdict(month_seconds <= TARGET_MONTH_S)}"
    )
    print(
        f"{'one employee-day refresh p50 (ms)':48} {refresh_p50:12.1f} {TARGET_REFRESH_MS:10.0f}  {verdict(refresh_p50 <= TARGET_REFRESH_MS)}"
    )
    print(f"{'one employee-day refresh p99 (ms)':48} {refresh_p99:12.1f} {'':>10}")
    label = f"unit recap page, {head_count:,} employees (ms)"
    print(
        f"{label:48} {page_ms:12.0f} {TARGET_PAGE_MS:10.0f}  {verdict(page_ms <= TARGET_PAGE_MS)}"
    )
    if again is not None:
        print(f"{'re-evaluation of the stored month, no recap (s)':48} {again:12.1f}")


if __name__ == "__main__":
    main()
