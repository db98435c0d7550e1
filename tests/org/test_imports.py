"""``import_units`` and ``import_employees``: a file is taken whole or refused whole."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Unit
from tests.conftest import Org
from tests.factories import UnitFactory, valid_nip

UNIT_HEADER = "code,name,kind,parent,timezone,pattern"
EMPLOYEE_HEADER = "nip,name,unit,pattern,golongan,start"


def write(tmp_path: Path, name: str, lines: Sequence[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def run(command: str, path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(command: str, path: Path, *args: str) -> list[str]:
    """Run a command that must refuse the file; the problems it printed, one per line."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="tidak ada yang disimpan"):
        call_command(command, str(path), *args, stdout=out, stderr=err)
    return err.getvalue().splitlines()


# ---------------------------------------------------------------- units


def test_a_good_unit_file_creates_the_tree_with_correct_paths(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "KANWIL-X,Kanwil X,KANWIL,,WIB,KANTOR_5H",
            "KAB-X,Kankemenag X,kankemenag,KANWIL-X,Asia/Jakarta,KANTOR_5H",
            "MAN-X,MAN X,MADRASAH_NEGERI,KAB-X,wita,madrasah_5h",
        ],
    )
    out, err = run("import_units", path)
    kanwil, kab, man = (Unit.objects.get(code=c) for c in ("KANWIL-X", "KAB-X", "MAN-X"))
    assert kab.parent == kanwil
    assert man.path == f"/{kanwil.pk}/{kab.pk}/{man.pk}/"
    assert man.timezone == "Asia/Makassar"
    assert man.kind == Unit.Kind.MADRASAH_NEGERI
    assert man.default_pattern.code == "MADRASAH_5H"
    assert "dibuat: 3" in out
    assert err == ""
    audit = AuditEvent.objects.get(action="org.units_import")
    assert audit.actor_label == "command:import_units"
    assert sorted(audit.after["created"]) == ["KAB-X", "KANWIL-X", "MAN-X"]  # type: ignore[index]


def test_parents_may_be_listed_after_their_children(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "KUA-Y,KUA Y,KUA,KAB-Y,WIB,KANTOR_5H",
            "KAB-Y,Kankemenag Y,KANKEMENAG,KANWIL-Y,WIB,KANTOR_5H",
            "KANWIL-Y,Kanwil Y,KANWIL,,WIB,KANTOR_5H",
        ],
    )
    run("import_units", path)
    kua = Unit.objects.get(code="KUA-Y")
    kab, kanwil = kua.parent, kua.parent.parent  # type: ignore[union-attr]
    assert kanwil.code == "KANWIL-Y"  # type: ignore[union-attr]
    assert kua.path == f"/{kanwil.pk}/{kab.pk}/{kua.pk}/"  # type: ignore[union-attr]


def test_a_unit_may_hang_under_a_unit_already_in_the_database(org: Org, tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", [UNIT_HEADER, "KUA-A2,KUA A2,KUA,KAB-A,WIB,KANTOR_5H"])
    run("import_units", path)
    assert Unit.objects.get(code="KUA-A2").path.startswith(org.kab_a.path)


def test_reimporting_units_updates_and_never_duplicates(org: Org, tmp_path: Path) -> None:
    before = Unit.objects.count()
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "KUA-A,KUA A (renamed),KUA,KAB-A,WIB,KANTOR_5H",
            "MAN-A,MAN A,MADRASAH_NEGERI,KAB-A,WIB,MADRASAH_5H",
        ],
    )
    out, _ = run("import_units", path)
    assert "diperbarui: 1" in out
    assert "tetap: 1" in out
    out, _ = run("import_units", path)
    assert "dibuat: 0" in out
    assert "tetap: 2" in out
    assert Unit.objects.count() == before
    assert Unit.objects.get(code="KUA-A").name == "KUA A (renamed)"


def test_reimport_moving_a_unit_refreshes_the_paths_below_it(org: Org, tmp_path: Path) -> None:
    balai = UnitFactory.create(code="BALAI-A", parent=org.kua_a)
    path = write(tmp_path, "units.csv", [UNIT_HEADER, "KUA-A,KUA A,KUA,KAB-B,WIB,KANTOR_5H"])
    run("import_units", path)
    org.kua_a.refresh_from_db()
    balai.refresh_from_db()
    assert org.kua_a.path == f"{org.kab_b.path}{org.kua_a.pk}/"
    assert balai.path == f"{org.kua_a.path}{balai.pk}/"


