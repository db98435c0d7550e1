"""A punch CSV's header where operators' files put it: under a title or Excel's ``sep=`` line,
or in Excel's "Unicode Text" (UTF-16, tab-separated), as the other imports already read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hadir.common.tables import TableRefused
from hadir.presence.imports import punches_import
from hadir.presence.models import Punch
from tests.conftest import Org
from tests.presence.support import MONDAY, local


def test_a_punch_sheet_saved_by_excel_as_unicode_text_is_read_not_called_headerless(
    org: Org, tmp_path: Path
) -> None:
    """Excel's "Unicode Text" save of a ``nip,time`` sheet is UTF-16 with tabs: its header is
    on line 1, so the file is read like the other imports read it."""
    employee = org.employees(org.kua_a)[0]
    path = tmp_path / "presensi.txt"
    path.write_bytes(f"nip\ttime\r\n{employee.nip}\t2024-03-04 07:12\r\n".encode("utf-16"))

    assert punches_import(path=path).recorded == 1
    assert Punch.objects.get(employee=employee).at == local(MONDAY, "07:12")


@pytest.mark.parametrize("above", ["Laporan presensi Maret 2024", "sep=,"])
def test_a_punch_csv_with_a_line_above_its_header_is_not_called_headerless(
    org: Org, tmp_path: Path, above: str
) -> None:
    """A report title, or the ``sep=,`` line Excel writes and reads, above ``nip,time`` is
    skipped as the employees, units, excuses and PIN map imports skip it."""
    employee = org.employees(org.kua_a)[0]
    path = tmp_path / "presensi.csv"
    path.write_text(f"{above}\nnip,time\n{employee.nip},2024-03-04 07:12\n", encoding="utf-8")

    assert punches_import(path=path).recorded == 1


def test_a_refused_row_below_a_title_is_named_by_its_line_in_the_file(
    org: Org, tmp_path: Path
) -> None:
    """The operator opens the file at the line the refusal names: the title and the blank line
    above the header count, or the wrong row would be corrected."""
    employee = org.employees(org.kua_a)[0]
    path = tmp_path / "presensi.csv"
    path.write_text(
        f"Laporan presensi Maret 2024\n\nnip,time\n{employee.nip},2024-03-04 07:12\n"
        f"{employee.nip},kemarin pagi\n",
        encoding="utf-8",
    )

    with pytest.raises(TableRefused) as refused:
        punches_import(path=path)

    assert [(p.line, p.column) for p in refused.value.problems] == [(5, "time")]
    assert not Punch.objects.filter(employee=employee).exists()
