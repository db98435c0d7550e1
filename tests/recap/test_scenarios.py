"""``manage.py recap --month 2024-03 --format json [--daily]`` for March 2024 worked by hand.

Every expected figure below is computed from DOMAIN.md §3–5 and a calendar, not from the code:
the working days of each pattern, TL/PSW minutes and classes, the TUKIN percentages (TL/PSW
class 1–4: 0.5 / 1 / 1.25 / 1.5 %, TK 3 % a day), the meal allowance (III: Rp 37,000 and 5 %
PPh 21; IV: Rp 41,000 and 15 %; I–II: Rp 35,000 and 0 %) and the discipline ladder. The people
and their punches are described in ``tests/recap/conftest.py`` (``march_people``).
"""

from __future__ import annotations

from typing import Any

import pytest

from hadir.org.models import Employee
from tests.factories import UnitFactory
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    Sleman,
    attend,
    daily_json,
    march,
    person,
    recap_command,
    recap_json,
)

pytestmark = pytest.mark.usefixtures("march_people")

RECAP_KEYS = {
    "nip", "name", "unit", "month", "workdays", "present_days", "absent_days", "absences",
    "late", "early", "tukin_deduction_percent", "meal_allowance", "discipline",
}  # fmt: skip
DAILY_KEYS = {
    "nip", "date", "status", "datang", "pulang", "late_minutes", "early_minutes",
    "late_class", "early_class", "meal",
}  # fmt: skip
NOTHING = {"1": 0, "2": 0, "3": 0, "4": 0, "minutes": 0}
CLEAN_RECORD = {
    "year_absent_days": 0,
    "year_late_early_minutes": 0,
    "days_not_at_work": 0,
    "longest_absent_streak": 0,
    "sanction": None,
    "level": None,
}


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """The recap row without identity fields, and discipline without the forward warnings."""
    warnings = ("next_threshold", "streak_threshold")
    discipline = {k: v for k, v in row["discipline"].items() if k not in warnings}
    return {
        "workdays": row["workdays"],
        "present_days": row["present_days"],
        "absent_days": row["absent_days"],
        "absences": row["absences"],
        "late": row["late"],
        "early": row["early"],
        "tukin_deduction_percent": row["tukin_deduction_percent"],
        "meal_allowance": row["meal_allowance"],
        "discipline": discipline,
    }


def day(
    status: str,
    datang: str | None = None,
    pulang: str | None = None,
    late: tuple[int, int] = (0, 0),
    early: tuple[int, int] = (0, 0),
    meal: bool = False,
) -> dict[str, Any]:
    """A daily row's figures: ``late``/``early`` are (minutes, class)."""
    return {
        "status": status,
        "datang": datang,
        "pulang": pulang,
        "late_minutes": late[0],
        "late_class": late[1],
        "early_minutes": early[0],
        "early_class": early[1],
        "meal": meal,
    }


def daily_figures(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in day("H")}


# ---------------------------------------------------------------- shape


def test_the_recap_json_has_every_agreed_key_for_each_employee_of_the_unit(
    march_people: dict[str, Employee],
) -> None:
    rows = recap_json(unit="KUA-MLATI")
    assert sorted(rows) == ["Ani Rahmawati", "Eko Prasetyo", "Fitri Handayani"]
    ani = rows["Ani Rahmawati"]
    assert set(ani) >= RECAP_KEYS
    assert (ani["nip"], ani["unit"], ani["month"]) == (
        march_people["Ani"].nip,
        "KUA-MLATI",
        "2024-03",
    )
    assert set(ani["late"]) == set(ani["early"]) == {"1", "2", "3", "4", "minutes"}
    assert set(ani["meal_allowance"]) >= {"days", "rate", "gross", "tax", "net"}
    assert all(type(v) is int for v in ani["meal_allowance"].values())
    assert set(ani["discipline"]) >= set(CLEAN_RECORD)


def test_the_daily_json_has_one_row_per_employee_and_calendar_day_with_the_agreed_keys() -> None:
    days = daily_json(unit="KUA-MLATI")
    assert {name: len(rows) for name, rows in days.items()} == {
        "Ani Rahmawati": 31,
        "Eko Prasetyo": 31,
        "Fitri Handayani": 31,
    }
    assert all(set(row) >= DAILY_KEYS for rows in days.values() for row in rows.values())


def test_the_whole_kankemenag_is_recapped_with_its_units_and_in_nip_order(
    march_people: dict[str, Employee],
) -> None:
    rows = list(recap_json(unit="KAB-SLEMAN").values())
    assert [row["nip"] for row in rows] == sorted(e.nip for e in march_people.values())
    assert {row["name"]: row["unit"] for row in rows}["Dedi Kurniawan"] == "MTS-AL-IKHLAS"


