"""Each export opened and read back: Excel with openpyxl, PDF with pypdf, CSV with the csv
module, JSON with json; their figures equal the recap JSON. Then the download page, and the
background export job: progress, the file, and a download only its owner can make.

The unit is KUA Mlati in March 2024 (Ani, Eko and Fitri of ``march_people``). Their uang makan,
worked by hand in ``test_scenarios.py``: gross 666,000 + 280,000 + 296,000 = 1,242,000; PPh 21
33,300 + 0 + 14,800 = 48,100; net 632,700 + 280,000 + 281,200 = 1,193,900.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role, RoleAssignment
from hadir.recap import exports_jobs, reports, views
from hadir.recap.exports_jobs import export_job_run
from hadir.recap.models import ExportJob
from tests.conftest import user_with_role
from tests.recap.support import Sleman, leader_of, logged_in, person, recap_command, recap_json

pytestmark = pytest.mark.usefixtures("march_people")

MARCH = date(2024, 3, 1)
MONTH_HEADER = [
    "NIP", "Nama", "Unit", "Gol.", "Hari kerja", "Hadir", "TK", "Ketidakhadiran sah",
    "TL1", "TL2", "TL3", "TL4", "Menit TL", "PSW1", "PSW2", "PSW3", "PSW4", "Menit PSW",
    "Potongan TUKIN %", "Hari UM", "Tarif UM", "UM bruto", "PPh 21", "UM neto",
    "Hari tidak masuk (tahun)", "TK beruntun", "Sanksi",
]  # fmt: skip
DAILY_HEADER = [
    "NIP", "Nama", "Unit", "Tanggal", "Status", "Datang", "Pulang", "Menit TL", "TL", "Menit PSW",
    "PSW", "UM",
]  # fmt: skip


def export(fmt: str, *, daily: bool = False, unit: str = "KUA-MLATI") -> bytes:
    args = ["--month", "2024-03", "--unit", unit, "--format", fmt]
    return recap_command(*args, *(["--daily"] if daily else []))


def as_month_columns(row: dict[str, Any]) -> dict[str, Any]:
    """A recap JSON row as the Excel sheet should show it, header by header."""
    meal, discipline = row["meal_allowance"], row["discipline"]
    return {
        "NIP": row["nip"],
        "Nama": row["name"],
        "Unit": row["unit"],
        "Gol.": row["golongan"],
        "Hari kerja": row["workdays"],
        "Hadir": row["present_days"],
        "TK": row["absent_days"],
        "Ketidakhadiran sah": " ".join(f"{c}:{n}" for c, n in sorted(row["absences"].items()))
        or None,
        **{f"TL{c}": row["late"][c] for c in "1234"},
        "Menit TL": row["late"]["minutes"],
        **{f"PSW{c}": row["early"][c] for c in "1234"},
        "Menit PSW": row["early"]["minutes"],
        "Potongan TUKIN %": float(row["tukin_deduction_percent"]),
        "Hari UM": meal["days"],
        "Tarif UM": meal["rate"],
        "UM bruto": meal["gross"],
        "PPh 21": meal["tax"],
        "UM neto": meal["net"],
        "Hari tidak masuk (tahun)": discipline["days_not_at_work"],
        "TK beruntun": discipline["longest_absent_streak"],
        "Sanksi": discipline["sanction"],
    }


def sheet_rows(data: bytes) -> tuple[str, Any, list[Any], list[dict[str, Any]]]:
    """(sheet title, cell A1, header row, data rows as dicts) of an exported workbook."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    return sheet.title, rows[0][0], header, [dict(zip(header, r, strict=True)) for r in rows[2:]]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------- the formats


