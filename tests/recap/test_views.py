"""The monitoring pages: an employee's month (calendar coloured by status, each day explained,
uang makan, TUKIN, the year's discipline and the next threshold), who may drill down to whom,
and a unit's recap with its filters, sorting, totals, discipline list and charts.

The people are those of ``march_people`` (March 2024, worked by hand in ``test_scenarios.py``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hadir.org.models import Employee, Role
from hadir.recap.sanctions import sanction_decide, sanction_revoke
from hadir.recap.selectors import sanctions_decided
from hadir.recap.services import days_refresh_many
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import WIT, freeze_clock, local
from tests.recap.support import (
    Sleman,
    attend,
    leader_of,
    logged_in,
    march,
    person,
    with_account,
)

pytestmark = pytest.mark.usefixtures("march_people")

CELL = re.compile(r'<td class="([^"]*)">\s*<details><summary><span class="daynum">(\d+)</span>')


def calendar(html: str) -> dict[int, str]:
    """The class of each day's cell in the month calendar, by day of the month."""
    return {int(day): css for css, day in CELL.findall(html)}


def names(response: Any) -> list[str]:
    """The employees listed in the unit recap table, in order."""
    return [row["name"] for row in response.context["page"]]


@pytest.fixture
def ani(march_people: dict[str, Employee]) -> Client:
    """Ani, logged in as herself."""
    return logged_in(with_account(march_people["Ani"]))


@pytest.fixture
def kua_head(sleman: Sleman) -> Client:
    """The Pimpinan of KUA Mlati."""
    return logged_in(leader_of(sleman.kua))


@pytest.fixture
def kankemenag_head(sleman: Sleman) -> Client:
    """The Pimpinan of Kankemenag Sleman: every unit under it."""
    return logged_in(leader_of(sleman.kankemenag))


# ---------------------------------------------------------------- an employee's month


def test_my_month_colours_each_day_by_its_status(ani: Client) -> None:
    html = ani.get("/rekap/saya/", {"bulan": "2024-03"}).content.decode()
    cells = calendar(html)
    assert len(cells) == 31
    assert {day: cells[day] for day in (1, 5, 9, 10, 11, 12, 29, 31)} == {
        1: "status-H",
        5: "status-H",
        9: "status-LIBUR",
        10: "status-LIBUR",
        11: "status-LIBUR",
        12: "status-LIBUR",
        29: "status-LIBUR",
        31: "status-LIBUR",
    }
    assert html.count('<td class="outside">') == 4  # Mon 26 – Thu 29 Feb open the first week
    assert '<span class="cls">TL4</span>' in html
    assert '<span class="cls">PSW3</span>' in html


def test_every_day_of_my_month_is_explained(ani: Client) -> None:
    html = ani.get("/rekap/saya/", {"bulan": "2024-03"}).content.decode()
    for explanation in (
        "Datang 07:45, jadwal 07:30: terlambat 15 menit (TL1)",
        "Datang 07:30, jadwal 07:30: tepat waktu",
        "Pulang 15:29, jadwal 16:30: pulang 61 menit sebelum waktunya (PSW3)",
        "Senin, 11 Maret 2024: hari libur",
        "2 presensi pada hari libur disimpan, tidak dihitung",
        "Sabtu, 9 Maret 2024: bukan hari kerja pola Kantor 5 hari kerja",  # its name, not code
    ):
        assert explanation in html, explanation


