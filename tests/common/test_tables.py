"""Reading operators' spreadsheets: the mess of SIMPEG exports is absorbed, not the values."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from hadir.common.tables import (
    Problem,
    TableRefused,
    UnclearTime,
    _read_xlsx,
    beyond_header,
    fraction_too_early,
    no_minutes,
    read_moment,
    read_table,
    web_page,
)

REQUIRED = {"nip", "name"}
IMPRECISE = (
    "angka lebih dari 15 digit sudah dibulatkan Excel; format kolom sebagai Teks lalu isi ulang"
)
LOGICAL = "sel berisi nilai logika TRUE/FALSE, bukan teks atau angka; isi ulang sebagai teks"
NOT_TEXT = "berkas bukan CSV atau Excel (.xlsx) yang terbaca"


def refusal(path: Path, **kwargs: set[str]) -> list[str]:
    with pytest.raises(TableRefused) as refused:
        read_table(path, required=REQUIRED, **kwargs)
    return [str(p) for p in refused.value.problems]


def workbook(path: Path, *rows: list[object]) -> Path:
    """An Excel file at ``path`` whose first sheet holds ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_problem_reads_like_a_compiler_message() -> None:
    assert str(Problem("a.csv", 3, "nip", "salah")) == "a.csv:3: nip: salah"
    assert str(Problem("a.csv", 1, "", "kosong")) == "a.csv:1: kosong"


def test_rows_keep_their_line_numbers_across_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("NIP , Name\n1,Ahmad\n\n,\n2,Siti\n", encoding="utf-8")
    rows = read_table(path, required=REQUIRED)
    assert [(r.line, r.get("nip"), r.get("name")) for r in rows] == [
        (2, "1", "Ahmad"),
        (5, "2", "Siti"),
    ]


def test_a_windows_encoded_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("nip;name\n1;Ma\u2019ruf Am\xeen\n".encode("cp1252"))
    [row] = read_table(path, required=REQUIRED)
    assert row.get("name") == "Ma\u2019ruf Am\xeen"


def test_an_empty_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n  \n", encoding="utf-8")
    assert refusal(path) == ["a.csv:1: berkas kosong"]


def test_optional_columns_are_allowed_and_others_are_not(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("nip,name,email,hobi\n1,A,a@b.c,x\n", encoding="utf-8")
    assert refusal(path, optional={"email"}) == ["a.csv:1: hobi: kolom tidak dikenal"]


def test_excel_cells_become_text_the_importers_can_check(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        ["nip", "name", "start", "end", "count", "since"],
        [
            "198712112010121007",
            "Ahmad",
            datetime(2024, 1, 2),
            date(2024, 2, 3),
            5.0,
            datetime(2024, 3, 4, 12, 30),
        ],
    )
    [row] = read_table(path, required=REQUIRED, optional={"start", "end", "count", "since"})
    assert row.line == 2
    assert row.values == {
        "nip": "198712112010121007",
        "name": "Ahmad",
        "start": "2024-01-02",
        "end": "2024-02-03",
        "count": "5",
        "since": "2024-03-04 12:30",  # a time of day is kept where there is one
    }


def test_a_nip_stored_as_an_excel_number_is_refused_not_silently_rounded(tmp_path: Path) -> None:
    """Excel keeps 15 digits: 198712112010121007 comes back as 198712112010120992."""
    path = workbook(
        tmp_path / "a.xlsx",
        ["nip", "name"],
        ["198712112010121007", "Text is fine"],
        [198712112010121007, "Number is rounded"],
        [199001012022212003, "Also rounded"],
        [123456789012345, "Fifteen digits are exact"],
    )
    assert refusal(path) == [
        f"a.xlsx:3: nip: {IMPRECISE}",
        f"a.xlsx:4: nip: {IMPRECISE}",
    ]


def test_a_true_or_false_cell_is_refused_rather_than_read_as_the_word(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        ["nip", "name"],
        ["198712112010121007", True],
        [False, "Siti"],
        ["199001012022212003", "TRUE typed as text stays text"],
    )
    assert refusal(path) == [f"a.xlsx:2: name: {LOGICAL}", f"a.xlsx:3: nip: {LOGICAL}"]


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    Workbook().save(path)
    assert refusal(path) == ["a.xlsx:1: berkas kosong"]


# --- files that are not what their names say: refused, never a crash ------------------------


def test_a_workbook_is_read_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "daftar-pegawai-dari-simpeg-yang-namanya-terpotong",
        ["nip", "name"],
        ["1", "Ahmad"],
    )

    assert [row.values for row in read_table(path, required=REQUIRED)] == [
        {"nip": "1", "name": "Ahmad"}
    ]