def test_the_excel_recap_has_a_title_a_header_and_one_row_per_employee_equal_to_the_json() -> None:
    title, a1, header, rows = sheet_rows(export("xlsx"))
    assert (title, a1) == ("Rekap", "Rekap bulanan KUA Mlati 2024-03")
    assert header == MONTH_HEADER
    expected = {name: as_month_columns(row) for name, row in recap_json(unit="KUA-MLATI").items()}
    assert {row["Nama"]: row for row in rows} == expected
    ani = next(row for row in rows if row["Nama"] == "Ani Rahmawati")
    assert (ani["UM bruto"], ani["PPh 21"], ani["UM neto"]) == (666000, 33300, 632700)
    assert ani["Potongan TUKIN %"] == 4.75


def test_the_excel_daily_detail_has_one_row_per_employee_day_equal_to_the_daily_json() -> None:
    title, a1, header, rows = sheet_rows(export("xlsx", daily=True))
    assert (title, a1, header) == ("Harian", "Rekap harian KUA Mlati 2024-03", DAILY_HEADER)
    assert len(rows) == 3 * 31
    daily = json.loads(export("json", daily=True))
    keys = ["nip", "name", "unit", "date", "status", "datang", "pulang", "late_minutes", "late_class",
            "early_minutes", "early_class", "meal"]  # fmt: skip
    # Dates and times are Excel's own (to sort and filter), the JSON's text as read back.
    assert [[as_json(v) for v in row.values()] for row in rows] == [
        [d[k] for k in keys] for d in daily
    ]
    thursday = next(
        r for r in rows if r["Nama"] == "Ani Rahmawati" and r["Tanggal"] == datetime(2024, 3, 7)
    )
    assert (thursday["Datang"], thursday["Menit TL"], thursday["TL"]) == (time(9, 10), 100, 4)