def test_my_month_shows_uang_makan_tukin_and_discipline_with_the_next_threshold(
    ani: Client,
) -> None:
    response = ani.get("/rekap/saya/", {"bulan": "2024-03"})
    recap = response.context["recap"]
    assert recap["meal_allowance"] == {
        "days": 18,
        "rate": 37000,
        "gross": 666000,
        "tax": 33300,
        "net": 632700,
    }
    assert recap["tukin_deduction_percent"] == "4.75"
    assert recap["discipline"]["next_threshold"] == {"sanction": "TEGURAN_LISAN", "days_left": 3}
    html = response.content.decode()
    assert "18 hari × Rp 37.000" in html
    assert "Bruto Rp 666.000 · PPh 21 Rp 33.300 · <strong>Neto Rp 632.700</strong>" in html
    assert '<p class="big-number">4,75 %</p>' in html
    assert "TL 2/0/0/1 · PSW 0/1/1/0 · TK 0" in html
    assert "3 hari lagi → teguran lisan" in html
    assert "dari 0 hari TK dan 237 menit TL/PSW tahun ini" in html  # minutes add up to days
    for line in (
        "terlambat kelas 1 (TL1): 2 × 0,5% = 1,0%",
        "Potongan TUKIN bulan ini: 4,75%",
        "Uang makan golongan III: 18 hari × Rp37.000 = Rp666.000",
        "PPh 21 5% = Rp33.300; diterima Rp632.700",
        "Hari tidak masuk kerja: 0 hari TK + ⌊237 menit TL/PSW ÷ 450⌋ = 0 hari",
    ):
        assert line in html, line


