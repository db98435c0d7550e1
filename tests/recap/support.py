"""Builders shared by the recap tests: a Kankemenag with its units, March 2024 worked by hand.

The month is March 2024, whose national calendar is known: Friday 1 March; Monday 11 March is
Nyepi and Tuesday 12 March its cuti bersama; Friday 29 March is Wafat Yesus Kristus and Sunday
31 March Kebangkitan Yesus Kristus. The clock stands on Tuesday 2 April 2024, 10:00 WIB: the
month is over (every day of it can be evaluated) and not yet closable (the deadline is 5 days
after month end, so closing opens on Saturday 6 April).

Every employee here starts on 1 March 2024, so the year-to-date discipline figures are the
month's own and can be worked out by hand.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import connection
from django.test import Client

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.presence.models import Punch
from hadir.recap.models import EmployeeDay
from hadir.requests.evidence import evidence_store
from hadir.requests.imports import ExcuseImportReport, excuses_import
from hadir.requests.models import Request
from hadir.requests.services import NewRequest, request_submit
from tests.conftest import committed as committed
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory
from tests.presence.support import punch_append

WIB = ZoneInfo("Asia/Jakarta")
FIRST_OF_MARCH = date(2024, 3, 1)
TODAY = date(2024, 4, 2)
"""Tuesday 2 April 2024: the clock of every recap test unless a test moves it."""


def march(day: int) -> date:
    return date(2024, 3, day)


def local(day: date, hhmm: str, tz: ZoneInfo = WIB) -> datetime:
    """An aware instant: ``hhmm`` (or ``hh:mm:ss``) on ``day`` in ``tz`` (WIB by default)."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=tz)


def dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# Working days of March 2024, counted on a calendar (not by the code under test).
FIVE_DAY_WORKDAYS = [march(d) for d in (1, 4, 5, 6, 7, 8, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 27, 28)]  # fmt: skip
"""KANTOR_5H and MADRASAH_5H: 21 weekdays less Nyepi (11), its cuti bersama (12), Good Friday (29)."""
SIX_DAY_SUNDAY_OFF_WORKDAYS = [march(d) for d in (1, 2, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 30)]  # fmt: skip
"""MADRASAH_6H_MINGGU: 26 days Monday–Saturday less 11, 12 and 29 March."""
SIX_DAY_FRIDAY_OFF_WORKDAYS = [march(d) for d in (2, 3, 4, 5, 6, 7, 9, 10, 13, 14, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 30)]  # fmt: skip
"""MADRASAH_6H_JUMAT: 26 days Saturday–Thursday less 11, 12 and Easter Sunday 31 March."""


# ---------------------------------------------------------------- people


def person(
    unit: Unit,
    name: str,
    golongan: str = "III/a",
    *,
    pattern: Any = None,
    start: date = FIRST_OF_MARCH,
    account: bool = False,
    pppk: bool = False,
) -> Employee:
    """An employee of ``unit`` counting from ``start`` (with a login account if asked)."""
    employee = EmployeeFactory.create(
        unit=unit, name=name, golongan=golongan, pattern=pattern, start=start, pppk=pppk
    )
    if account:
        employee.user = UserFactory.create(username=employee.nip)
        employee.save(update_fields=["user"])
    return employee


def leader_of(unit: Unit, employee: Employee | None = None) -> User:
    """A Pimpinan of ``unit``: ``employee``'s account when given, else a bare user."""
    user = UserFactory.create() if employee is None else employee.user
    assert user is not None
    RoleAssignmentFactory.create(user=user, role=Role.LEADER, unit=unit)
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- punches and requests


def punch(employee: Employee, day: date, hhmm: str) -> Punch:
    """A fingerprint-machine punch at ``hhmm`` on ``day`` in the unit's own time zone, sealed
    onto the employee's chain."""
    at = local(day, hhmm, ZoneInfo(employee.unit.timezone))
    return punch_append(employee, Punch(employee=employee, at=at, source=Punch.Source.MACHINE))