def as_json(value: Any) -> Any:
    """A cell read back as the JSON export writes it: a date as ISO text, a time as HH:MM."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return f"{value:%H:%M}" if isinstance(value, time) else value


def test_the_pdf_recap_is_a_kemenag_letter_with_the_unit_month_totals_and_signature(
    sleman: Sleman,
) -> None:
    head = person(sleman.kankemenag, "H. Ahmad Fauzi, S.Ag.", "IV/a", account=True)
    leader_of(sleman.kua, head)
    data = export("pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "KEMENTERIAN AGAMA REPUBLIK INDONESIA",
        "KANTOR KEMENTERIAN AGAMA KABUPATEN SLEMAN",
        "KUA MLATI",
        "Maret 2024",
        "Jumlah: 3 pegawai; uang makan bruto Rp 1.242.000, PPh 21 Rp 48.100, neto Rp 1.193.900",
        "Sleman, 31 Maret 2024",
        "Kepala KUA Mlati",
        "H. Ahmad Fauzi, S.Ag.",
        f"NIP {head.nip}",
        "Ani Rahmawati",
        "PEMBERHENTIAN",
    ):
        assert expected in text, expected


def test_the_pdf_daily_detail_parses_and_lists_the_days() -> None:
    text = pdf_text(export("pdf", daily=True))
    assert "REKAP PRESENSI HARIAN - Maret 2024" in text
    assert "2024-03-07" in text


def test_the_csv_recap_and_daily_detail_parse_with_dictreader_and_equal_the_json() -> None:
    data = export("csv")
    assert data.startswith("\ufeff".encode())  # Excel opens UTF-8 with a byte-order mark
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    recap = recap_json(unit="KUA-MLATI")
    assert len(rows) == 3
    for row in rows:
        expected = recap[row["name"]]
        assert row["nip"] == expected["nip"]
        assert int(row["absent_days"]) == expected["absent_days"]
        assert row["tukin_deduction_percent"] == expected["tukin_deduction_percent"]
        assert [int(row[f"meal_{k}"]) for k in ("days", "rate", "gross", "tax", "net")] == [
            expected["meal_allowance"][k] for k in ("days", "rate", "gross", "tax", "net")
        ]
        assert row["sanction"] == (expected["discipline"]["sanction"] or "")
    daily = list(csv.DictReader(io.StringIO(export("csv", daily=True).decode("utf-8-sig"))))
    assert len(daily) == 3 * 31
    nyepi = next(r for r in daily if r["name"] == "Ani Rahmawati" and r["date"] == "2024-03-11")
    assert (nyepi["status"], nyepi["datang"], nyepi["meal"]) == ("LIBUR", "", "False")
    assert nyepi["unit"] == "KUA-MLATI"  # a Kankemenag's file tells its units' days apart


def test_the_command_refuses_an_unknown_unit_and_a_malformed_month() -> None:
    with pytest.raises(CommandError, match="KUA-ENTAH"):
        recap_command("--month", "2024-03", "--unit", "KUA-ENTAH")
    with pytest.raises(CommandError, match="YYYY-MM"):
        recap_command("--month", "03-2024")


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_command_refuses_the_calendars_first_and_last_years_as_the_pages_do(
    month: str,
) -> None:
    with pytest.raises(CommandError, match=f"^--month '{month}' harus"):
        recap_command("--month", month)


def test_the_command_without_a_unit_recaps_everyone_under_a_letterhead_no_head_signs() -> None:
    """No "Kepala Semua unit" exists to sign it: the letterhead names all units, and the
    signature block, which would name that head and an empty NIP, is left off."""
    rows = json.loads(recap_command("--month", "2024-03", "--format", "json"))
    assert len(rows) == 6
    text = pdf_text(recap_command("--month", "2024-03", "--format", "pdf"))
    assert "SEMUA UNIT" in text
    assert "Kepala" not in text


def test_the_json_export_loads_and_is_the_recap() -> None:
    rows = json.loads(export("json"))
    assert {row["name"]: row for row in rows} == recap_json(unit="KUA-MLATI")


# ---------------------------------------------------------------- the download


@pytest.fixture
def leader(sleman: Sleman) -> User:
    """The Pimpinan of KUA Mlati."""
    return leader_of(sleman.kua)


@pytest.mark.parametrize(
    ("fmt", "daily", "name", "content_type"),
    [
        ("xlsx", False, "rekap-KUA-MLATI-2024-03.xlsx", reports.CONTENT_TYPES["xlsx"]),
        ("pdf", False, "rekap-KUA-MLATI-2024-03.pdf", "application/pdf"),
        ("csv", True, "rekap-harian-KUA-MLATI-2024-03.csv", "text/csv; charset=utf-8"),
        ("json", False, "rekap-KUA-MLATI-2024-03.json", "application/json"),
    ],
)
def test_the_unit_head_downloads_the_export_as_a_named_attachment(
    sleman: Sleman, leader: User, fmt: str, daily: bool, name: str, content_type: str
) -> None:
    form = {"format": fmt, **({"daily": "1"} if daily else {})}
    response = logged_in(leader).post(f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", form)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.content == export(fmt, daily=daily)


def test_an_unknown_format_or_another_units_export_is_not_found(
    sleman: Sleman, leader: User
) -> None:
    client = logged_in(leader)
    assert (
        client.post(f"/rekap/unit/{sleman.kua.pk}/ekspor/", {"format": "docx"}).status_code == 404
    )
    depok = f"/rekap/unit/{sleman.kua_depok.pk}/ekspor/"
    assert client.post(depok, {"format": "xlsx"}).status_code == 404
    assert client.get(f"/rekap/unit/{sleman.kua.pk}/ekspor/").status_code == 405


# ---------------------------------------------------------------- background jobs


class QueuedOnly:
    """Stands in for ``threading.Thread``: the job stays queued until the test runs it."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def start(self) -> None:
        pass


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every unit exports in the background, and no thread starts."""
    monkeypatch.setattr(views, "EXPORT_INLINE_LIMIT", 0)
    monkeypatch.setattr(exports_jobs, "threading", SimpleNamespace(Thread=QueuedOnly))


def download(client: Any, job: ExportJob) -> Any:
    return client.get(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})


@pytest.mark.usefixtures("queued")
def test_a_big_units_export_runs_as_a_job_whose_page_shows_progress_and_then_the_file(
    sleman: Sleman, leader: User, private_media: Path
) -> None:
    client = logged_in(leader)
    started = client.post(f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/rekap/ekspor/{job.pk}/"
    assert (job.user, job.unit, job.month, job.format, job.daily) == (
        leader,
        sleman.kua,
        MARCH,
        "xlsx",
        False,
    )

    waiting = client.get(f"/rekap/ekspor/{job.pk}/")
    assert waiting.context["job"].state == ExportJob.State.QUEUED
    html = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress value="0" max="100"' in html
    assert "?unduh=1" not in html
    assert download(client, job).status_code == 200  # not done: the page again, no file
    assert download(client, job)["Content-Type"].startswith("text/html")

    done = export_job_run(job.pk)
    assert (done.state, done.progress) == (ExportJob.State.DONE, 100)
    assert (private_media / done.stored_name).is_file()
    page = client.get(f"/rekap/ekspor/{job.pk}/").content.decode()
    assert '<progress value="100" max="100"' in page
    assert 'href="?unduh=1"' in page
    assert "http-equiv" not in page

    file = download(client, job)
    assert file["Content-Disposition"] == 'attachment; filename="rekap-KUA-MLATI-2024-03.xlsx"'
    data = b"".join(file.streaming_content)
    assert data == export("xlsx")
    _, _, _, rows = sheet_rows(data)
    assert sorted(r["Nama"] for r in rows) == ["Ani Rahmawati", "Eko Prasetyo", "Fitri Handayani"]


def test_only_the_owner_sees_a_job_and_downloads_its_file(sleman: Sleman, leader: User) -> None:
    job = ExportJob.objects.create(user=leader, unit=sleman.kua, month=MARCH, format="csv")
    export_job_run(job.pk)
    colleague = leader_of(sleman.kua)
    admin = user_with_role(Role.ADMIN, None)
    for outsider in (colleague, admin):
        client = logged_in(outsider)
        assert client.get(f"/rekap/ekspor/{job.pk}/").status_code == 404
        assert download(client, job).status_code == 404
    assert download(logged_in(leader), job).status_code == 200
    assert logged_in(leader).get(f"/rekap/ekspor/{job.pk + 1}/").status_code == 404


def test_a_job_for_a_unit_its_owner_does_not_read_ends_failed_and_stores_nothing(
    sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    """A Pimpinan of MAN 2 Sleman cannot start an export of the whole Kankemenag (the page
    answers "not found"); a job made for it otherwise, or one whose owner lost the unit
    since, exports nothing: access is the unit's, as for the download, not row by row."""
    head = leader_of(sleman.man)
    job = ExportJob.objects.create(
        user=head, unit=sleman.kankemenag, month=MARCH, format="json", daily=True
    )
    with pytest.raises(PermissionError):
        export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.stored_name) == (ExportJob.State.FAILED, "")


