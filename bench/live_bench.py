"""Benchmark: the live view (``/presensi/langsung/<unit>/``) of a KUA, a Kankemenag and a Kanwil.

Why: a Pimpinan keeps the live page open; it reloads itself every minute. A Kanwil's page
evaluates today for every employee below it (100,000 in the check-in benchmark's data), so one
open page costs a worker that long once a minute.

How: against the check-in benchmark's database (built by ``make bench-checkin`` if missing), in
one transaction that is rolled back: a Pimpinan account over the Kanwil, and a datang today for
nine employees in ten (a tenth of them late), inserted with SQL. Then each unit's page is
fetched through Django's test client ``--runs`` times, each computing the board; it prints the
median and worst seconds, the seconds of one more fetch that finds the board shared (a second
viewer in the same minute; a KUA's board is never shared), the queries and the page's size. No target is judged: the figures are the README's.

Run: ``make bench-live`` or ``.venv/bin/python bench/live_bench.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import checkin_bench  # noqa: E402
import checkin_data as data  # noqa: E402


class _Rollback(Exception):
    """Raised to leave the benchmark database as it was."""


TODAYS_DATANG = """
INSERT INTO presence_punch (employee_id, at, recorded_at, source, counts, flags, device_id,
    idempotency_key, prev_hash, hash)
SELECT e.id,
       date_trunc('day', now() AT TIME ZONE u.timezone) AT TIME ZONE u.timezone
           + interval '7 hours' + (e.id %% 10 = 0)::int * interval '40 minutes'
           + (e.id %% 25) * interval '1 minute',
       now(), 'app', true, '', '', '', '', 'bench-live'
FROM org_employee e JOIN org_unit u ON u.id = e.unit_id
WHERE e.id %% 10 <> 5
ON CONFLICT DO NOTHING
"""


def page_times(client: object, unit_id: int, runs: int) -> tuple[list[float], float, int, int, int]:
    """Seconds of each fetch that computes the board, of one more that finds it shared (a
    second viewer in the same minute), then the status, queries and bytes of the last
    computing fetch."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("presence:live", args=[unit_id])
    seconds = []
    for _ in range(runs):
        cache.clear()  # each fetch computes the board (viewers in the same minute share one)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - started)
        count = len(queries)  # now: the next request empties the log the count reads
    started = time.perf_counter()
    client.get(url, secure=True)  # type: ignore[attr-defined]
    shared = time.perf_counter() - started
    return seconds, shared, response.status_code, count, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="hadir_bench", help="a check-in benchmark database")
    parser.add_argument("--runs", type=int, default=5, help="fetches of each page")
    args = parser.parse_args()

    data.django_on(args.db)
    from django.db import connection, transaction
    from django.test import Client

    from hadir.accounts.models import User
    from hadir.org.models import Employee, Role, RoleAssignment, Unit

    kanwil = Unit.objects.get(parent=None)
    kankemenag = Unit.objects.filter(parent=kanwil).order_by("pk").first()
    kua = Unit.objects.filter(parent=kankemenag).order_by("pk").first()
    if kankemenag is None or kua is None:
        raise SystemExit(f"{args.db} has no Kankemenag with a KUA below it")

    print(f"Hadir live-view benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine:  {os.cpu_count()} CPU(s), {checkin_bench.cpu_model()}, "
          f"Python {platform.python_version()}; {checkin_bench.postgres_version()}")  # fmt: skip
    print(f"data:     {args.db}; a datang today for 9 employees in 10; {args.runs} fetches each")
    print()
    print(
        f"{'unit':<28}{'employees':>10}{'median s':>10}{'worst s':>9}{'shared s':>10}"
        f"{'queries':>9}{'KB':>6}"
    )
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(TODAYS_DATANG, [])
            user = User.objects.create(username="bench-live-pimpinan")
            RoleAssignment.objects.create(user=user, role=Role.LEADER, unit=kanwil)
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            for unit in (kua, kankemenag, kanwil):
                staff = Employee.objects.filter(unit__path__startswith=unit.path).count()
                seconds, shared, status, queries, size = page_times(client, unit.pk, args.runs)
                if status != 200:
                    raise SystemExit(f"{unit.name}: HTTP {status}")
                print(f"{unit.name[:27]:<28}{staff:>10,}{statistics.median(seconds):>10.2f}"
                      f"{max(seconds):>9.2f}{shared:>10.3f}{queries:>9}{size // 1024:>6}")  # fmt: skip
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
