"""Builders shared by the presence tests: a geofenced office, positions around it, a clock.

Dates are fixed so the national calendar is known: Monday 4 March 2024 is a working day,
Saturday 9 March is a day off for ``KANTOR_5H`` and Monday 11 March is Nyepi.
"""

from __future__ import annotations

import math
import threading
import time as monotonic
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from hadir.org.models import Employee, Location, Unit
from hadir.presence.chain import GENESIS, punch_seal
from hadir.presence.models import Punch
from hadir.presence.services import CheckIn
from hadir.rules.geo import EARTH_RADIUS_M

MONDAY = date(2024, 3, 4)
SATURDAY = date(2024, 3, 9)
NYEPI = date(2024, 3, 11)

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"

SLEMAN = (-7.716700, 110.355500)
"""The centre of the test office (near Kankemenag Sleman)."""


def local(day: date, hhmm: str, tz: str = WIB) -> datetime:
    """An aware instant: ``hhmm`` (or ``hh:mm:ss``) on ``day`` in the time zone ``tz``."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(tz))


def north_of(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point ``metres`` due north of ``origin`` (south when negative), to six decimals."""
    lat, lng = origin
    return round(lat + math.degrees(metres / EARTH_RADIUS_M), 6), lng


def east_of(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point ``metres`` due east of ``origin``, to six decimals."""
    lat, lng = origin
    degrees = math.degrees(metres / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lat, round(lng + degrees, 6)


def add_location(
    unit: Unit,
    name: str = "Kantor KUA",
    centre: tuple[float, float] = SLEMAN,
    *,
    radius_m: int = 100,
    tolerance_m: int = 50,
    polygon: list[list[float]] | None = None,
    active: bool = True,
) -> Location:
    """A titik lokasi of ``unit``: a circle around ``centre``, or ``polygon`` when given."""
    return Location.objects.create(
        unit=unit,
        name=name,
        latitude=Decimal(str(centre[0])),
        longitude=Decimal(str(centre[1])),
        radius_m=radius_m,
        accuracy_tolerance_m=tolerance_m,
        polygon=polygon,
        active=active,
    )


def at_point(
    point: tuple[float, float] = SLEMAN,
    *,
    accuracy_m: float = 12.0,
    device_id: str = "hp-siti",
    mock_location: bool = False,
    idempotency_key: str = "",
) -> CheckIn:
    """What a phone at ``point`` sends."""
    return CheckIn(
        latitude=point[0],
        longitude=point[1],
        accuracy_m=accuracy_m,
        device_id=device_id,
        mock_location=mock_location,
        idempotency_key=idempotency_key,
    )


def freeze_clock(monkeypatch: pytest.MonkeyPatch, start: datetime) -> Callable[[], datetime]:
    """Make the server's clock read ``start`` now and run on from there in real time.

    ``django.utils.timezone.now`` is what the check-in service and the API read; patching the
    module attribute reaches the live server too, because it runs in a thread of this process.
    """
    began = monotonic.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=monotonic.monotonic() - began)

    monkeypatch.setattr(timezone, "now", now)
    return now


def needs_concurrent_writers() -> None:
    """Skip on SQLite only: parallel-write tests are meant for the PostgreSQL run."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite takes one writer at a time: parallel writers to the in-memory test database "
            "fail with 'database table is locked', and the live server shares one connection "
            "among its threads. The PostgreSQL run (DATABASE_URL=postgres://…) checks this."
        )


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same instant; their results.

    Each thread closes its own database connection, as a request thread would.
    """
    gate = threading.Barrier(count)
    results: list[Any] = [None] * count

    def one(index: int) -> None:
        try:
            gate.wait()
            results[index] = work(index)
        except Exception as error:  # surfaced by the caller's assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def punch_append(employee: Employee, punch: Punch) -> Punch:
    """Seal ``punch`` onto the employee's chain and store it, as an import does (for tests that
    need punches without going through a file or the check-in)."""
    tail = (
        Punch.objects.filter(employee=employee)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
    )
    punch_seal(punch, tail or GENESIS)
    punch.save()
    return punch