def test_a_job_that_fails_ends_failed_with_its_reason_kept_for_the_admin_not_shown(
    sleman: Sleman, leader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk penuh /var/hadir/exports")

    monkeypatch.setattr(exports_jobs, "render_report", broken)
    job = ExportJob.objects.create(user=leader, unit=sleman.kua, month=MARCH, format="pdf")
    with pytest.raises(RuntimeError):
        export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (ExportJob.State.FAILED, "disk penuh /var/hadir/exports")
    page = logged_in(leader).get(f"/rekap/ekspor/{job.pk}/").content.decode()
    assert "disk penuh" not in page
    assert f"berikan nomor ekspor ini kepada admin Anda: {job.pk}." in page
    assert "http-equiv" not in page


# ---------------------------------------------------------------- names typed into SIMPEG


def post_export(user: User, unit: Any, fmt: str, *, daily: bool = False) -> Any:
    form = {"format": fmt, **({"daily": "1"} if daily else {})}
    return logged_in(user).post(f"/rekap/unit/{unit.pk}/ekspor/?bulan=2024-03", form)


@pytest.mark.parametrize("daily", [False, True], ids=["recap", "daily"])
def test_a_name_typed_as_a_formula_is_text_in_the_excel_file_never_a_formula(
    sleman: Sleman, leader: User, daily: bool
) -> None:
    name = '=HYPERLINK("http://evil.example/x","Klik")'
    person(sleman.kua, name)

    data = post_export(leader, sleman.kua, "xlsx", daily=daily).content

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert name in [cell.value for cell in cells]


@pytest.mark.parametrize("name", ["=1+2", "+62-811", "-2+3", "@SUM(A1)"])
def test_a_name_opening_like_a_formula_is_quoted_in_the_csv_file(
    sleman: Sleman, leader: User, name: str
) -> None:
    """Excel, which the byte-order mark invites to open the file, would run it (OWASP's CSV
    injection); an apostrophe makes it text."""
    person(sleman.kua, name)

    data = post_export(leader, sleman.kua, "csv").content

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert "'" + name in [row["name"] for row in rows]
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_a_name_with_a_control_character_saved_before_does_not_break_the_excel_file(
    sleman: Sleman, leader: User
) -> None:
    """openpyxl refuses a whole workbook over one such character (the import refuses them now;
    a name saved before may hold one): it becomes a replacement mark."""
    person(sleman.kua, "Ani\x07Rahmat")

    response = post_export(leader, sleman.kua, "xlsx")

    assert response.status_code == 200
    _, _, _, rows = sheet_rows(response.content)
    assert "Ani\ufffdRahmat" in [row["Nama"] for row in rows]


def test_the_signed_letter_writes_the_tukin_cut_with_a_decimal_comma(
    sleman: Sleman, leader: User
) -> None:
    """Beside "Rp 1.242.000", "54.00" would read as fifty-four thousand."""
    person(sleman.kua, "Rina Marlina")  # no punch in March: 18 TK days × 3 % = 54 %

    text = pdf_text(post_export(leader, sleman.kua, "pdf").content)

    assert "54,00" in text
    assert "54.00" not in text


# ---------------------------------------------------------------- who took the figures out


def test_a_download_is_audited_with_the_unit_month_and_format(sleman: Sleman, leader: User) -> None:
    post_export(leader, sleman.kua, "xlsx", daily=True)

    event = AuditEvent.objects.get(action="recap.export")
    assert (event.actor, event.object_id) == (leader, str(sleman.kua.pk))
    assert event.summary == "KUA-MLATI 2024-03 xlsx harian"


@pytest.mark.usefixtures("queued")
def test_a_background_export_is_audited_when_started_and_when_its_file_is_downloaded(
    sleman: Sleman, leader: User
) -> None:
    client = logged_in(leader)
    client.post(f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", {"format": "csv"})
    job = export_job_run(ExportJob.objects.get().pk)
    assert download(client, job).status_code == 200

    actions = AuditEvent.objects.filter(actor=leader, object_id=str(job.pk))
    assert sorted(actions.values_list("action", flat=True)) == [
        "recap.export_download",
        "recap.export_job_start",
    ]


@pytest.mark.usefixtures("queued")
def test_an_export_is_not_found_once_its_owner_no_longer_sees_the_unit(
    sleman: Sleman, leader: User
) -> None:
    client = logged_in(leader)
    client.post(f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", {"format": "csv"})
    job = export_job_run(ExportJob.objects.get().pk)
    RoleAssignment.objects.filter(user=leader).delete()

    assert client.get(f"/rekap/ekspor/{job.pk}/").status_code == 404
    assert download(client, job).status_code == 404
