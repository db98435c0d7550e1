"""Moves in practice: a month's machine log after a mutasi reads no placement per row, a move
made in the admin leaves its date in the audit, a former unit's closing holds only what it
signed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Placement, Role, Unit
from hadir.presence.imports import punches_import
from hadir.recap.periods import PeriodClosed, period_close
from hadir.requests.services import RequestRefused
from hadir.schedules.services import holiday_add
from tests.clock import Clock
from tests.conftest import committed, user_with_role
from tests.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    pattern,
)
from tests.recap.support import Sleman, file_request, local, march, with_account
from tests.recap.test_moves import move, siti  # noqa: F401  (fixture and helper)

pytestmark = pytest.mark.django_db

MARCH = date(2024, 3, 1)
MONDAY_8_APRIL = date(2024, 4, 8)


# ------------------------------------------------------------------ machine imports after a move


def test_a_punch_files_queries_stay_flat_as_its_rows_grow_for_someone_who_moved(
    tmp_path: Path,
) -> None:
    """tests/presence/test_imports.py holds an import's queries flat as its rows grow. For an
    employee with an earlier placement covering the file's dates, every row now reads the
    placements again: _clock_written -> clock_on, _flag -> clock_at, the touched date ->
    clock_at, _check_closed_months -> clock_at and units_over (the latter computed before
    the verdict cache is looked up). A month's log after a mutasi (or a mere pattern change,
    which is a move too) costs several queries per row."""
    office = UnitFactory.create(code="KUA-MLATI", default_pattern=pattern("KANTOR_5H"))
    former = UnitFactory.create(code="KUA-DEPOK", default_pattern=pattern("KANTOR_5H"))
    employee = EmployeeFactory.create(unit=office, placed_since=date(2024, 3, 11))
    Placement.objects.create(employee=employee, unit=former, until=date(2024, 3, 10))

    def queries(rows: int) -> int:
        path = tmp_path / f"{rows}.csv"
        lines = [f"{employee.nip},2024-03-04 07:{m:02d}:{rows % 60:02d}" for m in range(rows)]
        path.write_text("\n".join(["nip,time", *lines]) + "\n", encoding="utf-8")
        with CaptureQueriesContext(connection) as captured:
            assert punches_import(path=path).recorded == rows
        return len(captured)

    queries(3)  # the first import of the day loads the calendar and policy cache
    assert queries(5) == queries(40)


# ------------------------------------------------------------------ the audit of a dated move


def test_a_move_dated_in_the_admin_leaves_its_date_in_the_audit(db: None) -> None:
    """A move's date decides which days keep the former unit and which are evaluated anew; a
    move from 18 March and a correction from the first day of attendance differ only by it.
    The admin writes it to Employee.placed_since (editable=False) and a Placement, but
    AuditedAdmin snapshots with model_to_dict, which skips non-editable fields: the audit row
    of the change shows the unit before and after, and not the date."""
    kua = UnitFactory.create(
        code="KUA-MLATI", kind=Unit.Kind.KUA, default_pattern=pattern("KANTOR_5H")
    )
    mts = UnitFactory.create(
        code="MTS-AL-IKHLAS",
        kind=Unit.Kind.MADRASAH_SWASTA,
        default_pattern=pattern("MADRASAH_6H_MINGGU"),
    )
    siti_employee = EmployeeFactory.create(name="Siti Hasanah", unit=kua, start=date(2024, 3, 1))
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("admin:org_employee_change", args=[siti_employee.pk]),
        {
            "nip": siti_employee.nip,
            "name": siti_employee.name,
            "kind": siti_employee.kind,
            "golongan": siti_employee.golongan,
            "position": "",
            "email": "",
            "unit": mts.pk,
            "pattern": "",
            "start": "2024-03-01",
            "end": "",
            "user": "",
            "unit_since": "2024-03-18",
        },
    )

    assert response.status_code == 302
    siti_employee.refresh_from_db()
    assert siti_employee.placed_since == date(2024, 3, 18)  # the move is dated...
    event = AuditEvent.objects.get(action="org.employee_move", object_id=str(siti_employee.pk))
    assert (event.before or {})["unit"] == "KUA-MLATI"
    assert (event.after or {})["unit"] == "MTS-AL-IKHLAS"
    assert (event.after or {})["since"] == "2024-03-18"  # ...and its audit row says from when


# ------------------------------------------------------------------ closed months after a move


def test_a_former_units_closing_does_not_freeze_days_it_neither_lived_nor_signed(
    tmp_path: Path,
    sleman: Sleman,
    siti: Employee,  # noqa: F811
    clock: Clock,
) -> None:
    """Siti moves from KUA Mlati to the MTs from 18 March. Since e2ed63a a month belongs to
    the unit of its last day: KUA Mlati's March closing does not list her (month_members).
    period_guard still checks every unit she was in during the *month* (units_over over the
    whole month), so that closing refuses the MTs a request for Monday 25 March, a day lived
    at the MTs whose March (hers) is open: only an admin can file or approve it."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    kua_operator = UserFactory.create()
    RoleAssignmentFactory.create(user=kua_operator, role=Role.OPERATOR, unit=sleman.kua)
    mts_operator = UserFactory.create()
    RoleAssignmentFactory.create(user=mts_operator, role=Role.OPERATOR, unit=sleman.mts)
    clock.set(local(date(2024, 4, 8), "08:00"))
    closing = period_close(actor=kua_operator, unit=sleman.kua, month=march(1))
    assert siti.nip not in {row["nip"] for row in closing.snapshot}  # her March is the MTs'
    siti.refresh_from_db()

    request = file_request(mts_operator, siti, "DL", march(25))  # raises RequestRefused 03-2024

    assert request.pk is not None


