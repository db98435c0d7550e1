"""NIP (PNS) and NI PPPK validation, DOMAIN.md §2: every refusal says what is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from hadir.rules.nip import InvalidNip, NipInfo, parse_nip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198712112010121007", NipInfo("198712112010121007", "PNS", date(1987, 12, 11), "L")),
        ("199003152015012001", NipInfo("199003152015012001", "PNS", date(1990, 3, 15), "P")),
        ("199001012022212003", NipInfo("199001012022212003", "PPPK", date(1990, 1, 1), "P")),
        ("198502282023211014", NipInfo("198502282023211014", "PPPK", date(1985, 2, 28), "L")),
        ("200002292024011001", NipInfo("200002292024011001", "PNS", date(2000, 2, 29), "L")),
    ],
)
def test_good_pns_and_pppk_numbers_are_read(raw: str, expected: NipInfo) -> None:
    assert parse_nip(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "19871211 201012 1 007",
        "19871211.201012.1.007",
        " 198712112010121007\t",
        "'198712112010121007",  # typed so in Excel to keep it text
        "19871211\u00a0201012\u00a01\u00a0007",  # non-breaking spaces from a web page
    ],
)
def test_spaces_dots_and_excels_apostrophe_around_the_groups_are_ignored(raw: str) -> None:
    assert parse_nip(raw).number == "198712112010121007"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "NIP kosong"),
        ("   ", "NIP kosong"),
        ("19871211201012100", "NIP harus 18 digit, bukan 17"),
        ("1987121120101210070", "NIP harus 18 digit, bukan 19"),
        ("19871211201012100A", "NIP '19871211201012100A' hanya boleh berisi angka"),
        ("1987-12-11-2010-12-1-007", "hanya boleh berisi angka"),
        ("198700112010121007", "bulan lahir 00 tidak valid (harus 01–12)"),
        ("198713112010121007", "bulan lahir 13 tidak valid (harus 01–12)"),
        ("198702302010121007", "tanggal lahir 19870230 bukan tanggal yang ada"),
        ("199002292015011001", "tanggal lahir 19900229 bukan tanggal yang ada"),
        ("198712002010121007", "tanggal lahir 19871200 bukan tanggal yang ada"),
        ("198712112010123007", "digit ke-15 (jenis kelamin) harus 1 atau 2, bukan 3"),
        ("198712112010120007", "digit ke-15 (jenis kelamin) harus 1 atau 2, bukan 0"),
        ("198712111980121007", "tahun pengangkatan 1980 tidak mungkin untuk kelahiran 1987"),
        ("198712111987121007", "tahun pengangkatan 1987 tidak mungkin untuk kelahiran 1987"),
        ("198712112010131007", "bulan pengangkatan 13 tidak valid (harus 01–12)"),
        ("198712112010001007", "bulan pengangkatan 00 tidak valid (harus 01–12)"),
        ("198712112010311007", "bulan pengangkatan 31 tidak valid (harus 01–12)"),
    ],
)
def test_bad_numbers_are_refused_naming_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNip) as refused:
        parse_nip(raw)
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "raw", ["1.98712E+17", "1,98712E+17", "198712112010121007.0", "198712112010121000,0"]
)
def test_a_nip_a_spreadsheet_kept_as_a_number_is_refused_as_such(raw: str) -> None:
    """Its digits cannot be trusted (a float holds 15), so no other reason helps: not "18
    digits, not 19" for the decimal tail, nor "digits only" for the exponent."""
    with pytest.raises(InvalidNip) as refused:
        parse_nip(raw)
    assert str(refused.value) == (
        f"NIP '{raw}' diubah Excel menjadi angka sehingga digit terakhirnya hilang:"
        " format kolom sebagai Teks lalu ketik ulang NIP"
    )


def test_an_invalid_nip_is_a_value_error() -> None:
    """Callers that validate many kinds of cells may catch ``ValueError`` alone."""
    with pytest.raises(ValueError, match="18 digit"):
        parse_nip("123")


def test_the_earliest_appointment_year_is_the_year_after_birth() -> None:
    assert parse_nip("198712111988011001").kind == "PNS"


def test_every_appointment_month_is_a_pns_and_every_2x_code_a_pppk() -> None:
    for month in range(1, 13):
        assert parse_nip(f"198712112010{month:02d}1007").kind == "PNS"
    for code in range(20, 30):
        assert parse_nip(f"198712112010{code}1007").kind == "PPPK"