def test_an_old_excel_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert refusal(path) == [
        "a.xls:0: berkas Excel lama (.xls) tidak dibaca; simpan sebagai .xlsx atau CSV"
    ]


def test_bytes_that_are_no_text_encoding_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"nip,name\n1,\x81\x8d\x90\n")
    assert refusal(path) == [f"a.csv:0: {NOT_TEXT}"]


def test_a_csv_field_longer_than_the_csv_reader_takes_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("nip,name\n1,Ahmad\n2," + "x" * 200_000 + "\n", encoding="utf-8")
    (problem,) = refusal(path)
    assert problem.startswith(f"a.csv:3: {NOT_TEXT}")


def test_a_workbook_whose_sheet_is_broken_is_refused(tmp_path: Path) -> None:
    import zipfile

    good = workbook(tmp_path / "good.xlsx", ["nip", "name"])
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as broken:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            broken.writestr(item, content)

    (problem,) = refusal(path)
    assert problem == "a.xlsx:0: bukan berkas Excel yang valid"


def test_a_workbook_that_claims_column_xfd_pads_no_row_and_its_stray_cell_is_refused(
    tmp_path: Path,
) -> None:
    """One stray cell at XFD made every row 16,384 cells: seconds of a worker per thousand rows
    (a few KB on disk could hold a worker for a quarter of an hour). Each row is read as far as
    it holds cells; the stray one is a value under no column, refused on its line."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["pin", "nip"])
    sheet.append(["77", "199001012020121001"])
    sheet.cell(row=50, column=16384, value="x")
    path = tmp_path / "pins.xlsx"
    book.save(path)

    _line, header, rows = _read_xlsx(path, {"pin", "nip"})

    assert header == ["pin", "nip"]
    assert [(line, len(cells)) for line, cells in rows] == [(2, 2), (50, 16384)]
    with pytest.raises(TableRefused) as refused:
        read_table(path, required={"pin", "nip"})
    assert [(p.line, p.reason) for p in refused.value.problems] == [(50, beyond_header())]


def test_a_workbook_with_blank_rows_above_its_header_is_read_from_the_header(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path / "a.xlsx", [], [], ["NIP", "Name"], ["199001012020121001", "Siti"])

    (row,) = read_table(path, required=REQUIRED)

    assert (row.line, row.get("name")) == (4, "Siti")


def test_a_workbook_with_a_merged_title_above_its_header_is_read_from_the_header(
    tmp_path: Path,
) -> None:
    """SIMPEG exports put the report's title, merged across the columns, above the header."""
    path = tmp_path / "a.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Daftar pegawai KUA Mlati, Maret 2024"])
    sheet.merge_cells("A1:B1")
    sheet.append([])
    sheet.append(["NIP", "Name"])
    sheet.append(["199001012020121001", "Siti"])
    book.save(path)

    (row,) = read_table(path, required=REQUIRED)

    assert (row.line, row.get("nip"), row.get("name")) == (4, "199001012020121001", "Siti")