def test_a_bad_unit_file_lists_every_problem_and_writes_nothing(org: Org, tmp_path: Path) -> None:
    before = Unit.objects.count()
    audit_before = AuditEvent.objects.count()
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "GOOD-1,Good unit,KUA,KAB-A,WIB,KANTOR_5H",
            "BAD-KIND,Bad kind,PESANTREN,KAB-A,WIB,KANTOR_5H",
            "BAD-TZ,Bad zone,KUA,KAB-A,Europe/Paris,KANTOR_5H",
            "BAD-PATTERN,Bad pattern,KUA,KAB-A,WIB,SHIFT_MALAM",
            "ORPHAN,Orphan,KUA,NOWHERE,WIB,KANTOR_5H",
            "bad code!,Bad code,KUA,KAB-A,WIB,KANTOR_5H",
            "GOOD-1,Duplicate,KUA,KAB-A,WIB,KANTOR_5H",
            "NO-NAME,,KUA,KAB-A,WIB,KANTOR_5H",
        ],
    )
    problems = refused("import_units", path)
    assert problems == [
        "units.csv:3: kind: jenis 'PESANTREN' tidak dikenal; pilihan: "
        + ", ".join(sorted(Unit.Kind.values)),
        "units.csv:4: timezone: zona waktu 'Europe/Paris' tidak dikenal; pilihan: Asia/Jakarta, "
        "Asia/Makassar, Asia/Jayapura",
        "units.csv:5: pattern: pola kerja 'SHIFT_MALAM' tidak dikenal; pilihan: KANTOR_5H, "
        "MADRASAH_5H, MADRASAH_6H_JUMAT, MADRASAH_6H_MINGGU",
        "units.csv:6: parent: unit induk 'NOWHERE' tidak ada",
        "units.csv:7: code: kode 'bad code!' tidak valid: huruf, angka, - atau _, maks. 40",
        "units.csv:8: code: kode 'GOOD-1' sudah dipakai di baris 2",
        "units.csv:9: name: nama wajib diisi",
    ]
    assert Unit.objects.count() == before
    assert not Unit.objects.filter(code="GOOD-1").exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_parent_cycle_within_the_file_is_refused(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "LOOP-A,Loop A,KUA,LOOP-B,WIB,KANTOR_5H",
            "LOOP-B,Loop B,KUA,LOOP-A,WIB,KANTOR_5H",
        ],
    )
    problems = refused("import_units", path)
    assert len(problems) == 2
    assert problems[0].startswith("units.csv:2: parent: rantai induk berputar")
    assert problems[1].startswith("units.csv:3: parent: rantai induk berputar")
    assert not Unit.objects.exists()


def test_a_parent_cycle_through_existing_units_is_refused(org: Org, tmp_path: Path) -> None:
    path = write(
        tmp_path, "units.csv", [UNIT_HEADER, "KAB-A,Kankemenag A,KANKEMENAG,KUA-A,WIB,KANTOR_5H"]
    )
    problems = refused("import_units", path)
    assert problems == ["units.csv:2: parent: rantai induk berputar melalui 'KAB-A'"]
    org.kab_a.refresh_from_db()
    assert org.kab_a.parent == org.kanwil


