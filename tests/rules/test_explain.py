"""Reasons render in Indonesian and English from one message table."""

from __future__ import annotations

import re
import string

import pytest

from hadir.rules.explain import MESSAGES, TERMS, Reason, format_decimal, render
from hadir.rules.policy import ABSENCE_CODES, SANCTION_IDS

SAMPLE = {
    "date": "2024-03-04",
    "start": "2024-03-04",
    "end": "2024-03-08",
    "pattern": "KANTOR_5H",
    "name": "Ramadan",
    "pivot": "11:45",
    "count": "2",
    "codes": "CT",
    "code": "CT",
    "ref": "B-1",
    "time": "09:01",
    "when": "2024-03-05 06:30",
    "minutes": "91",
    "raw": "240",
    "cls": "4",
    "kind": "IZIN",
    "status": "TK",
    "each": "1.25",
    "total": "2.5",
    "sanction": "TUKIN_25_6",
    "pct": "25",
    "cap": "100",
    "group": "III",
    "days": "2",
    "rate": "37000",
    "gross": "74000",
    "tax": "3700",
    "net": "70300",
    "tk": "1",
    "day": "450",
    "limit": "10",
    "level": "sedang",
    "months": "6",
    "nip": "1.98712E+17",
    "length": "18",
    "month": "13",
    "digits": "19870230",
    "digit": "3",
    "year": "1980",
    "born": "1987",
    "golongan": "III/e",
    "key": "tukin.cap",
    "text": "1e2",
    "choices": "I, II, III, IV",
    "other": "cap.minutes",
    "expected": "CT, CB",
    "low": "1",
    "high": "100",
    "break_start": "12:00",
    "break_end": "13:00",
    "period": "RAMADAN_2024",
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_exists_in_both_languages_with_the_same_parameters(code: str) -> None:
    templates = MESSAGES[code]
    assert set(templates) == {"id", "en"}
    assert _fields(templates["id"]) == _fields(templates["en"])


@pytest.mark.parametrize("code", sorted(MESSAGES))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_message_renders_without_leftover_braces(code: str, lang: str) -> None:
    params = {name: SAMPLE[name] for name in _fields(MESSAGES[code][lang])}  # type: ignore[index]
    text = Reason.of(code, **params).text(lang)  # type: ignore[arg-type]
    assert "{" not in text
    assert text


def test_every_status_excuse_sanction_and_level_has_a_name_in_both_languages() -> None:
    codes = {
        "H",
        "TK",
        "LIBUR",
        *ABSENCE_CODES,
        "TUGAS_LUAR",
        "SISTEM_ERROR",
        "IZIN",
        *SANCTION_IDS,
    }
    codes |= {"ringan", "sedang", "berat"} | {
        f"{side}{n}" for side in ("TL", "PSW") for n in range(1, 5)
    }
    assert codes <= set(TERMS)
    assert all(set(names) == {"id", "en"} for names in TERMS.values())


def test_sanction_names_carry_no_figures_because_figures_are_policy() -> None:
    for code in SANCTION_IDS:
        for name in TERMS[code].values():
            assert not re.search(r"\d", name), name


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        ("1234567.5", "id", "1.234.567,5"),
        ("1234567.5", "en", "1,234,567.5"),
        ("37000", "id", "37.000"),
        ("100", "en", "100"),
        ("-1850", "id", "-1.850"),
        ("0.25", "id", "0,25"),
    ],
)
def test_numbers_use_the_languages_separators(value: str, lang: str, text: str) -> None:
    assert format_decimal(value, lang) == text  # type: ignore[arg-type]


def test_parameters_are_stored_language_neutral() -> None:
    from datetime import date
    from decimal import Decimal

    reason = Reason.of("M_DEDUCTION", pct=Decimal("12.50"))
    assert reason.params == (("pct", "12.50"),)
    assert Reason.of("HOLIDAY", date=date(2024, 3, 11)).params == (("date", "2024-03-11"),)
    assert reason.text() == "Potongan TUKIN bulan ini: 12,50%"
    assert reason.text("en") == "TUKIN deduction this month: 12.50%"


def test_an_unknown_term_is_shown_as_is() -> None:
    assert Reason.of("MEAL_NO_STATUS", status="XYZ").text() == "Tanpa uang makan: status XYZ"
    assert (
        Reason.of("ABSENCE", code="XYZ", ref="").text()
        == "Ketidakhadiran sah: XYZ (XYZ); tanpa TL/PSW"
    )


def test_render_gives_all_lines_in_order() -> None:
    reasons = (Reason.of("MEAL_YES"), Reason.of("TK"))
    assert render(reasons, "en") == [
        "Earns the meal allowance",
        "No check-in, no check-out and no valid excuse: TK (absent without leave)",
    ]
    assert render(reasons) == [r.text("id") for r in reasons]