def attend(
    employee: Employee,
    days: Iterable[date],
    datang: str,
    pulang: str,
    *,
    instead: dict[date, Sequence[str]] | None = None,
) -> None:
    """Punch ``datang`` and ``pulang`` on each of ``days``; ``instead`` gives some days other
    punches (an empty list: none at all)."""
    instead = instead or {}
    for day in days:
        for hhmm in instead.get(day, (datang, pulang)):
            punch(employee, day, hhmm)


def file_request(
    actor: Any,
    employee: Employee,
    code: str,
    start: date,
    end: date | None = None,
    session: str = "",
) -> Request:
    """``actor`` files a request for ``employee`` with a PDF letter, as Laporan Baru does."""
    from tests.requests.support import pdf_letter

    letter = evidence_store(content=pdf_letter(), original_name="surat.pdf", user=actor)
    return request_submit(
        actor=actor,
        employee=employee,
        new=NewRequest(code=code, start=start, end=end or start, session=session, reason="Surat."),
        evidence=letter,
    )


def with_account(employee: Employee) -> User:
    """Give ``employee`` a login account (if they have none) and return it."""
    if employee.user is None:
        employee.user = UserFactory.create(username=employee.nip)
        employee.save(update_fields=["user"])
    return employee.user


def import_excuses(tmp_path: Path, *lines: str) -> ExcuseImportReport:
    """Approved requests recorded through the operator's import (``nip,code,start,end,session``)."""
    path = tmp_path / f"keterangan-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text("\n".join(["nip,code,start,end,session", *lines]) + "\n", encoding="utf-8")
    return excuses_import(path=path, actor_label="test")


# ---------------------------------------------------------------- reading results


def recap_command(*args: str) -> bytes:
    """What ``manage.py recap ARGS`` writes (to ``--output``, so stdout stays the test's)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "out"
        call_command("recap", *args, "--output", str(target), stderr=io.StringIO())
        return target.read_bytes()


def recap_json(month: str = "2024-03", unit: str | None = None) -> dict[str, dict[str, Any]]:
    """``manage.py recap --month M [--unit U] --format json``, by employee name."""
    rows = json.loads(recap_command("--month", month, *_unit(unit), "--format", "json"))
    return {row["name"]: row for row in rows}


def daily_json(
    month: str = "2024-03", unit: str | None = None
) -> dict[str, dict[date, dict[str, Any]]]:
    """``manage.py recap --month M [--unit U] --format json --daily``, by name and date."""
    rows = json.loads(recap_command("--month", month, *_unit(unit), "--format", "json", "--daily"))
    by_name: dict[str, dict[date, dict[str, Any]]] = {}
    for row in rows:
        by_name.setdefault(row["name"], {})[date.fromisoformat(row["date"])] = row
    return by_name


def _unit(code: str | None) -> list[str]:
    return ["--unit", code] if code else []


def stored(employee: Employee) -> dict[date, dict[str, Any]]:
    """Every stored day of the employee, every column (``evaluated_at`` included)."""
    return {
        row["date"]: dict(row)
        for row in EmployeeDay.objects.filter(employee=employee).values().order_by("date")
    }


@dataclass
class Sleman:
    """Kankemenag Sleman and the units the scenarios work in.

    ::

        Kankemenag Sleman (KANTOR_5H)
        ├── KUA Mlati (KANTOR_5H)
        ├── KUA Depok (KANTOR_5H)          another unit, another Pimpinan
        ├── MAN 2 Sleman (MADRASAH_5H)
        └── MTs Al-Ikhlas (MADRASAH_6H_MINGGU; a teacher on MADRASAH_6H_JUMAT)
    """

    kankemenag: Unit
    kua: Unit
    kua_depok: Unit
    man: Unit
    mts: Unit


def advisory_locks_held() -> int:
    """The advisory locks (employees' writers' locks) this connection holds now (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        (held,) = cursor.fetchone()
    return int(held)


def locks_held_at(monkeypatch: Any, module: Any, name: str) -> list[int]:
    """The advisory locks this connection holds each time ``module.name`` is called, in call
    order (the list fills as the test runs)."""
    held: list[int] = []
    call = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        held.append(advisory_locks_held())
        return call(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return held
