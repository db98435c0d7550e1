# ruff: noqa: F811  (fixtures imported from tests/recap are requested by name)
"""Dated changes meeting each other: a unit's new pattern and the people entered or moved in
after it, a second pattern, sheets uploaded again; a promotion dated in the admin.

The people and the month are those of the recap tests (``tests/recap/support.py``): March 2024 in Kankemenag Sleman, the clock on Tuesday
2 April 2024. MAN 2 Sleman works MADRASAH_5H (Monday–Friday); its Saturdays in March are
2, 9, 16, 23 and 30.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hadir.common.tables import TableRefused
from hadir.org.models import Employee
from hadir.org.services import employees_import, units_import
from hadir.recap.services import days_refresh_many
from tests.clock import Clock
from tests.factories import UserFactory
from tests.recap.conftest import clock, march_people, sleman  # noqa: F401  (fixtures)
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    Sleman,
    attend,
    committed,
    local,
    march,
    person,
    stored,
)

SATURDAYS = [march(d) for d in (2, 9, 16, 23, 30)]
KAB = "KAB-SLEMAN,Kantor Kementerian Agama Kabupaten Sleman,KANKEMENAG,,WIB,KANTOR_5H"
MAN_SIX_DAYS = "MAN-2-SLEMAN,MAN 2 Sleman,MADRASAH_NEGERI,KAB-SLEMAN,WIB,MADRASAH_6H_MINGGU"
MAN_FRIDAY_OFF = MAN_SIX_DAYS.replace("MADRASAH_6H_MINGGU", "MADRASAH_6H_JUMAT")
# Six days from 18 March: the Saturdays before it stay days off, those after it are working
# days (nobody punched on them: TK).
SIX_DAYS_FROM_18_MARCH = ["LIBUR", "LIBUR", "LIBUR", "TK", "TK"]


def units_sheet(tmp_path: Path, *lines: str, since: str | None = None) -> Path:
    """The units sheet; with ``since``, a pattern_since column (empty but on the last line)."""
    path = tmp_path / f"units-{len(list(tmp_path.iterdir()))}.csv"
    header = "code,name,kind,parent,timezone,pattern" + (
        ",pattern_since" if since is not None else ""
    )
    rows = [line + ("," if since is not None else "") for line in lines[:-1]]
    rows.append(lines[-1] + (f",{since}" if since is not None else ""))
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def import_units(tmp_path: Path, line: str, since: str) -> Any:
    with committed():
        return units_import(
            path=units_sheet(tmp_path, KAB, line, since=since), actor_label="operator"
        )


def import_employee(tmp_path: Path, row: str) -> Any:
    """The employees sheet with the optional unit_since and golongan_since columns."""
    path = tmp_path / f"pegawai-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,unit_since,golongan_since\n" + row + "\n",
        encoding="utf-8",
    )
    with committed():
        return employees_import(path=path, actor_label="operator")


def saturdays(employee: Employee) -> list[str]:
    """The employee's March Saturdays, evaluated as stored (read afresh from the database)."""
    employee = Employee.objects.get(pk=employee.pk)
    days_refresh_many(employees=[employee], start=march(1), end=march(31))
    after = stored(employee)
    return [after[d]["status"] for d in SATURDAYS]


@pytest.fixture
def guru(sleman: Sleman, clock: Clock) -> Employee:
    """A teacher of MAN 2 Sleman since 1 March, 06:55–16:05 on every working day, March stored
    as the nightly runs left it."""
    guru = person(sleman.man, "Guru Madrasah")
    attend(guru, FIVE_DAY_WORKDAYS, "06:55", "16:05")
    days_refresh_many(employees=[guru], start=march(1), end=march(31))
    clock.set(local(date(2024, 4, 2), "11:00"))
    return guru


# ---------------------------------------------------------------- a unit's pattern, dated


@pytest.mark.usefixtures("guru")
def test_the_same_units_sheet_uploaded_again_after_a_dated_pattern_change_is_accepted(
    tmp_path: Path,
) -> None:
    # The operator keeps one master sheet: MAN 2 Sleman on six days from 18 March. Uploaded
    # again (say, with a new KUA added), the line says what is already stored; the employees
    # sheet accepts a unit_since or golongan_since that restates the stored date.
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")

    report = import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")

    assert report.repatterned == []


def test_the_employees_sheet_uploaded_again_after_a_units_pattern_change_is_accepted(
    guru: Employee, tmp_path: Path
) -> None:
    # The master list gives everyone's unit_since (here the first day of attendance): accepted
    # before. The unit's new pattern rewrote the teacher's placed_since to 18 March, though she
    # moved nowhere, and the unchanged sheet is now refused on her line.
    row = f"{guru.nip},{guru.name},MAN-2-SLEMAN,,{guru.golongan},2024-03-01,2024-03-01,"
    import_employee(tmp_path, row)
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")

    report = import_employee(tmp_path, row)

    assert report.unchanged == [guru.nip]