def test_the_command_prints_the_same_json_to_stdout_when_no_output_file_is_given(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    from django.core.management import call_command

    call_command("recap", "--month", "2024-03", "--unit", "MAN-2-SLEMAN", "--format", "json")
    printed = capsysbinary.readouterr().out
    assert printed == recap_command(
        "--month", "2024-03", "--unit", "MAN-2-SLEMAN", "--format", "json"
    )


# ---------------------------------------------------------------- KANTOR_5H


def test_kantor_5h_lateness_and_early_leave_are_classed_summed_and_deducted() -> None:
    """Ani, 18 working days (21 weekdays less 11, 12 and 29 March), all present.

    TL: 07:30:59 → 0 (whole minutes); 07:45 → 15 (TL1); 09:10 → 100 (TL4); 07:31 → 1 (TL1).
    PSW: 15:00 on a Wednesday (end 16:00) → 60 (PSW2); 15:29 on a Friday (end 16:30) → 61 (PSW3).
    TUKIN: 2 × 0.5 + 1.5 + 1 + 1.25 = 4.75 %. Uang makan III: 18 × 37,000 = 666,000; 5 % =
    33,300; net 632,700. Discipline: ⌊(116 + 121) / 450⌋ = 0 days.
    """
    assert figures(recap_json(unit="KUA-MLATI")["Ani Rahmawati"]) == {
        "workdays": 18,
        "present_days": 18,
        "absent_days": 0,
        "absences": {},
        "late": {"1": 2, "2": 0, "3": 0, "4": 1, "minutes": 116},
        "early": {"1": 0, "2": 1, "3": 1, "4": 0, "minutes": 121},
        "tukin_deduction_percent": "4.75",
        "meal_allowance": {"days": 18, "rate": 37000, "gross": 666000, "tax": 33300, "net": 632700},
        "discipline": {**CLEAN_RECORD, "year_late_early_minutes": 237},
    }


def test_kantor_5h_days_read_as_the_circular_says() -> None:
    ani = daily_json(unit="KUA-MLATI")["Ani Rahmawati"]
    expected = {
        march(1): day("H", "07:25", "16:35", meal=True),
        march(4): day("H", "07:30", "16:35", meal=True),
        march(5): day("H", "07:45", "16:35", late=(15, 1), meal=True),
        march(6): day("H", "07:25", "15:00", early=(60, 2), meal=True),
        march(7): day("H", "09:10", "16:35", late=(100, 4), meal=True),
        march(8): day("H", "07:25", "15:29", early=(61, 3), meal=True),
        march(9): day("LIBUR"),  # a Saturday: her punches count for nothing
        march(10): day("LIBUR"),
        march(11): day("LIBUR"),  # Nyepi, punched or not
        march(12): day("LIBUR"),  # cuti bersama
        march(13): day("H", "07:31", "16:35", late=(1, 1), meal=True),
        march(29): day("LIBUR"),  # Good Friday
        march(31): day("LIBUR"),
    }
    assert {d: daily_figures(ani[d]) for d in expected} == expected
    assert (ani[march(4)]["unit"], ani[march(4)]["date"]) == ("KUA-MLATI", "2024-03-04")


def test_a_national_holiday_without_punches_is_libur_not_tk() -> None:
    eko = daily_json(unit="KUA-MLATI")["Eko Prasetyo"]
    assert [eko[march(d)]["status"] for d in (8, 9, 10, 11, 12, 13)] == [
        "H", "LIBUR", "LIBUR", "LIBUR", "LIBUR", "TK",
    ]  # fmt: skip


# ---------------------------------------------------------------- TK and discipline


def test_ten_working_days_of_tk_in_a_row_across_weekends_propose_dismissal() -> None:
    """Eko: TK on 13, 14, 15, 18–22, 25 and 26 March: ten consecutive working days.

    TUKIN 10 × 3 % = 30 %. Uang makan II: 8 × 35,000 = 280,000, no PPh 21. Ten days not at
    work alone would be a *pernyataan tidak puas* (7–10 days, ringan); the run of ten proposes
    *pemberhentian* (berat) whatever the total.
    """
    assert figures(recap_json(unit="KUA-MLATI")["Eko Prasetyo"]) == {
        "workdays": 18,
        "present_days": 8,
        "absent_days": 10,
        "absences": {},
        "late": NOTHING,
        "early": NOTHING,
        "tukin_deduction_percent": "30.00",
        "meal_allowance": {"days": 8, "rate": 35000, "gross": 280000, "tax": 0, "net": 280000},
        "discipline": {
            "year_absent_days": 10,
            "year_late_early_minutes": 0,
            "days_not_at_work": 10,
            "longest_absent_streak": 10,
            "sanction": "PEMBERHENTIAN",
            "level": "berat",
        },
    }


def test_the_weekends_inside_a_tk_run_stay_libur() -> None:
    eko = daily_json(unit="KUA-MLATI")["Eko Prasetyo"]
    run = [march(d) for d in range(13, 27)]
    assert [eko[d]["status"] for d in run] == [
        "TK" if d in FIVE_DAY_WORKDAYS else "LIBUR" for d in run
    ]
    assert [eko[d]["status"] for d in run].count("TK") == 10


def test_ten_tk_days_broken_by_a_day_present_stay_on_the_ladder() -> None:
    """Fitri: the same ten TK days, in two runs of five: pernyataan tidak puas (ringan), and
    one more day reaches TUKIN −25 % for 6 months. Uang makan III: 8 × 37,000 = 296,000; 5 % =
    14,800; net 281,200."""
    fitri = recap_json(unit="KUA-MLATI")["Fitri Handayani"]
    assert figures(fitri) == {
        "workdays": 18,
        "present_days": 8,
        "absent_days": 10,
        "absences": {},
        "late": NOTHING,
        "early": NOTHING,
        "tukin_deduction_percent": "30.00",
        "meal_allowance": {"days": 8, "rate": 37000, "gross": 296000, "tax": 14800, "net": 281200},
        "discipline": {
            "year_absent_days": 10,
            "year_late_early_minutes": 0,
            "days_not_at_work": 10,
            "longest_absent_streak": 5,
            "sanction": "PERNYATAAN_TIDAK_PUAS",
            "level": "ringan",
        },
    }
    assert fitri["discipline"]["next_threshold"] == {"sanction": "TUKIN_25_6", "days_left": 1}


# ---------------------------------------------------------------- MADRASAH_5H and waivers


def test_madrasah_5h_with_sistem_error_waivers_and_golongan_iv_tax() -> None:
    """Budi, 18 working days, all present.

    18th: no datang, Sistem Error pagi → no TL, still earns uang makan. 19th: out at 14:00
    (end 15:30, PSW 90), Sistem Error sore → no PSW. 20th: no datang and no excuse → TL 225
    (TL4), no uang makan. 21st: out at 15:00 → PSW 30 (PSW1). TUKIN 1.5 + 0.5 = 2 %.
    Uang makan IV: 17 × 41,000 = 697,000; 15 % = 104,550; net 592,450.
    """
    assert figures(recap_json(unit="MAN-2-SLEMAN")["Budi Santoso"]) == {
        "workdays": 18,
        "present_days": 18,
        "absent_days": 0,
        "absences": {},
        "late": {"1": 0, "2": 0, "3": 0, "4": 1, "minutes": 225},
        "early": {"1": 1, "2": 0, "3": 0, "4": 0, "minutes": 30},
        "tukin_deduction_percent": "2.00",
        "meal_allowance": {
            "days": 17,
            "rate": 41000,
            "gross": 697000,
            "tax": 104550,
            "net": 592450,
        },
        "discipline": {**CLEAN_RECORD, "year_late_early_minutes": 255},
    }


def test_an_approved_pagi_waiver_removes_tl_and_a_sore_waiver_removes_psw() -> None:
    budi = daily_json(unit="MAN-2-SLEMAN")["Budi Santoso"]
    assert {d: daily_figures(budi[march(d)]) for d in (18, 19, 20, 21, 22)} == {
        18: day("H", None, "16:05", meal=True),
        19: day("H", "06:55", "14:00", meal=True),
        20: day("H", None, "16:05", late=(225, 4)),
        21: day("H", "06:55", "15:00", early=(30, 1), meal=True),
        22: day("H", "06:55", "16:05", meal=True),
    }


# ---------------------------------------------------------------- six-day patterns and absences


def test_madrasah_6h_minggu_counts_saturdays_and_cuti_days_but_not_sundays() -> None:
    """Citra, 23 working days (Monday–Saturday less 11, 12 and 29 March); cuti tahunan from
    Saturday 23 to Tuesday 26 March covers three working days (Sunday 24 stays a day off).
    Uang makan III: 20 × 37,000 = 740,000; 5 % = 37,000; net 703,000."""
    assert figures(recap_json(unit="MTS-AL-IKHLAS")["Citra Lestari"]) == {
        "workdays": 23,
        "present_days": 20,
        "absent_days": 0,
        "absences": {"CT": 3},
        "late": NOTHING,
        "early": NOTHING,
        "tukin_deduction_percent": "0.00",
        "meal_allowance": {"days": 20, "rate": 37000, "gross": 740000, "tax": 37000, "net": 703000},
        "discipline": CLEAN_RECORD,
    }
    citra = daily_json(unit="MTS-AL-IKHLAS")["Citra Lestari"]
    assert {d: daily_figures(citra[march(d)]) for d in (1, 2, 3, 23, 24, 25, 26, 27)} == {
        1: day("H", "06:55", "15:05", meal=True),  # Friday 07:00–11:30
        2: day("H", "06:55", "15:05", meal=True),  # Saturday, a working day
        3: day("LIBUR"),  # Sunday off
        23: day("CT"),
        24: day("LIBUR"),  # the cuti spans a Sunday: it changes nothing there
        25: day("CT"),
        26: day("CT"),
        27: day("H", "06:55", "15:05", meal=True),
    }


def test_madrasah_6h_jumat_counts_sundays_and_dinas_luar_days_but_not_fridays() -> None:
    """Dedi, 23 working days (Saturday–Thursday less 11, 12 March and Easter Sunday 31 March);
    dinas luar from Wednesday 27 to Saturday 30 March covers three working days (Friday 29 is
    his day off and a holiday). Uang makan IV: 20 × 41,000 = 820,000; 15 % = 123,000; net
    697,000."""
    assert figures(recap_json(unit="MTS-AL-IKHLAS")["Dedi Kurniawan"]) == {
        "workdays": 23,
        "present_days": 20,
        "absent_days": 0,
        "absences": {"DL": 3},
        "late": NOTHING,
        "early": NOTHING,
        "tukin_deduction_percent": "0.00",
        "meal_allowance": {
            "days": 20,
            "rate": 41000,
            "gross": 820000,
            "tax": 123000,
            "net": 697000,
        },
        "discipline": CLEAN_RECORD,
    }
    dedi = daily_json(unit="MTS-AL-IKHLAS")["Dedi Kurniawan"]
    assert {d: daily_figures(dedi[march(d)]) for d in (1, 3, 8, 27, 29, 30, 31)} == {
        1: day("LIBUR"),  # Friday off
        3: day("H", "06:55", "14:35", meal=True),  # Sunday 07:00–12:30, a working day
        8: day("LIBUR"),  # he came in on his Friday off: counts for nothing
        27: day("DL"),
        29: day("LIBUR"),
        30: day("DL"),
        31: day("LIBUR"),  # Easter Sunday: a holiday on a working Sunday
    }


# ---------------------------------------------------------------- other zones, PPPK


def test_a_wita_unit_is_read_in_its_own_time_and_a_pppk_xiii_is_paid_as_golongan_iv(
    sleman: Sleman,
) -> None:
    """Rahmat, PPPK XIII at a KUA in Makassar (WITA, UTC+8): 07:25–16:35 local time on every
    working day, 07:40 on the 5th (10 minutes late, TL1). In WIB his 07:25 is 06:25, so any
    reading in the server's zone would move his day. TUKIN 0.5 %. PPPK XIII is paid as IV:
    18 × 41,000 = 738,000; 15 % = 110,700; net 627,300."""
    makassar = UnitFactory.create(
        code="KUA-MAKASSAR", name="KUA Makassar", parent=sleman.kankemenag, timezone="Asia/Makassar"
    )
    rahmat = person(makassar, "Rahmat Hidayat", "XIII", pppk=True)
    attend(rahmat, FIVE_DAY_WORKDAYS, "07:25", "16:35", instead={march(5): ["07:40", "16:35"]})
    row = recap_json(unit="KUA-MAKASSAR")["Rahmat Hidayat"]
    assert figures(row) == {
        "workdays": 18,
        "present_days": 18,
        "absent_days": 0,
        "absences": {},
        "late": {"1": 1, "2": 0, "3": 0, "4": 0, "minutes": 10},
        "early": NOTHING,
        "tukin_deduction_percent": "0.50",
        "meal_allowance": {
            "days": 18,
            "rate": 41000,
            "gross": 738000,
            "tax": 110700,
            "net": 627300,
        },
        "discipline": {**CLEAN_RECORD, "year_late_early_minutes": 10},
    }
    fifth = daily_json(unit="KUA-MAKASSAR")["Rahmat Hidayat"][march(5)]
    assert daily_figures(fifth) == day("H", "07:40", "16:35", late=(10, 1), meal=True)
