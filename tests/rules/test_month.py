"""A month of days → TUKIN deduction and uang makan (DOMAIN.md §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from hadir.rules.day import Absence, AbsenceCode, DayResult, Waiver
from hadir.rules.golongan import parse_golongan
from hadir.rules.month import (
    DeductionLine,
    MonthTally,
    day_deduction,
    meal_allowance,
    month_summary,
    month_tally,
    summarise,
)
from hadir.rules.policy import DEFAULT_POLICY, PolicyError

from .support import MONDAY, day_result, texts

D = Decimal


def on(n: int) -> date:
    """The date ``n`` days after the first Monday of March 2024."""
    return MONDAY + timedelta(days=n)


def clean(n: int) -> DayResult:
    return day_result("07:30", "16:00", day=on(n))


@pytest.mark.parametrize(
    ("punches", "pct"),
    [
        (("07:30", "16:00"), "0"),
        (("07:31", "16:00"), "0.5"),  # TL1
        (("08:01", "16:00"), "1"),  # TL2
        (("08:31", "16:00"), "1.25"),  # TL3
        (("09:01", "16:00"), "1.5"),  # TL4
        (("07:30", "15:59"), "0.5"),  # PSW1
        (("07:30", "15:29"), "1"),  # PSW2
        (("07:30", "14:59"), "1.25"),  # PSW3
        (("07:30", "14:29"), "1.5"),  # PSW4
        (("07:30",), "1.5"),  # missing pulang = PSW4
        (("16:00",), "1.5"),  # missing datang = TL4
        (("09:01", "14:29"), "3"),  # TL4 + PSW4
        ((), "3"),  # TK
    ],
)
def test_each_class_and_tk_costs_the_percentage_of_domain_md(
    punches: tuple[str, ...], pct: str
) -> None:
    assert day_deduction(day_result(*punches)) == D(pct)


@pytest.mark.parametrize(
    ("code", "pct"), [("CT", "0"), ("DL", "0"), ("CS", "0"), ("TB", "0"), ("CLTN", "100")]
)
def test_each_absence_costs_its_type_percentage(code: AbsenceCode, pct: str) -> None:
    result = day_result(absences=[Absence(code, MONDAY, MONDAY)])
    assert day_deduction(result) == D(pct)


def test_a_libur_day_costs_nothing() -> None:
    assert day_deduction(day_result("09:00", day=on(5))) == 0


def test_a_month_adds_the_lines_per_class_and_side() -> None:
    days = [
        clean(0),
        day_result("07:45", "16:00", day=on(1)),  # TL1
        day_result("07:45", "15:00", day=on(2)),  # TL1 + PSW2
        day_result(day=on(3)),  # TK
        day_result("16:30", day=on(4)),  # TL4 (missing); Friday ends 16:30
        day_result(day=on(5)),  # LIBUR
    ]
    summary = month_summary(days, "III/a")
    assert summary.lines == (
        DeductionLine("TL1", 2, D("0.5"), D("1.0")),
        DeductionLine("TL4", 1, D("1.5"), D("1.5")),
        DeductionLine("PSW2", 1, D("1"), D("1")),
        DeductionLine("TK", 1, D("3"), D("3")),
    )
    assert summary.deduction_pct == D("6.50")
    assert summary.tl_counts == (2, 0, 0, 1)
    assert summary.psw_counts == (0, 1, 0, 0)
    assert (summary.tl_minutes, summary.psw_minutes) == (15 + 15 + 225, 60)
    assert dict(summary.status_counts) == {"H": 4, "TK": 1, "LIBUR": 1}
    assert (summary.days, summary.working_days) == (6, 5)
    assert summary.meal.days == 3


def test_the_deduction_is_capped_at_100_percent() -> None:
    days = [day_result(day=on(n)) for n in range(50) if on(n).weekday() < 5]
    summary = month_summary(days, "II/a")
    assert summary.deduction_uncapped == D("3") * len(days)
    assert summary.deduction_uncapped > 100
    assert summary.deduction_pct == D("100.00")
    assert f"Jumlah potongan {summary.deduction_uncapped}% dibatasi 100%" in texts(summary)


def test_a_cltn_month_is_capped_at_100_percent() -> None:
    leave = Absence("CLTN", MONDAY, on(4))
    days = [day_result(day=on(n), absences=[leave]) for n in range(5)]
    assert month_summary(days, "IV/a").deduction_pct == D("100.00")


def test_a_policy_cap_below_100_is_honoured() -> None:
    policy = replace(DEFAULT_POLICY, deduction_cap_pct=D("50"))
    days = [day_result(day=on(n)) for n in range(0, 40, 1) if on(n).weekday() < 5]
    assert month_summary(days, "II/a", policy).deduction_pct == D("50.00")


def test_a_sedang_sanction_in_force_adds_25_percent() -> None:
    summary = month_summary(
        [clean(0), day_result("07:31", "16:00", day=on(1))], "III/b", sanction_in_force="TUKIN_25_9"
    )
    assert summary.deduction_pct == D("25.50")
    assert "Hukuman disiplin sedang TUKIN_25_9 berlaku: +25%" in texts(summary)


def test_a_ringan_or_berat_sanction_adds_nothing() -> None:
    for sanction in ("TEGURAN_TERTULIS", "PENURUNAN_JABATAN"):
        assert month_summary([clean(0)], "III/b", sanction_in_force=sanction).deduction_pct == D(
            "0.00"
        )


def test_the_deduction_has_two_decimals() -> None:
    policy = replace(DEFAULT_POLICY, late_pct=(D("0.333"), D("1"), D("1.25"), D("1.5")))
    summary = month_summary([day_result("07:31", "16:00", policy=policy)], "I/a", policy)
    assert summary.deduction_uncapped == D("0.333")
    assert summary.deduction_pct == D("0.33")


# --- uang makan ---


@pytest.mark.parametrize(
    ("golongan", "rate", "gross", "tax", "net"),
    [
        ("I/a", 35000, 700000, 0, 700000),
        ("II/d", 35000, 700000, 0, 700000),
        ("III/a", 37000, 740000, 37000, 703000),
        ("IV/e", 41000, 820000, 123000, 697000),
        ("V", 35000, 700000, 0, 700000),  # PPPK V → group II
        ("VIII", 35000, 700000, 0, 700000),
        ("IX", 37000, 740000, 37000, 703000),  # PPPK IX → group III
        ("XII", 37000, 740000, 37000, 703000),
        ("XIII", 41000, 820000, 123000, 697000),  # PPPK XIII → group IV
        ("XVII", 41000, 820000, 123000, 697000),
    ],
)
def test_meal_allowance_for_20_days_by_golongan(
    golongan: str, rate: int, gross: int, tax: int, net: int
) -> None:
    meal = meal_allowance(20, parse_golongan(golongan))
    assert (meal.rate, meal.gross, meal.tax, meal.net) == (D(rate), D(gross), D(tax), D(net))


def test_the_tax_is_rounded_half_up_to_whole_rupiah() -> None:
    # 1 day of golongan III: 5 % of 37 000 = 1 850 exactly; 15 % of 41 000 × 3 = 18 450 exactly;
    # a rate with an odd hundred shows the rounding: 5 % of 37 010 = 1 850.5 → 1 851.
    policy = replace(DEFAULT_POLICY, meal_rate={**DEFAULT_POLICY.meal_rate, "III": D("37010")})
    meal = meal_allowance(1, parse_golongan("III/a"), policy)
    assert (meal.gross, meal.tax, meal.net) == (D("37010"), D("1851"), D("35159"))
    assert meal.tax.as_tuple().exponent == 0


def test_a_rate_with_cents_is_refused_by_the_policy_itself() -> None:
    """Shown beside the gross, the rate must be the one it was computed with, to the rupiah."""
    with pytest.raises(PolicyError, match=r"^meal.rate.I: harus rupiah bulat"):
        replace(DEFAULT_POLICY, meal_rate={**DEFAULT_POLICY.meal_rate, "I": D("35000.50")})


def test_only_days_with_both_sides_punched_or_waived_earn_the_meal() -> None:
    days = [
        clean(0),  # yes
        day_result("07:30", day=on(1)),  # no pulang
        day_result("07:30", day=on(2), waivers=[Waiver("SISTEM_ERROR", on(2), "SORE")]),  # yes
        day_result(day=on(3), waivers=[Waiver("TUGAS_LUAR", on(3), "PAGI_SORE")]),  # yes
        day_result(day=on(4), absences=[Absence("DL", on(4), on(4))]),  # DL: no
    ]
    summary = month_summary(days, parse_golongan("IV/a"))
    assert summary.meal.days == 3
    assert summary.meal.gross == D("123000")


def test_a_month_explains_its_money() -> None:
    days = [clean(0), day_result("08:01", "16:00", day=on(1))]
    assert texts(month_summary(days, "III/a")) == [
        "terlambat kelas 2 (TL2): 1 × 1% = 1%",
        "Potongan TUKIN bulan ini: 1,00%",
        "Uang makan golongan III: 2 hari × Rp37.000 = Rp74.000",
        "PPh 21 5% = Rp3.700; diterima Rp70.300",
    ]
    assert texts(month_summary(days, "IV/a"), "en")[2:] == [
        "Meal allowance, group IV: 2 days × Rp41,000 = Rp82,000",
        "Income tax (PPh 21) 15% = Rp12,300; net Rp69,700",
    ]


def test_an_empty_month_costs_nothing_and_earns_nothing() -> None:
    summary = month_summary([], "I/a")
    assert (summary.deduction_pct, summary.meal.net, summary.lines) == (D("0.00"), D("0"), ())


def test_a_summary_from_the_stored_tally_equals_one_from_the_days() -> None:
    days = [day_result("07:45", "16:00"), day_result(), day_result("07:30", "15:00")]
    tally = month_tally(days)
    assert (tally.days, tally.tl_counts[0], tally.status_counts["TK"]) == (3, 1, 1)
    for golongan in ("II/a", "IV/a"):
        assert summarise(tally, golongan) == month_summary(days, golongan)


def test_rates_equal_in_value_but_written_differently_keep_their_own_digits() -> None:
    """Summaries are memoised by rate: 0.5 and 0.50 are equal, yet each policy's figures are
    shown as that policy writes them."""
    tally = MonthTally(tl_counts=(2, 0, 0, 0), meal_days=3)
    short = replace(DEFAULT_POLICY, late_pct=(Decimal("0.5"), *DEFAULT_POLICY.late_pct[1:]))
    long = replace(DEFAULT_POLICY, late_pct=(Decimal("0.50"), *DEFAULT_POLICY.late_pct[1:]))
    assert str(summarise(tally, "III/a", short).lines[0].total) == "1.0"
    assert str(summarise(tally, "III/a", long).lines[0].total) == "1.00"
