"""The signed letter and the unit page as officers use them: a long letter, long names, the
daily letter's words, a NIP typed as printed, today once it is over, a closed unit's part
under an open parent. The people are
those of ``march_people`` (March 2024, KUA Mlati / MAN 2 Sleman / MTs Al-Ikhlas under
Kankemenag Sleman); the clock stands on Tuesday 2 April 2024, 10:00 WIB unless moved.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from pypdf import PdfReader

from hadir.org.models import Employee
from hadir.recap import exports
from tests.clock import Clock
from tests.recap.support import (
    TODAY,
    Sleman,
    leader_of,
    local,
    logged_in,
    punch,
    recap_command,
    recap_json,
)

MARCH = date(2024, 3, 1)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def recap_row(i: int, name: str | None = None) -> dict[str, Any]:
    """A month recap row in the JSON shape (``EmployeeMonth.as_dict``), Ani's March figures."""
    return {
        "nip": f"19850312201001{1000 + i:04d}",
        "name": name or f"Pegawai Nomor {i}",
        "unit": "KUA-MLATI",
        "unit_name": "KUA Mlati",
        "golongan": "III/a",
        "month": "2024-03",
        "workdays": 18,
        "present_days": 18,
        "absent_days": 0,
        "absences": {},
        "late": {"1": 3, "2": 0, "3": 0, "4": 1, "minutes": 131},
        "early": {"1": 2, "2": 1, "3": 0, "4": 0, "minutes": 127},
        "tukin_deduction_percent": "4.75",
        "meal_allowance": {"days": 18, "rate": 37000, "gross": 666000, "tax": 33300, "net": 632700},
        "discipline": {
            "year_absent_days": 0,
            "year_late_early_minutes": 258,
            "days_not_at_work": 0,
            "longest_absent_streak": 0,
            "sanction": None,
            "level": None,
            "next_threshold": {"sanction": "TEGURAN_LISAN", "days_left": 3},
            "streak_threshold": None,
        },
    }


def letter(rows: list[dict[str, Any]], *, daily: bool = False) -> bytes:
    return exports.to_pdf(
        rows,
        daily=daily,
        unit_name="KUA Mlati",
        month=MARCH,
        head_name="H. Ahmad Fauzi, S.Ag.",
        head_nip="197001011995031001",
        place="Sleman",
        signed_on=date(2024, 3, 31),
        office_name="Kantor Kementerian Agama Kabupaten Sleman",
    )


# ---------------------------------------------------------------- the PDF letter


def test_the_pdf_signature_block_is_never_split_across_pages() -> None:
    """The letter is signed by the unit head: "Sleman, 31 Maret 2024 / Kepala KUA Mlati /
    (space to sign) / name / NIP" must stay together. With 20 to 25 employees the table ends
    near the foot of page 1 and fpdf's automatic page break cuts the block in two: the date
    and "Kepala KUA Mlati" on page 1, the space to sign, the head's name and NIP on page 2
    (with 21 rows, the name is alone on page 2) -- a letter nobody can sign as printed."""
    block = ("Sleman, 31 Maret 2024", "Kepala KUA Mlati", "H. Ahmad Fauzi, S.Ag.",
             "NIP 197001011995031001")  # fmt: skip
    split = {}
    for count in range(1, 45):
        pages = pdf_pages(letter([recap_row(i) for i in range(count)]))
        on = {line: [n for n, text in enumerate(pages) if line in text] for line in block}
        if len({tuple(found) for found in on.values()}) != 1:
            split[count] = on
    assert split == {}


def test_every_page_of_a_long_pdf_recap_repeats_the_table_header() -> None:
    """A Kankemenag of 60 people runs onto a second page, which carries rows of figures
    (HK, H, TK, TL1..4, PSW1..4, TUKIN %, UM ...) with no column header, so a reader of page
    2 cannot tell the TL1 column from PSW3 (fpdf2's ``table()`` repeats its headings)."""
    pages = pdf_pages(letter([recap_row(i) for i in range(60)]))
    assert len(pages) >= 2
    with_rows = [n for n, text in enumerate(pages) if "Pegawai Nomor" in text]
    with_header = [n for n, text in enumerate(pages) if "TUKIN %" in text and "PSW4" in text]
    assert with_rows == with_header


DRAWN = re.compile(
    r"(?P<x>[\d.]+) [\d.]+ (?P<w>[\d.]+) -?[\d.]+ re S"
    r"|BT (?P<tx>[\d.]+) [\d.]+ Td \((?P<text>.*?)\) Tj ET"
)
"""A cell's border (``re S``) or a line of text (``Td … Tj``), in drawing order."""


def test_each_pdf_cell_holds_its_text_a_long_name_and_an_18_digit_nip_included() -> None:
    """A name with its titles, as SIMPEG writes it ("Hj. Siti Nurhaliza Rahmawati, S.Ag.,
    M.Pd.I."), an 18-digit NIP at 7 pt and the sanction PERNYATAAN_TIDAK_PUAS each stay
    within their cell (drawn one line at a fixed width, they ran over the next columns and
    past the table's edge: text over text on the signed letter)."""
    from fpdf import FPDF

    measure = FPDF(unit="pt")
    measure.add_page()
    measure.set_font("Helvetica", "", 7)
    reprimanded = recap_row(1)
    reprimanded["discipline"]["sanction"] = "PERNYATAAN_TIDAK_PUAS"  # 7 days not at work
    data = letter([recap_row(0, "Hj. Siti Nurhaliza Rahmawati, S.Ag., M.Pd.I."), reprimanded])
    contents = PdfReader(io.BytesIO(data)).pages[0].get_contents()
    assert contents is not None
    stream = contents.get_data().decode("latin-1")
    body = stream[stream.index("198503122010011000") - 200 :]  # the rows, after the headings
    overflowing, checked, right = [], [], 0.0
    for drawn in DRAWN.finditer(body):
        if drawn["x"] is not None:
            right = float(drawn["x"]) + float(drawn["w"])
            continue
        if not right:
            continue
        checked.append(drawn["text"])
        end = float(drawn["tx"]) + measure.get_string_width(drawn["text"])
        if end > right:
            overflowing.append((drawn["text"], round(end - right, 1)))
    assert "198503122010011000" in checked
    assert overflowing == []
    assert {"PERNYATAAN TIDAK", "PUAS"} <= set(checked)


