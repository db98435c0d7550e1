"""Benchmark: an operator's upload of a Kabupaten's machine logs, checked, written and evaluated.

Why: a Kankemenag's Pengelola Presensi uploads the month's fingerprint-machine export for all of
its madrasah and KUA in one file (up to ``EMPLOYEES_PER_FILE`` employees). The upload is one web
request and one transaction: it must finish well inside the worker's timeout (the README deploys
with 120 s), and it must not slow down as the punch table grows.

How: a CSV (``nip,time``) of ``--employees`` employees picked at random, a datang and a pulang
on each of ``--days`` working days, is imported with ``punches_import`` in this process against
the check-in benchmark's database (100,000 employees and, by default, its 10 M punches; built
by ``make bench-checkin`` if missing), inside a transaction that is rolled back, so the database
is the same for the next run. It prints the rows, the seconds, the queries and rows per second,
for a day's file and a month's. No target is judged: the figures are the README's.

Run: ``make bench-import`` or ``.venv/bin/python bench/import_bench.py [--db hadir_bench_empty]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import checkin_bench  # noqa: E402
import checkin_data as data  # noqa: E402

FIRST_DAY = date(2026, 10, 1)


class _Rollback(Exception):
    """Raised to leave the benchmark database as it was."""


def working_days(count: int) -> list[date]:
    days = [FIRST_DAY + timedelta(days=n) for n in range(count * 2)]
    return [d for d in days if d.weekday() < 5][:count]


def punch_file(nips: list[str], days: list[date], directory: Path) -> Path:
    lines = ["nip,time"]
    for day in days:
        for n, nip in enumerate(nips):
            lines.append(f"{nip},{day} 07:{n % 50:02d}:00+07:00")
            lines.append(f"{nip},{day} 16:{n % 50:02d}:00+07:00")
    path = directory / f"punches-{len(nips)}x{len(days)}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def import_once(path: Path) -> tuple[int, float, int]:
    """Rows recorded, seconds and queries of one import, rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from hadir.presence.imports import punches_import

    started = time.perf_counter()
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            report = punches_import(path=path, actor_label="bench")
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return report.recorded, seconds, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="hadir_bench", help="a check-in benchmark database")
    parser.add_argument("--employees", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=20, help="working days in the month's file")
    args = parser.parse_args()

    data.django_on(args.db)
    from django.db import connection

    from hadir.org.models import Employee

    random.seed(15)
    ids = list(Employee.objects.values_list("pk", flat=True))
    chosen = random.sample(ids, min(args.employees, len(ids)))
    nips = list(Employee.objects.filter(pk__in=chosen).values_list("nip", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM presence_punch")
        (stored,) = cursor.fetchone()

    print(f"Hadir import benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine:  {os.cpu_count()} CPU(s), {checkin_bench.cpu_model()}, "
          f"Python {platform.python_version()}; {checkin_bench.postgres_version()}")  # fmt: skip
    print(f"data:     {args.db}, {len(ids):,} employees, {stored:,} punches stored")
    print()
    print(f"{'file':<36}{'rows':>8}{'seconds':>10}{'queries':>9}{'rows/s':>9}")
    with tempfile.TemporaryDirectory() as directory:
        for label, days in (("a day", 1), ("a month", args.days)):
            path = punch_file(nips, working_days(days), Path(directory))
            rows, seconds, queries = import_once(path)
            name = f"{label}: {len(nips):,} employees × {days} day{'s' if days > 1 else ''}"
            print(f"{name:<36}{rows:>8,}{seconds:>10.2f}{queries:>9,}{rows / seconds:>9,.0f}")


if __name__ == "__main__":
    main()