def test_a_unit_cannot_be_its_own_parent(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", [UNIT_HEADER, "SELF,Self,KUA,SELF,WIB,KANTOR_5H"])
    assert refused("import_units", path) == [
        "units.csv:2: parent: unit tidak boleh menjadi induknya sendiri"
    ]
    assert not Unit.objects.exists()


def test_a_dry_run_reports_and_writes_nothing(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", [UNIT_HEADER, "KANWIL-Z,Kanwil Z,KANWIL,,WIB,KANTOR_5H"])
    out, _ = run("import_units", path, "--dry-run")
    assert out.strip() == "akan dibuat: 1, akan diperbarui: 0, tetap: 0"
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_semicolons_and_a_byte_order_mark_are_understood(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "simpeg.csv",
        [
            "Code; Name ;KIND;parent;timezone;pattern",
            "KANWIL-S;Kanwil, Semicolon;KANWIL;;WIB;KANTOR_5H",
            "",
        ],
        encoding="utf-8-sig",
    )
    run("import_units", path)
    assert Unit.objects.get(code="KANWIL-S").name == "Kanwil, Semicolon"


def test_unknown_and_missing_columns_are_named(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "units.csv",
        ["kode,name,kind,parent,timezone,pattern,warna", "X,X,KUA,,WIB,KANTOR_5H,red"],
    )
    problems = refused("import_units", path)
    assert problems == [
        "units.csv:1: code: kolom wajib tidak ada",
        "units.csv:1: kode: kolom tidak dikenal",
        "units.csv:1: warna: kolom tidak dikenal",
    ]


def test_a_file_with_only_a_header_is_refused(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", [UNIT_HEADER])
    assert refused("import_units", path) == ["units.csv:1: berkas tidak berisi data"]


def test_a_missing_file_is_refused(db: None, tmp_path: Path) -> None:
    assert refused("import_units", tmp_path / "nope.csv") == ["nope.csv:0: berkas tidak ditemukan"]


# ---------------------------------------------------------------- employees

NIP_PNS = "198712112010121007"
NIP_PPPK = "199001012022212003"


def test_a_good_employee_csv_creates_employees(org: Org, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pegawai.csv",
        [
            EMPLOYEE_HEADER + ",email,position,end",
            f"{NIP_PNS},Ahmad Hidayat,KUA-A,,III/b,2024-01-01,ahmad@example.org,Penghulu,",
            f"{NIP_PPPK},Siti Rahmawati,MAN-A,madrasah_6h_jumat,ix,2024-03-01,,Guru,2026-12-31",
        ],
    )
    out, err = run("import_employees", path)
    assert "dibuat: 2" in out
    assert err == ""
    pns = Employee.objects.get(nip=NIP_PNS)
    assert (pns.kind, pns.golongan, pns.unit, pns.pattern) == ("PNS", "III/b", org.kua_a, None)
    assert pns.email == "ahmad@example.org"
    pppk = Employee.objects.get(nip=NIP_PPPK)
    assert (pppk.kind, pppk.golongan, pppk.unit) == ("PPPK", "IX", org.man_a)
    assert pppk.pattern.code == "MADRASAH_6H_JUMAT"  # type: ignore[union-attr]
    assert pppk.end == date(2026, 12, 31)
    assert AuditEvent.objects.filter(action="org.employees_import").count() == 1


def test_a_good_employee_xlsx_creates_employees(org: Org, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["NIP", "Name", "Unit", "Pattern", "Golongan", "Start"])
    sheet.append([NIP_PNS, "Ahmad Hidayat", "KUA-A", None, "III/a", date(2024, 1, 2)])
    sheet.append([])
    sheet.append([NIP_PPPK, "Siti Rahmawati", "MAN-A", "", "PPPK IX", "2024-02-01"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    run("import_employees", path)
    assert Employee.objects.get(nip=NIP_PNS).start == date(2024, 1, 2)
    assert Employee.objects.get(nip=NIP_PPPK).golongan == "IX"


def test_a_broken_xlsx_is_refused(db: None, tmp_path: Path) -> None:
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(b"this is not a zip archive")
    problems = refused("import_employees", path)
    assert len(problems) == 1
    assert problems[0].startswith("pegawai.xlsx:0: bukan berkas Excel yang valid")


def test_reimporting_employees_updates_and_never_duplicates(org: Org, tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", [EMPLOYEE_HEADER, f"{NIP_PNS},Ahmad,KUA-A,,III/a,2024-01-01"])
    run("import_employees", first)
    before = Employee.objects.count()
    second = write(
        tmp_path, "b.csv", [EMPLOYEE_HEADER, f"{NIP_PNS},Ahmad Hidayat,KUA-B,,III/b,2024-01-01"]
    )
    out, _ = run("import_employees", second)
    assert "diperbarui: 1" in out
    out, _ = run("import_employees", second)
    assert "tetap: 1" in out
    assert Employee.objects.count() == before
    ahmad = Employee.objects.get(nip=NIP_PNS)
    assert (ahmad.name, ahmad.unit, ahmad.golongan) == ("Ahmad Hidayat", org.kua_b, "III/b")


def test_a_bad_employee_file_lists_every_problem_and_writes_nothing(
    org: Org, tmp_path: Path
) -> None:
    before = Employee.objects.count()
    good = valid_nip(5000)
    path = write(
        tmp_path,
        "pegawai.csv",
        [
            EMPLOYEE_HEADER + ",end,email",
            f"{good},Good Line,KUA-A,,III/a,2024-01-01,,",
            "19871211201012100,Short NIP,KUA-A,,III/a,2024-01-01,,",
            f"{NIP_PNS},Kind mismatch,KUA-A,,IX,2024-01-01,,",
            f"{NIP_PPPK},Kind mismatch,KUA-A,,III/a,2024-01-01,,",
            f"{valid_nip(5001)},Backwards,KUA-A,,III/a,2024-05-01,2024-04-30,",
            f"{valid_nip(5002)},,NOWHERE,SHIFT,V/z,01-01-2024,,not-an-email",
            f"{good},Duplicate,KUA-A,,III/a,2024-01-01,,",
        ],
    )
    problems = refused("import_employees", path)
    assert problems == [
        "pegawai.csv:3: nip: NIP harus 18 digit, bukan 17",
        "pegawai.csv:4: golongan: golongan IX adalah PPPK, tetapi NIP adalah PNS",
        "pegawai.csv:5: golongan: golongan III/a adalah PNS, tetapi NIP adalah PPPK",
        "pegawai.csv:6: end: tanggal akhir 2024-04-30 sebelum tanggal mulai 2024-05-01",
        "pegawai.csv:7: name: nama wajib diisi",
        "pegawai.csv:7: unit: unit 'NOWHERE' tidak ada",
        "pegawai.csv:7: pattern: pola kerja 'SHIFT' tidak dikenal; pilihan: KANTOR_5H, "
        "MADRASAH_5H, MADRASAH_6H_JUMAT, MADRASAH_6H_MINGGU",
        "pegawai.csv:7: golongan: golongan 'V/z' tidak dikenal; contoh: III/a atau IX",
        "pegawai.csv:7: start: tanggal '01-01-2024' tidak valid; format YYYY-MM-DD",
        "pegawai.csv:7: email: alamat e-mail 'not-an-email' tidak valid",
        f"pegawai.csv:8: nip: NIP {good} sudah ada di baris 2",
    ]
    assert Employee.objects.count() == before
    assert not Employee.objects.filter(nip=good).exists()


def test_a_missing_start_date_is_named(org: Org, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", [EMPLOYEE_HEADER, f"{NIP_PNS},Ahmad,KUA-A,,III/a,"])
    assert refused("import_employees", path) == ["p.csv:2: start: tanggal wajib diisi (YYYY-MM-DD)"]


def test_a_start_date_excel_shows_as_a_number_says_so(org: Org, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", [EMPLOYEE_HEADER, f"{NIP_PNS},Ahmad,KUA-A,,III/a,45352"])
    assert refused("import_employees", path) == [
        "p.csv:2: start: '45352' adalah tanggal yang ditampilkan Excel sebagai angka: format"
        " kolomnya sebagai tanggal (atau ketik YYYY-MM-DD) lalu simpan lagi"
    ]


def test_an_invalid_nip_says_what_is_wrong_with_it(org: Org, tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", [EMPLOYEE_HEADER, "198702302010121007,Ahmad,KUA-A,,III/a,2024-01-01"]
    )
    assert refused("import_employees", path) == [
        "p.csv:2: nip: tanggal lahir 19870230 bukan tanggal yang ada"
    ]


def test_a_nip_saved_through_a_number_says_to_retype_the_column(org: Org, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", [EMPLOYEE_HEADER, f"{NIP_PNS}.0,Ahmad,KUA-A,,III/a,2024-01-01"])
    assert refused("import_employees", path) == [
        f"p.csv:2: nip: NIP '{NIP_PNS}.0' diubah Excel menjadi angka sehingga digit terakhirnya"
        " hilang: format kolom sebagai Teks lalu ketik ulang NIP"
    ]


def test_a_bad_nip_and_golongan_read_in_english_when_the_run_is_english(
    org: Org, tmp_path: Path
) -> None:
    """The rules' reasons come in both languages, like the import's own: no Indonesian line
    among English ones."""
    path = write(
        tmp_path, "p.csv", [EMPLOYEE_HEADER, "198702302010121007,Ahmad,KUA-A,,III/e,2024-01-01"]
    )
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_employees", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "p.csv:2: nip: birth date 19870230 is no date that exists",
        "p.csv:2: golongan: unknown golongan 'III/e'; e.g. III/a or IX",
    ]


def test_a_name_holding_a_control_character_is_refused_on_its_line(
    org: Org, tmp_path: Path
) -> None:
    """A paste's stray byte: the Excel export could not hold it, nor a page show it."""
    path = write(
        tmp_path, "p.csv", [EMPLOYEE_HEADER, f'{NIP_PNS},"Ani\x07Rahmat",KUA-A,,III/a,2024-01-01']
    )
    assert refused("import_employees", path) == [
        "p.csv:2: name: berisi karakter kendali (U+0007): ketik ulang selnya"
    ]


def test_an_employee_dry_run_writes_nothing(org: Org, tmp_path: Path) -> None:
    before = Employee.objects.count()
    path = write(tmp_path, "p.csv", [EMPLOYEE_HEADER, f"{NIP_PNS},Ahmad,KUA-A,,III/a,2024-01-01"])
    out, _ = run("import_employees", path, "--dry-run")
    assert "akan dibuat: 1" in out
    assert Employee.objects.count() == before
    assert not AuditEvent.objects.filter(action="org.employees_import").exists()


def test_employee_columns_are_checked_like_unit_columns(org: Org, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        ["nip;nama;unit;pattern;golongan;start", f"{NIP_PNS};Ahmad;KUA-A;;III/a;2024-01-01"],
    )
    assert refused("import_employees", path) == [
        "p.csv:1: name: kolom wajib tidak ada",
        "p.csv:1: nama: kolom tidak dikenal",
    ]


def test_an_xlsx_with_nips_typed_as_numbers_is_refused_whole(org: Org, tmp_path: Path) -> None:
    before = Employee.objects.count()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nip", "name", "unit", "pattern", "golongan", "start"])
    sheet.append([NIP_PPPK, "Siti", "MAN-A", "", "IX", "2024-02-01"])
    sheet.append([int(NIP_PNS), "Ahmad", "KUA-A", "", "III/a", "2024-01-01"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    [problem] = refused("import_employees", path)
    assert problem.startswith("pegawai.xlsx:3: nip: angka lebih dari 15 digit")
    assert Employee.objects.count() == before
    assert not Employee.objects.filter(nip__startswith="19871211").exists()


def test_a_line_with_several_problems_reports_each_of_them(org: Org, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "units.csv",
        [
            UNIT_HEADER,
            "X-1,X 1,PESANTREN,NOWHERE,WIB,KANTOR_5H",
            "X-2,,KUA,X-2,WIB,KANTOR_5H",
        ],
    )
    problems = refused("import_units", path)
    assert problems == [
        "units.csv:2: kind: jenis 'PESANTREN' tidak dikenal; pilihan: "
        + ", ".join(sorted(Unit.Kind.values)),
        "units.csv:2: parent: unit induk 'NOWHERE' tidak ada",
        "units.csv:3: name: nama wajib diisi",
        "units.csv:3: parent: unit tidak boleh menjadi induknya sendiri",
    ]


@pytest.mark.parametrize(
    ("language", "problems", "verdict"),
    [
        (
            "en",
            [
                "units.csv:2: code: invalid code 'bad code!': letters, digits, - or _, at most 40",
                "units.csv:2: parent: parent unit 'NOWHERE' not found",
                "units.csv:3: name: name is required",
                "units.csv:3: parent: a unit cannot be its own parent",
            ],
            "units.csv refused whole, nothing written: 4 problems",
        ),
        (
            None,
            [
                "units.csv:2: code: kode 'bad code!' tidak valid: huruf, angka, - atau _, maks. 40",
                "units.csv:2: parent: unit induk 'NOWHERE' tidak ada",
                "units.csv:3: name: nama wajib diisi",
                "units.csv:3: parent: unit tidak boleh menjadi induknya sendiri",
            ],
            "units.csv ditolak seluruhnya, tidak ada yang disimpan: 4 masalah",
        ),
    ],
    ids=["english", "default"],
)
def test_a_refused_unit_files_problems_read_in_english_when_asked_and_indonesian_otherwise(
    db: None, tmp_path: Path, language: str | None, problems: list[str], verdict: str
) -> None:
    path = write(
        tmp_path,
        "units.csv",
        [UNIT_HEADER, "bad code!,X 1,KUA,NOWHERE,WIB,KANTOR_5H", "X-2,,KUA,X-2,WIB,KANTOR_5H"],
    )
    err = StringIO()
    language_of_the_run = translation.override(language) if language else nullcontext()
    with language_of_the_run, pytest.raises(CommandError) as refused_whole:
        call_command("import_units", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == problems
    assert str(refused_whole.value) == verdict
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()