def test_the_daily_pdf_letter_writes_the_uang_makan_column_in_indonesian(
    march_people: dict[str, Employee],
) -> None:
    """The daily letter (REKAP PRESENSI HARIAN, signed by the Kepala KUA) prints the "UM"
    column as Python's ``str(bool)``: "True" on every day earning uang makan, "False" on the
    others, English words in an Indonesian letter (``_pdf_text`` formats money and the TUKIN
    percentage the Indonesian way, but not this column)."""
    args = ["--month", "2024-03", "--unit", "KUA-MLATI", "--format", "pdf", "--daily"]
    words = " ".join(pdf_pages(recap_command(*args))).split()

    assert "True" not in words
    assert "False" not in words


# ---------------------------------------------------------------- the unit page


def test_the_unit_recap_finds_an_employee_by_the_nip_as_printed(
    sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    """A verifier of 200 people types or pastes the NIP as every SK and printed list writes it,
    in its groups: "19850312 201001 1 003". The project reads a NIP the same wherever it is
    typed (``hadir.rules.nip.compact_nip``: spaces and dots dropped), but the unit page
    compares the raw text with the stored digits and finds nobody."""
    budi = march_people["Budi"].nip
    printed = f"{budi[:8]} {budi[8:14]} {budi[14]} {budi[15:]}"
    client = logged_in(leader_of(sleman.kankemenag))

    response = client.get(
        f"/rekap/unit/{sleman.kankemenag.pk}/", {"bulan": "2024-03", "q": printed}
    )

    assert [row["name"] for row in response.context["page"]] == ["Budi Santoso"]


# ---------------------------------------------------------------- today, once it is over


def test_a_read_after_the_presensi_window_closes_counts_today(
    sleman: Sleman, march_people: dict[str, Employee], clock: Clock
) -> None:
    """Tuesday 2 April: Ani comes at 07:20 and leaves at 16:35. At 10:00 the KUA head opens
    April (Monday 1 April is stored: TK). At 21:30 the window has closed and the day is over
    (``still_lived`` is false); the change that keeps a day until it is over says that
    "finalize_days (or the next read of the month) stores today", and her own page says
    "Hari ini dihitung setelah jendela presensi ditutup pukul 21:00". But the next read does
    not: ``_unevaluated`` and ``days_ensure`` stop at the server's yesterday, so until the
    nightly run after midnight every recap and export of April leaves 2 April out (one
    working day, her H and her uang makan)."""
    ani = march_people["Ani"]
    punch(ani, TODAY, "07:20")
    punch(ani, TODAY, "16:35")
    morning = recap_json("2024-04", unit="KUA-MLATI")["Ani Rahmawati"]
    assert (morning["workdays"], morning["absent_days"]) == (1, 1)

    clock.set(local(TODAY, "21:30"))
    evening = recap_json("2024-04", unit="KUA-MLATI")["Ani Rahmawati"]

    assert (evening["workdays"], evening["present_days"], evening["meal_allowance"]["days"]) == (
        2,
        1,
        1,
    )


# ---------------------------------------------------------------- a closed unit under an open one


def test_an_open_kankemenag_shows_a_closed_kuas_part_exactly_as_the_kua_signed_it(
    sleman: Sleman, march_people: dict[str, Employee], clock: Clock
) -> None:
    """KUA Mlati closes March on Saturday 6 April (Ani, Eko, Fitri: signed). On Monday 8 April
    the operator records Gita, whose SK put her in KUA Mlati from 25 March (a late SK is
    common; nothing refuses it). KUA Mlati's March stays as signed: three people. But the
    open Kankemenag's March takes from the KUA's closing only the NIPs it froze and recaps
    everyone else live, Gita included, under KUA Mlati: the Kankemenag's recap (page, every
    export, and its own closing later) counts four people in KUA Mlati where the KUA's signed
    letter has three, and its uang makan total is more than the units' signed totals."""
    from hadir.org.models import Role
    from hadir.recap.periods import period_close
    from tests.conftest import user_with_role
    from tests.recap.support import person

    clock.set(local(date(2024, 4, 6), "08:00"))
    period_close(actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH)
    clock.set(local(date(2024, 4, 8), "08:00"))
    person(sleman.kua, "Gita Anggraini", "III/a", start=date(2024, 3, 25))

    kua = recap_json(unit="KUA-MLATI")
    kankemenag = recap_json(unit="KAB-SLEMAN")
    kua_in_kankemenag = {name for name, row in kankemenag.items() if row["unit"] == "KUA-MLATI"}

    assert set(kua) == {"Ani Rahmawati", "Eko Prasetyo", "Fitri Handayani"}
    assert kua_in_kankemenag == set(kua)
