"""Discipline (DOMAIN.md §5) as the recap and its pages show it: a run of TK across the new
year, the TUKIN cut's rungs told apart, the gravest sanction first, a cuti breaking a run.

The month is March 2024 of ``tests/recap/support.py`` (clock: Tuesday 2 April 2024, 10:00 WIB);
the new-year run uses December 2023 and January 2024 (Christmas 25 December, its cuti bersama
26 December and New Year's Day are holidays).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hadir.org.models import Employee, Role
from hadir.presence.models import Punch
from hadir.recap.services import days_refresh
from hadir.schedules.services import holiday_year_ensure
from tests.conftest import user_with_role
from tests.recap.support import (
    WIB,
    Sleman,
    attend,
    dates,
    import_excuses,
    logged_in,
    march,
    person,
    recap_json,
    with_account,
)


def _worked_december_and_january(sleman: Sleman) -> Employee:
    """Gita came every working day of December 2023 and January 2024 except from Wednesday
    20 December to Friday 5 January: six working days of TK in December (18–19 present; 20,
    21, 22, 27, 28, 29 TK; 25 and 26 holidays) and four in January (1 January a holiday; 2, 3,
    4, 5 TK): one run of ten consecutive working days."""
    holiday_year_ensure(2023)
    holiday_year_ensure(2024)
    gita = person(sleman.kua, "Gita Permata", start=date(2023, 12, 1))
    absent = set(dates(date(2023, 12, 20), date(2024, 1, 5)))
    holidays = {date(2023, 12, 25), date(2023, 12, 26), date(2024, 1, 1)}
    workdays = [
        d
        for d in dates(date(2023, 12, 1), date(2024, 1, 31))
        if d.weekday() < 5 and d not in holidays
    ]
    attend(gita, [d for d in workdays if d not in absent], "07:25", "16:35")
    return gita


def test_a_tk_run_across_new_year_is_found_when_january_is_read_before_december(
    sleman: Sleman,
) -> None:
    # DOMAIN.md §5: ten consecutive working days of TK propose dismissal "whatever the yearly
    # total"; the run from 20 December to 5 January is one run (as the neighbouring
    # test_tallies.py test finds when December's recap is read first). December's machine log
    # was imported, which stores the days it holds (the present ones); nobody opened
    # December's recap. The January recap (and the January closing, which signs it) evaluates
    # the untouched days of January only, so December's TK days stay unevaluated and the run
    # is cut at 31 December: a teguran tertulis instead of the proposed dismissal.
    gita = _worked_december_and_january(sleman)
    came = sorted(
        {
            at.astimezone(WIB).date()
            for at in Punch.objects.filter(employee=gita).values_list("at", flat=True)
        }
    )
    days_refresh(employee=gita, dates=[d for d in came if d.year == 2023])  # as the import does

    january = recap_json("2024-01")["Gita Permata"]["discipline"]

    assert (january["longest_absent_streak"], january["sanction"]) == (10, "PEMBERHENTIAN")


def test_the_warning_before_the_nine_month_tukin_cut_names_another_rung_than_the_six_month_one(
    sleman: Sleman,
) -> None:
    # DOMAIN.md §5: 11–13 days is "TUKIN −25 % for 6 months", 14–16 "for 9 months", and the
    # system warns before each threshold ("1 more day → …"). Hana has 13 TK days (runs of 8 and
    # 5, no run of ten): her page must tell her what one more day brings. It reads
    # "pemotongan TUKIN (sedang)" beside "1 hari lagi → pemotongan TUKIN": the warning names
    # the sanction she already has.
    hana = person(sleman.kua_depok, "Hana Pertiwi")
    attend(hana, [march(d) for d in (1, 4, 5, 20, 21)], "07:25", "16:35")

    page = logged_in(with_account(hana)).get("/rekap/saya/", {"bulan": "2024-03"})

    standing = page.context["recap"]["discipline"]
    assert (standing["days_not_at_work"], standing["sanction"], standing["next_threshold"]) == (
        13,
        "TUKIN_25_6",
        {"sanction": "TUKIN_25_9", "days_left": 1},
    )
    html = page.content.decode()
    now = re.search(r"<strong>([^<]+)</strong> \(sedang\)", html)
    warned = re.search(r"1 hari lagi → ([^<]+)</p>", html)
    assert now is not None
    assert warned is not None
    assert warned[1].strip() != now[1].strip()


def test_the_discipline_list_puts_a_proposed_dismissal_before_a_lighter_sanction(
    sleman: Sleman,
) -> None:
    # DOMAIN.md §5: a run of ten working days of TK proposes pemberhentian (berat) "whatever
    # the yearly total". The verifier reads the discipline list top down, and past 200 rows
    # only its head is shown; it is sorted by days not at work alone, so Lina's proposed
    # dismissal (10 days) comes after Hana's TUKIN cut (13 days, sedang) and, in a big
    # Kankemenag, below the fold.
    hana = person(sleman.kua_depok, "Hana Pertiwi")
    attend(hana, [march(d) for d in (1, 4, 5, 20, 21)], "07:25", "16:35")  # 13 TK, runs 8 + 5
    lina = person(sleman.kua_depok, "Lina Marlina")
    attend(lina, [march(d) for d in (1, 4, 5, 6, 7, 8, 27, 28)], "07:25", "16:35")  # 13–26: 10
    leader = user_with_role(Role.LEADER, sleman.kua_depok)

    page = logged_in(leader).get(f"/rekap/unit/{sleman.kua_depok.pk}/", {"bulan": "2024-03"})

    listed = [(r["name"], r["discipline"]["sanction"]) for r in page.context["discipline"]]
    assert sorted(listed) == [
        ("Hana Pertiwi", "TUKIN_25_6"),
        ("Lina Marlina", "PEMBERHENTIAN"),
    ]
    assert listed[0] == ("Lina Marlina", "PEMBERHENTIAN")


def test_an_approved_cuti_on_the_first_of_the_month_breaks_a_run_crossing_the_month_end(
    sleman: Sleman, tmp_path: Path
) -> None:
    # passes: guard
    # DOMAIN.md §5 and §4.5: an approved absence is no TK, and a run of TK is of consecutive
    # working days, so it breaks the run, also at a month's end. Rudi was TK on 23, 26, 27, 28
    # and 29 February, on cuti tahunan (approved) on Friday 1 March, TK again from 4 to 8 March
    # (11 and 12 March are holidays) and back on the 13th: two runs of five, not one of ten.
    holiday_year_ensure(2024)
    rudi = person(sleman.kua_depok, "Rudi Hartono", start=date(2024, 2, 1))
    holidays = {date(2024, 2, 8), date(2024, 2, 9), date(2024, 2, 14), march(11), march(12),
                march(29)}  # fmt: skip
    came = [
        d
        for d in [*dates(date(2024, 2, 1), date(2024, 2, 22)), *dates(march(13), march(28))]
        if d.weekday() < 5 and d not in holidays
    ]
    attend(rudi, came, "07:25", "16:35")
    import_excuses(tmp_path, f"{rudi.nip},CT,2024-03-01,2024-03-01,")

    standing = recap_json("2024-03", unit="KUA-DEPOK")["Rudi Hartono"]["discipline"]

    assert (standing["year_absent_days"], standing["longest_absent_streak"]) == (10, 5)
    assert standing["sanction"] == "PERNYATAAN_TIDAK_PUAS"