def test_a_workbook_whose_header_names_no_required_column_is_judged_by_its_first_row(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path / "a.xlsx", ["Daftar pegawai"], ["nomor", "nama lengkap"])

    assert refusal(path) == [
        "a.xlsx:1: name: kolom wajib tidak ada",
        "a.xlsx:1: nip: kolom wajib tidak ada",
        "a.xlsx:1: daftar pegawai: kolom tidak dikenal",
    ]


def test_a_csv_with_a_title_line_above_its_header_is_read_from_the_header(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "Daftar pegawai KUA Mlati, Maret 2024\n\nNIP;Name\n199001012020121001;Siti\n",
        encoding="utf-8",
    )

    (row,) = read_table(path, required=REQUIRED)

    assert (row.line, row.get("nip"), row.get("name")) == (4, "199001012020121001", "Siti")


def test_a_csv_far_below_blank_lines_is_still_read_from_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n" * 30 + "nip,name\n1,Ahmad\n", encoding="utf-8")

    (row,) = read_table(path, required=REQUIRED)

    assert (row.line, row.get("name")) == (32, "Ahmad")


# --- times as people write them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2024-03-04 07.45", datetime(2024, 3, 4, 7, 45)),
        ("2024-03-04 7.45", datetime(2024, 3, 4, 7, 45)),
        ("2024-03-04 07.45.30", datetime(2024, 3, 4, 7, 45, 30)),
        ("2024-03-04T07.45+07:00", datetime.fromisoformat("2024-03-04T07:45+07:00")),
    ],
)
def test_a_time_written_with_a_dot_is_read_as_hours_and_minutes(
    written: str, meant: datetime
) -> None:
    """Pukul 07.45, as Excel in the Indonesian locale saves hh:mm: not 07:00 and 0.45 s."""
    assert read_moment(written) == meant


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-04 07:45",
        "2024-03-04T07:45:30",
        "2024-03-04 07:45:30.250",
        "2024-03-04T07:45:30,250",
        "2024-03-04T07:45:30+07:00",
        "2024-03-04T00:45:30Z",
        "2024-03-04T074530",
    ],
)
def test_a_genuine_iso_time_is_read_as_python_reads_it(written: str) -> None:
    assert read_moment(written) == datetime.fromisoformat(written)


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-04 07.4",
        "2024-03-04 07.456",
        "2024-03-04 07:45.30",
        "2024-03-04 07,45",
        "2024-03-04 07.45.30.5",
    ],
)
def test_a_fraction_where_minutes_or_seconds_belong_is_refused_not_read_as_part_of_a_second(
    written: str,
) -> None:
    """Python would read each as a fraction of a second or of a minute past the hour."""
    with pytest.raises(UnclearTime) as unclear:
        read_moment(written)
    assert str(unclear.value) == fraction_too_early(written)


@pytest.mark.parametrize("written", ["2024-03-04 07", "2024-03-04T07", "2024-03-04 07+07:00"])
def test_an_hour_without_minutes_is_refused_not_put_on_the_hour(written: str) -> None:
    with pytest.raises(UnclearTime) as unclear:
        read_moment(written)
    assert str(unclear.value) == no_minutes(written)


@pytest.mark.parametrize(
    "start",
    [
        b"<!DOCTYPE html>\n<html>",
        b"\xef\xbb\xbf  <table border=1>",
        b'<?xml version="1.0"?>\n<html xmlns:o="urn:schemas-microsoft-com:office:office">',
        b"<!-- exported by SIMPEG -->\n<meta charset=utf-8><table>",
    ],
)
def test_a_web_page_named_as_a_spreadsheet_is_refused_in_one_plain_reason(
    tmp_path: Path, start: bytes
) -> None:
    """Read as CSV, its whole markup would be one unknown column beside the missing ones."""
    path = tmp_path / "pegawai.xls"
    path.write_bytes(start + b"<tr><td>nip</td><td>name</td></tr></table></html>")

    with pytest.raises(TableRefused) as refused:
        read_table(path, required=REQUIRED)

    assert refused.value.problems == [Problem("pegawai.xls", 0, "", web_page())]