def test_my_month_in_english_counts_one_day_in_the_singular_and_writes_a_decimal_point(
    sleman: Sleman,
) -> None:
    """She started on Thursday 28 March and came: the month's one working day (the 29th is Good
    Friday), 1 day of uang makan."""
    lina = person(sleman.kua, "Lina Marlina", start=march(28))
    attend(lina, [march(28)], "07:25", "16:35")

    html = (
        logged_in(with_account(lina))
        .get("/rekap/saya/", {"bulan": "2024-03"}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert "1 day × Rp 37,000" in html
    assert "0 days not at work" in html
    assert '<p class="big-number">0.00 %</p>' in html


def test_a_month_with_a_sanction_names_it_and_its_level(
    kua_head: Client, march_people: dict[str, Employee]
) -> None:
    eko = march_people["Eko"]
    response = kua_head.get(f"/rekap/pegawai/{eko.pk}/", {"bulan": "2024-03"})
    html = response.content.decode()
    assert (
        "<strong>pemberhentian dengan hormat tidak atas permintaan sendiri</strong> (berat)" in html
    )
    assert "10 hari kerja TK berturut-turut (batas 10)" in html
    assert calendar(html)[13] == "status-TK"
    assert response.context["recap"]["discipline"]["next_threshold"] is None


def test_the_month_navigation_and_an_unreadable_month_fall_back_to_this_month(ani: Client) -> None:
    html = ani.get("/rekap/saya/", {"bulan": "2024-03"}).content.decode()
    assert '<a href="?bulan=2024-02">' in html
    assert '<a href="?bulan=2024-04">' in html
    for asked in ({}, {"bulan": "Maret"}):
        assert ani.get("/rekap/saya/", asked).context["month"].isoformat() == "2024-04-01"


def test_the_calendars_first_and_last_months_fall_back_to_this_month(
    ani: Client, kankemenag_head: Client, sleman: Sleman
) -> None:
    """The page steps a month either side: year 1 and year 9999 cannot, and were a 500."""
    for asked in ("0001-01", "9999-12"):
        mine = ani.get("/rekap/saya/", {"bulan": asked})
        assert mine.context["month"].isoformat() == "2024-04-01"
        assert unit_page(kankemenag_head, sleman, bulan=asked).status_code == 200


def test_my_month_opens_on_the_month_of_my_own_clock(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """00:30 WIT on 1 April is still 31 March in Jakarta: a Papuan employee's month is April."""
    unit = UnitFactory.create(code="KUA-JPR", timezone=WIT, default_pattern=pattern())
    account = UserFactory.create()
    EmployeeFactory.create(unit=unit, user=account)
    freeze_clock(monkeypatch, local(date(2024, 4, 1), "00:30", WIT))
    client = Client()
    client.force_login(account)

    assert client.get("/rekap/saya/").context["month"] == date(2024, 4, 1)


def test_a_day_in_a_month_not_yet_evaluated_says_so(ani: Client) -> None:
    """Today is 2 April: the 1st is evaluated (TK), today and the rest of April are not yet."""
    html = ani.get("/rekap/saya/", {"bulan": "2024-04"}).content.decode()
    cells = calendar(html)
    assert (cells[1], cells[2], cells[30]) == ("status-TK", "", "")
    today = html[html.index('<span class="daynum">2</span>') :].split("</td>")[0]
    assert 'class="badge"' not in today
    assert '<p class="muted">' in today


# ---------------------------------------------------------------- who may see whom


def test_the_unit_head_drills_down_to_the_units_employees_only(
    kua_head: Client, march_people: dict[str, Employee], sleman: Sleman
) -> None:
    assert kua_head.get(f"/rekap/unit/{sleman.kua.pk}/").status_code == 200
    assert kua_head.get(f"/rekap/pegawai/{march_people['Ani'].pk}/").status_code == 200
    assert kua_head.get(f"/rekap/pegawai/{march_people['Budi'].pk}/").status_code == 404
    assert kua_head.get(f"/rekap/unit/{sleman.man.pk}/").status_code == 404
    assert kua_head.get(f"/rekap/unit/{sleman.kankemenag.pk}/").status_code == 404


def test_another_units_head_gets_not_found_exactly_like_a_missing_employee(
    sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    depok_head = logged_in(leader_of(sleman.kua_depok))
    ani = march_people["Ani"]
    hidden = depok_head.get(f"/rekap/pegawai/{ani.pk}/")
    missing = depok_head.get("/rekap/pegawai/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert depok_head.get(f"/rekap/unit/{sleman.kua.pk}/").status_code == 404


def test_the_kankemenag_head_and_operator_reach_every_unit_under_it(
    kankemenag_head: Client, sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    operator = logged_in(user_with_role(Role.OPERATOR, sleman.kankemenag))
    for client in (kankemenag_head, operator):
        for unit in (sleman.kua, sleman.man, sleman.mts):
            assert client.get(f"/rekap/unit/{unit.pk}/").status_code == 200
        assert client.get(f"/rekap/pegawai/{march_people['Dedi'].pk}/").status_code == 200


def test_an_employee_sees_their_own_month_and_nobody_elses(
    ani: Client, march_people: dict[str, Employee], sleman: Sleman
) -> None:
    assert ani.get("/rekap/saya/").status_code == 200
    assert ani.get(f"/rekap/pegawai/{march_people['Ani'].pk}/").status_code == 200
    assert ani.get(f"/rekap/pegawai/{march_people['Eko'].pk}/").status_code == 404
    assert ani.get(f"/rekap/unit/{sleman.kua.pk}/").status_code == 404


def test_an_account_without_an_employee_has_no_month_and_a_stranger_must_log_in(
    db: None, sleman: Sleman
) -> None:
    assert logged_in(UserFactory.create()).get("/rekap/saya/").status_code == 404
    url = f"/rekap/unit/{sleman.kua.pk}/"
    stranger = Client().get(url)
    assert stranger.status_code == 302
    assert stranger["Location"] == f"{reverse('accounts:login')}?next={url}"


# ---------------------------------------------------------------- the unit recap


def unit_page(client: Client, sleman: Sleman, **params: str) -> Any:
    return client.get(f"/rekap/unit/{sleman.kankemenag.pk}/", {"bulan": "2024-03", **params})


def test_the_unit_recap_lists_everyone_under_the_unit_by_name_with_totals(
    kankemenag_head: Client, sleman: Sleman
) -> None:
    response = unit_page(kankemenag_head, sleman)
    assert names(response) == [
        "Ani Rahmawati",
        "Budi Santoso",
        "Citra Lestari",
        "Dedi Kurniawan",
        "Eko Prasetyo",
        "Fitri Handayani",
    ]
    assert response.context["total"] == 6
    # gross 666,000 + 280,000 + 296,000 + 697,000 + 740,000 + 820,000
    # tax 33,300 + 0 + 14,800 + 104,550 + 37,000 + 123,000
    assert response.context["totals"] == {
        "gross": 3499000,
        "tax": 312650,
        "net": 3186350,
        "tk": 20,
    }
    html = response.content.decode()
    assert "Rp 3.499.000, PPh 21 Rp 312.650" in html
    assert "<td>MAN 2 Sleman</td>" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "eko"}, ["Eko Prasetyo"]),
        ({"q": "  RAHMA "}, ["Ani Rahmawati"]),
        ({"tampil": "tk"}, ["Eko Prasetyo", "Fitri Handayani"]),
        ({"tampil": "terlambat"}, ["Ani Rahmawati", "Budi Santoso"]),
        ({"tampil": "sanksi"}, ["Eko Prasetyo", "Fitri Handayani"]),
        ({"tampil": "tk", "q": "fitri"}, ["Fitri Handayani"]),
        ({"tampil": "terlambat", "q": "citra"}, []),
    ],
)
def test_the_unit_recap_filters_by_name_and_by_what_happened(
    kankemenag_head: Client, sleman: Sleman, params: dict[str, str], expected: list[str]
) -> None:
    response = unit_page(kankemenag_head, sleman, **params)
    assert names(response) == expected
    assert response.context["total"] == 6


def test_the_unit_recap_finds_an_employee_by_the_start_of_the_nip(
    kankemenag_head: Client, sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    budi = march_people["Budi"]
    assert names(unit_page(kankemenag_head, sleman, q=budi.nip[:16])) == ["Budi Santoso"]


@pytest.mark.parametrize(
    ("sort", "expected_first", "key"),
    [
        ("tk", {"Eko Prasetyo", "Fitri Handayani"}, lambda r: r["absent_days"]),
        ("tl", {"Budi Santoso"}, lambda r: r["late"]["minutes"]),
        ("psw", {"Ani Rahmawati"}, lambda r: r["early"]["minutes"]),
        ("tukin", {"Eko Prasetyo", "Fitri Handayani"}, lambda r: float(r["tukin_deduction_percent"])),
        ("disiplin", {"Eko Prasetyo", "Fitri Handayani"}, lambda r: r["discipline"]["days_not_at_work"]),
    ],
)  # fmt: skip
def test_the_unit_recap_sorts_the_worst_first(
    kankemenag_head: Client, sleman: Sleman, sort: str, expected_first: set[str], key: Any
) -> None:
    rows = list(unit_page(kankemenag_head, sleman, urut=sort).context["page"])
    values = [key(row) for row in rows]
    assert values == sorted(values, reverse=True)
    assert {row["name"] for row in rows[: len(expected_first)]} == expected_first


def test_the_discipline_list_warns_one_working_day_before_the_run_means_dismissal(
    sleman: Sleman,
) -> None:
    """Lina came on nine days of March, then not from Monday 18 to Thursday 28: nine working
    days of TK in a row, open at the month's end (29 is Good Friday). One more is dismissal,
    whatever her total (a rung is still two days away)."""
    lina = person(sleman.kua_depok, "Lina Marlina")
    attend(lina, [march(d) for d in (1, 4, 5, 6, 7, 8, 13, 14, 15)], "07:25", "16:35")
    leader = user_with_role(Role.LEADER, sleman.kua_depok)

    response = logged_in(leader).get(f"/rekap/unit/{sleman.kua_depok.pk}/", {"bulan": "2024-03"})

    listed = {r["name"]: r["discipline"] for r in response.context["discipline"]}["Lina Marlina"]
    assert listed["streak_threshold"] == {"sanction": "PEMBERHENTIAN", "days_left": 1}
    assert (
        "1 hari kerja TK berturut-turut lagi → pemberhentian dengan hormat"
        in response.content.decode()
    )
    mine = logged_in(with_account(lina)).get("/rekap/saya/", {"bulan": "2024-03"})
    assert "1 hari kerja TK berturut-turut lagi → pemberhentian" in mine.content.decode()


def test_sorting_by_tk_orders_the_figures(kankemenag_head: Client, sleman: Sleman) -> None:
    rows = list(unit_page(kankemenag_head, sleman, urut="tk").context["page"])
    assert [row["absent_days"] for row in rows] == [10, 10, 0, 0, 0, 0]
    tukin = list(unit_page(kankemenag_head, sleman, urut="tukin").context["page"])
    assert [row["tukin_deduction_percent"] for row in tukin] == [
        "30.00", "30.00", "4.75", "2.00", "0.00", "0.00",
    ]  # fmt: skip


def test_the_discipline_list_names_who_has_a_sanction_or_is_one_day_from_the_next(
    kankemenag_head: Client, sleman: Sleman
) -> None:
    response = unit_page(kankemenag_head, sleman)
    listed = {
        row["name"]: (
            row["discipline"]["days_not_at_work"],
            row["discipline"]["longest_absent_streak"],
            row["discipline"]["sanction"],
            row["discipline"]["next_threshold"],
        )
        for row in response.context["discipline"]
    }
    assert listed == {
        "Eko Prasetyo": (10, 10, "PEMBERHENTIAN", None),
        "Fitri Handayani": (
            10,
            5,
            "PERNYATAAN_TIDAK_PUAS",
            {"sanction": "TUKIN_25_6", "days_left": 1},
        ),
    }
    html = response.content.decode()
    assert "pemberhentian dengan hormat tidak atas permintaan sendiri (berat)" in html
    assert "1 → pemotongan TUKIN selama 6 bulan" in html


def test_the_discipline_list_sets_the_decision_of_the_year_beside_the_proposal(
    kankemenag_head: Client, sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    """Eko's dismissal was decided by a decree in March; Fitri's reprimand was decided and then
    revoked. The list says which proposal a person has already decided, and only that one."""
    admin = UserFactory.create(is_superuser=True, is_staff=True)
    sanction_decide(
        actor=admin,
        employee=march_people["Eko"],
        sanction="PEMBERHENTIAN",
        first_month=date(2024, 4, 1),
        decree="B-9/Kk.12.04/KP.04/03/2024",
        decided_on=march(28),
    )
    revoked = sanction_decide(
        actor=admin,
        employee=march_people["Fitri"],
        sanction="PERNYATAAN_TIDAK_PUAS",
        first_month=date(2024, 4, 1),
        decree="B-10/2024",
        decided_on=march(28),
    )
    sanction_revoke(actor=admin, decision=revoked)

    response = unit_page(kankemenag_head, sleman)

    decided = {row["name"]: row.get("decided") for row in response.context["discipline"]}
    assert decided == {
        "Eko Prasetyo": "pemberhentian dengan hormat tidak atas permintaan sendiri"
        " · SK B-9/Kk.12.04/KP.04/03/2024",
        "Fitri Handayani": None,
    }
    assert "SK B-9/Kk.12.04/KP.04/03/2024" in response.content.decode()
    assert sanctions_decided([march_people["Eko"].nip], date(2024, 2, 1)) == {}  # not yet


def test_a_january_decree_judging_the_year_before_is_set_beside_that_years_proposal(
    sleman: Sleman, march_people: dict[str, Employee], clock: Clock
) -> None:
    """The SK of 10 January 2025 judges Eko's days of 2024: December 2024's list (the year's
    last word) shows it; January 2025's, which proposes from the new year's days, does not."""
    eko = march_people["Eko"]
    clock.set(local(date(2025, 1, 15), "09:00"))
    sanction_decide(
        actor=UserFactory.create(is_superuser=True, is_staff=True),
        employee=eko,
        sanction="PEMBERHENTIAN",
        first_month=date(2025, 2, 1),
        decree="B-1/Kk.12.04/KP.04/01/2025",
        decided_on=date(2025, 1, 10),
        for_year=2024,
    )

    assert list(sanctions_decided([eko.nip], date(2024, 12, 1))) == [eko.nip]
    assert sanctions_decided([eko.nip], date(2025, 1, 1)) == {}
    assert sanctions_decided([eko.nip], date(2024, 11, 1)) == {}  # not yet decreed then


def test_the_discipline_list_warns_one_day_before_the_first_reprimand(
    kankemenag_head: Client, sleman: Sleman
) -> None:
    """Two TK days (no sanction yet) are one day short of a teguran lisan."""
    newcomer = person(sleman.kua, "Gita Anggraini", start=march(27))
    days_refresh_many(employees=[newcomer], start=march(27), end=march(31))
    listed = {r["name"]: r for r in unit_page(kankemenag_head, sleman).context["discipline"]}
    assert listed["Gita Anggraini"]["discipline"]["days_not_at_work"] == 2
    assert listed["Gita Anggraini"]["discipline"]["next_threshold"] == {
        "sanction": "TEGURAN_LISAN",
        "days_left": 1,
    }
    assert "Ani Rahmawati" not in listed


def test_the_charts_count_late_check_ins_and_tk_per_day_and_per_unit(
    kankemenag_head: Client, sleman: Sleman
) -> None:
    charts = unit_page(kankemenag_head, sleman).context["charts"]
    assert "<title>13: 2</title>" in charts["absent_by_day"]  # Eko and Fitri
    assert "<title>20: 1</title>" in charts["absent_by_day"]  # Eko; Fitri came
    assert "<title>5: 1</title>" in charts["late_by_day"]  # Ani, 07:45
    assert "<title>20: 1</title>" in charts["late_by_day"]  # Budi, no datang
    assert 'title="KUA Mlati: 20"' in charts["absent_by_unit"]
    assert 'title="KUA Mlati: 3"' in charts["late_by_unit"]
    assert 'title="MAN 2 Sleman: 1"' in charts["late_by_unit"]


def test_the_unit_head_cannot_close_a_month(kua_head: Client, sleman: Sleman) -> None:
    response = kua_head.get(f"/rekap/unit/{sleman.kua.pk}/", {"bulan": "2024-03"})
    assert (response.context["can_close"], response.context["can_reopen"]) == (False, False)
    assert 'name="action" value="close"' not in response.content.decode()


def test_the_page_offers_every_export_format(kua_head: Client, sleman: Sleman) -> None:
    html = kua_head.get(f"/rekap/unit/{sleman.kua.pk}/", {"bulan": "2024-03"}).content.decode()
    assert f'action="/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03"' in html
    for fmt in ("json", "csv", "xlsx", "pdf"):
        assert f'<option value="{fmt}"' in html


def test_today_in_my_month_counts_once_the_presensi_window_closes(
    march_people: dict[str, Employee], ani: Client
) -> None:
    """Tuesday 2 April, 10:00: Ani came at 07:20 and will leave at 16:30. Her pulang is not
    missing yet, so today shows no PSW4 and costs nothing in the month: it says when it
    counts."""
    from hadir.recap.services import days_refresh
    from tests.recap.support import TODAY, punch

    punch(march_people["Ani"], TODAY, "07:20")
    days_refresh(employee=march_people["Ani"], dates=[TODAY])

    html = ani.get("/rekap/saya/", {"bulan": "2024-04"}).content.decode()

    assert calendar(html)[2] == ""
    assert "Hari ini dihitung setelah jendela presensi ditutup pukul 21:00." in html
    assert "PSW4" not in html


def test_the_unit_recap_sorts_names_as_people_read_them(
    kankemenag_head: Client, sleman: Sleman
) -> None:
    """A name written in lower case ("dr. Ani") sorts among the others, not after "Z"."""
    person(sleman.kua, "dr. Hana Putri")

    listed = names(unit_page(kankemenag_head, sleman, urut="nama"))

    assert listed == sorted(listed, key=str.casefold)
    assert listed.index("dr. Hana Putri") < listed.index("Fitri Handayani")


def test_the_discipline_list_counts_the_people_it_does_not_show(
    kankemenag_head: Client, sleman: Sleman, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kanwil's list is cut at DISCIPLINE_SHOWN rows; the page says how many more there are
    (Eko and Fitri both reached a sanction in March: one shown, one more)."""
    from hadir.recap import views

    monkeypatch.setattr(views, "DISCIPLINE_SHOWN", 1)

    response = unit_page(kankemenag_head, sleman)

    assert len(response.context["discipline"]) == 1
    assert response.context["discipline_more"] == 1
    assert (
        "… dan 1 lagi: tabel di atas, diurutkan menurut hari tidak masuk"
        in response.content.decode()
    )