# ------------------------------------------------------------------ a month another unit closed


def test_a_holiday_of_the_former_unit_is_refused_to_its_operator_in_a_month_the_new_unit_closed(
    sleman: Sleman,
    siti: Employee,  # noqa: F811
    tmp_path: Path,
    clock: Clock,
) -> None:
    """Siti moves from KUA Mlati to the MTs from 18 March; the MTs closes March with her whole
    month in its signed recap (days 1–17 at the KUA included). A KUA holiday on 14 March
    would change one of those signed days: the KUA operator is refused, as for the KUA's own
    closing (found by a review helper)."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    clock.set(local(MONDAY_8_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.mts), unit=sleman.mts, month=MARCH
    )
    assert siti.nip in {row["nip"] for row in closing.snapshot}
    kua_operator = user_with_role(Role.OPERATOR, sleman.kua)

    with pytest.raises(PeriodClosed, match="03-2024"), committed():
        holiday_add(unit=sleman.kua, day=march(14), name="Hari jadi KUA", actor=kua_operator)


def test_a_request_in_a_month_the_former_unit_signed_is_refused_to_the_new_units_operator(
    sleman: Sleman,
    siti: Employee,  # noqa: F811
    tmp_path: Path,
    clock: Clock,
) -> None:
    """KUA Mlati signs Siti's whole March; a move to the MTs dated 18 March is entered after.
    Her March is paid from the KUA's signed figures (``periods.signed_elsewhere``): a cuti
    for 25 March filed by the MTs operator would change a signed month that no pay reads
    again, and is refused (found by a review helper)."""
    clock.set(local(MONDAY_8_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH
    )
    assert siti.nip in {row["nip"] for row in closing.snapshot}
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    siti.refresh_from_db()
    mts_operator = user_with_role(Role.OPERATOR, sleman.mts)

    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(mts_operator, siti, "CT", march(25))


def test_her_own_month_page_shows_the_figures_the_former_unit_signed(
    sleman: Sleman,
    siti: Employee,  # noqa: F811
    tmp_path: Path,
    clock: Clock,
) -> None:
    """KUA Mlati signed Siti's March; a move to the MTs dated 18 March came after. Her own
    page says the month is closed and shows the signed figures, as the exports pay them, not
    live ones no pay reads (suspected by a review helper)."""
    clock.set(local(MONDAY_8_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH
    )
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    siti.refresh_from_db()

    page = Client()
    page.force_login(with_account(siti))
    shown = page.get("/rekap/saya/", {"bulan": "2024-03"}).context

    assert shown["closing"] == closing
    assert shown["recap"] == next(row for row in closing.snapshot if row["nip"] == siti.nip)