def test_a_move_dated_before_a_units_new_pattern_is_not_refused(
    guru: Employee, tmp_path: Path
) -> None:
    # The teacher's SK moves her to KUA Mlati from 11 March; it arrives after MAN 2 Sleman's
    # six-day week was entered from 18 March. She has been at the MAN since 1 March: the move
    # is refused as "before the present unit", which only the pattern change made start on
    # 18 March.
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")

    report = import_employee(
        tmp_path, f"{guru.nip},{guru.name},KUA-MLATI,,{guru.golongan},2024-03-01,2024-03-11,"
    )

    assert report.moved == [(guru.nip, "2024-03-11")]


@pytest.mark.usefixtures("guru")
def test_someone_entered_after_a_units_new_pattern_keeps_the_former_pattern_before_its_date(
    sleman: Sleman, tmp_path: Path
) -> None:
    # A teacher whose SK from 1 March reaches the operator after the six-day week was entered
    # from 18 March: her 2, 9 and 16 March were days off at the MAN as for everyone there,
    # not TK (3 % TUKIN each and the discipline ladder).
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")
    late = person(sleman.man, "Guru Baru")
    attend(late, FIVE_DAY_WORKDAYS, "06:55", "16:05")

    assert saturdays(late) == SIX_DAYS_FROM_18_MARCH


@pytest.mark.usefixtures("guru")
def test_a_move_into_the_unit_dated_before_its_new_pattern_keeps_the_former_pattern_there(
    sleman: Sleman, tmp_path: Path
) -> None:
    # Rina moves from KUA Mlati to MAN 2 Sleman from 11 March, entered after the MAN's six-day
    # week from 18 March. Saturday 16 March at the MAN was a day off (MADRASAH_5H then).
    rina = person(sleman.kua, "Rina Wulandari")
    attend(rina, FIVE_DAY_WORKDAYS, "07:25", "16:35")
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-18")

    import_employee(
        tmp_path, f"{rina.nip},{rina.name},MAN-2-SLEMAN,,{rina.golongan},2024-03-01,2024-03-11,"
    )

    assert saturdays(rina) == SIX_DAYS_FROM_18_MARCH


def test_a_second_pattern_dated_before_the_first_applies_from_its_date_or_is_refused(
    guru: Employee, tmp_path: Path
) -> None:
    # Six days (Sunday off) entered from 25 March, then the right pattern (Friday off) from
    # 11 March. Either the second date is refused, or the days from 11 March follow it:
    # Saturday 16 a working day (no punch: TK), Friday 15 a day off. The teacher's placement
    # written by the first change keeps MADRASAH_5H on 11–24 March, silently.
    import_units(tmp_path, MAN_SIX_DAYS, "2024-03-25")
    try:
        import_units(tmp_path, MAN_FRIDAY_OFF, "2024-03-11")
    except TableRefused:
        return

    after = stored(guru)
    assert (after[march(16)]["status"], after[march(15)]["status"]) == ("TK", "LIBUR")


# ---------------------------------------------------------------- a promotion, dated


def test_the_admin_change_page_lets_the_admin_date_a_promotion(
    march_people: dict[str, Employee],
) -> None:
    # EmployeeForm declares a golongan_since date input, but EmployeeAdmin lists the model's
    # golongan_since among its readonly fields: the page shows the stored date as text and
    # has no input, so a promotion made in the admin always counts from today (no TMT).
    ani = march_people["Ani"]
    admin = Client()
    admin.force_login(UserFactory.create(is_superuser=True, is_staff=True))

    page = admin.get(f"/admin/org/employee/{ani.pk}/change/").content.decode()

    assert 'name="unit_since"' in page  # the move's date input, for comparison
    assert 'name="golongan_from"' in page


def test_a_golongan_since_restating_the_start_corrected_in_the_same_row_is_accepted(
    march_people: dict[str, Employee], tmp_path: Path
) -> None:
    # The row corrects Ani's first day to 4 March and restates both dates from it. The
    # unit_since is compared with the row's start (accepted); the golongan_since with the
    # stored start (1 March) and refused as "golongan unchanged".
    ani = march_people["Ani"]

    report = import_employee(
        tmp_path, f"{ani.nip},{ani.name},KUA-MLATI,,III/a,2024-03-04,2024-03-04,2024-03-04"
    )

    assert report.updated == [ani.nip]
