"""The policy: every figure of DOMAIN.md §3–5, and its flat key/value form for dated admin rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from decimal import Decimal

import pytest

from hadir.rules.policy import (
    ABSENCE_CODES,
    DEFAULT_POLICY,
    PPPK_GRADES,
    SANCTION_IDS,
    Policy,
    PolicyError,
    Sanction,
    describe_policy_keys,
    policy_from_values,
    policy_to_values,
)

D = Decimal


def test_default_policy_holds_the_figures_of_domain_md() -> None:
    p = DEFAULT_POLICY
    assert (p.window_start, p.window_end) == (time(6), time(21))
    assert (p.day_minutes, p.missing_minutes, p.cap_minutes) == (450, 225, 225)
    assert p.class_bounds == (30, 60, 90)
    assert p.late_pct == p.early_pct == (D("0.5"), D("1"), D("1.25"), D("1.5"))
    assert p.tk_day_pct == D("3")
    assert p.absence_pct == {code: D("100") if code == "CLTN" else D("0") for code in ABSENCE_CODES}
    assert p.deduction_cap_pct == D("100")
    assert dict(p.meal_rate) == {
        "I": D("35000"),
        "II": D("35000"),
        "III": D("37000"),
        "IV": D("41000"),
    }
    assert dict(p.meal_tax_pct) == {"I": D("0"), "II": D("0"), "III": D("5"), "IV": D("15")}
    assert p.streak_days == 10
    assert p.sedang_extra_pct == D("25")


def test_money_and_percentages_are_decimals_never_floats() -> None:
    p = DEFAULT_POLICY
    values = [*p.late_pct, *p.early_pct, p.tk_day_pct, p.deduction_cap_pct, p.sedang_extra_pct]
    values += [*p.absence_pct.values(), *p.meal_rate.values(), *p.meal_tax_pct.values()]
    assert all(type(v) is Decimal for v in values)


@pytest.mark.parametrize(
    ("grades", "group"),
    [
        (PPPK_GRADES[0:4], "I"),
        (PPPK_GRADES[4:8], "II"),
        (PPPK_GRADES[8:12], "III"),
        (PPPK_GRADES[12:17], "IV"),
    ],
)
def test_pppk_grades_map_to_the_meal_groups_of_domain_md(
    grades: tuple[str, ...], group: str
) -> None:
    assert {DEFAULT_POLICY.pppk_group[g] for g in grades} == {group}


# (id, level, first day, months) — DOMAIN.md §5, PP 94/2021 as quoted by the circular.
LADDER = [
    ("TEGURAN_LISAN", "ringan", 3, 0),
    ("TEGURAN_TERTULIS", "ringan", 4, 0),
    ("PERNYATAAN_TIDAK_PUAS", "ringan", 7, 0),
    ("TUKIN_25_6", "sedang", 11, 6),
    ("TUKIN_25_9", "sedang", 14, 9),
    ("TUKIN_25_12", "sedang", 17, 12),
    ("PENURUNAN_JABATAN", "berat", 21, 12),
    ("PEMBEBASAN_JABATAN", "berat", 25, 12),
    ("PEMBERHENTIAN", "berat", 28, 0),
]


def test_the_discipline_ladder_matches_the_circular() -> None:
    assert [(s.id, s.level, s.min_days, s.months) for s in DEFAULT_POLICY.ladder] == LADDER
    assert tuple(s.id for s in DEFAULT_POLICY.ladder) == SANCTION_IDS


def test_a_sanction_is_found_by_its_id() -> None:
    assert DEFAULT_POLICY.sanction("TUKIN_25_9").months == 9
    with pytest.raises(KeyError):
        DEFAULT_POLICY.sanction("UNKNOWN")


@pytest.mark.parametrize(
    ("minutes", "cls"),
    [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (225, 4)],
)
def test_minutes_fall_into_the_classes_of_domain_md(minutes: int, cls: int) -> None:
    assert DEFAULT_POLICY.class_of(minutes) == cls


def test_the_window_is_also_kept_in_minutes_for_the_hot_path() -> None:
    assert (DEFAULT_POLICY.window_start_min, DEFAULT_POLICY.window_end_min) == (360, 1260)
    later = replace(DEFAULT_POLICY, window_start=time(5, 30))
    assert later.window_start_min == 330


def test_policies_compare_and_hash_by_their_figures() -> None:
    assert Policy() == DEFAULT_POLICY
    assert hash(Policy()) == hash(DEFAULT_POLICY)
    assert replace(DEFAULT_POLICY, streak_days=9) != DEFAULT_POLICY


def test_a_policy_copies_its_tables_so_callers_cannot_change_it() -> None:
    rates = dict(DEFAULT_POLICY.meal_rate)
    policy = replace(DEFAULT_POLICY, meal_rate=rates)
    rates["I"] = D("1")
    assert policy.meal_rate["I"] == D("35000")
    with pytest.raises(TypeError):
        policy.meal_rate["I"] = D("1")  # type: ignore[index]


# --- the flat form ---


def test_every_figure_has_a_flat_key_and_a_description() -> None:
    values = policy_to_values(DEFAULT_POLICY)
    assert set(values) == set(describe_policy_keys())
    assert all(describe_policy_keys().values())
    assert len(values) == 2 + 3 + 1 + 8 + 1 + 8 + 1 + 8 + 17 + 3 * 9 + 2 + 2 + 2 + 4 + 1 + 1


def test_every_key_is_described_in_english_too() -> None:
    indonesian, english = describe_policy_keys("id"), describe_policy_keys("en")
    assert set(english) == set(indonesian)
    assert [key for key in english if not english[key] or english[key] == indonesian[key]] == []
    assert english["tukin.tk_day"] == "TUKIN deduction (%) per day of TK"


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("window.start", "06:00"),
        ("window.end", "21:00"),
        ("day.minutes", "450"),
        ("missing.minutes", "225"),
        ("cap.minutes", "225"),
        ("class.bounds", "30,60,90"),
        ("tukin.late.1", "0.5"),
        ("tukin.late.3", "1.25"),
        ("tukin.early.4", "1.5"),
        ("tukin.tk_day", "3"),
        ("tukin.absence.CLTN", "100"),
        ("tukin.absence.CT", "0"),
        ("tukin.cap", "100"),
        ("meal.rate.III", "37000"),
        ("meal.tax.IV", "15"),
        ("pppk.group.IX", "III"),
        ("discipline.from.TEGURAN_TERTULIS", "4"),
        ("discipline.months.TUKIN_25_12", "12"),
        ("discipline.level.PEMBEBASAN_JABATAN", "berat"),
        ("discipline.streak_days", "10"),
        ("discipline.sedang_pct", "25"),
        ("presence.travel_max_kmh", "150"),
        ("presence.travel_min_m", "1000"),
        ("presence.location_span_max_m", "2000"),
        ("presence.accuracy_tolerance_max_m", "500"),
    ],
)
def test_default_values_are_written_in_the_documented_format(key: str, text: str) -> None:
    assert policy_to_values(DEFAULT_POLICY)[key] == text


def test_the_flat_form_round_trips() -> None:
    assert policy_from_values(policy_to_values(DEFAULT_POLICY)) == DEFAULT_POLICY
    assert policy_from_values({}) is not None
    assert policy_from_values({}) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("key", "text", "attribute", "expected"),
    [
        ("window.start", "05:30", "window_start", time(5, 30)),
        ("window.end", " 22:00 ", "window_end", time(22)),
        ("day.minutes", "420", "day_minutes", 420),
        ("missing.minutes", "240", "missing_minutes", 240),
        ("cap.minutes", "200", "cap_minutes", 200),
        ("class.bounds", "15, 45, 75", "class_bounds", (15, 45, 75)),
        ("tukin.tk_day", "5", "tk_day_pct", D("5")),
        ("tukin.cap", "90.5", "deduction_cap_pct", D("90.5")),
        ("discipline.streak_days", "5", "streak_days", 5),
        ("discipline.sedang_pct", "20", "sedang_extra_pct", D("20")),
        ("presence.travel_max_kmh", "200", "travel_max_kmh", 200),
        ("presence.travel_min_m", "500", "travel_min_m", 500),
    ],
)
def test_a_scalar_key_overrides_its_figure(
    key: str, text: str, attribute: str, expected: object
) -> None:
    policy = policy_from_values({key: text})
    assert getattr(policy, attribute) == expected
    assert policy_to_values(policy)[key] == text.strip().replace(" ", "")


def test_table_keys_override_one_entry_and_keep_the_others() -> None:
    policy = policy_from_values(
        {
            "tukin.late.2": "1.1",
            "tukin.early.4": "2",
            "tukin.absence.CS": "0.25",
            "meal.rate.I": "36000",
            "meal.tax.III": "6",
            "pppk.group.VIII": "III",
            "discipline.from.TEGURAN_LISAN": "2",
            "discipline.months.TUKIN_25_6": "7",
            "discipline.level.PENURUNAN_JABATAN": "sedang",
        }
    )
    assert policy.late_pct == (D("0.5"), D("1.1"), D("1.25"), D("1.5"))
    assert policy.early_pct[3] == D("2")
    assert policy.absence_pct["CS"] == D("0.25")
    assert policy.absence_pct["CLTN"] == D("100")
    assert policy.meal_rate["I"] == D("36000")
    assert policy.meal_rate["II"] == D("35000")
    assert policy.meal_tax_pct["III"] == D("6")
    assert policy.pppk_group["VIII"] == "III"
    assert policy.sanction("TEGURAN_LISAN") == Sanction("TEGURAN_LISAN", "ringan", 2, 0)
    assert policy.sanction("TUKIN_25_6").months == 7
    assert policy.sanction("PENURUNAN_JABATAN").level == "sedang"
    assert policy.sanction("TUKIN_25_9") == DEFAULT_POLICY.sanction("TUKIN_25_9")


def test_overrides_apply_on_top_of_the_given_base() -> None:
    base = policy_from_values({"tukin.tk_day": "4"})
    assert policy_from_values({"tukin.cap": "50"}, base).tk_day_pct == D("4")


@pytest.mark.parametrize(
    ("values", "key", "reason"),
    [
        ({"tukin.bonus": "1"}, "tukin.bonus", "tidak dikenal"),
        ({"day.minutes": "4.5"}, "day.minutes", "bukan bilangan bulat"),
        ({"day.minutes": "-1"}, "day.minutes", "bukan bilangan bulat"),
        ({"day.minutes": "٤٥٠"}, "day.minutes", "bukan bilangan bulat"),
        ({"tukin.tk_day": "3%"}, "tukin.tk_day", "bukan angka desimal"),
        ({"tukin.tk_day": "1e2"}, "tukin.tk_day", "bukan angka desimal"),
        ({"tukin.tk_day": "NaN"}, "tukin.tk_day", "bukan angka desimal"),
        ({"tukin.tk_day": "0,5"}, "tukin.tk_day", "bukan angka desimal"),
        ({"window.start": "6:00"}, "window.start", "bukan jam HH:MM"),
        ({"window.start": "24:00"}, "window.start", "bukan jam HH:MM"),
        ({"class.bounds": "30,60"}, "class.bounds", "harus 3 angka"),
        ({"class.bounds": "30,x,90"}, "class.bounds", "bukan bilangan bulat"),
        ({"pppk.group.IX": "V"}, "pppk.group.IX", "harus salah satu dari"),
        ({"meal.rate.III": "35000.50"}, "meal.rate.III", "harus rupiah bulat"),
        (
            {"discipline.level.TEGURAN_LISAN": "keras"},
            "discipline.level.TEGURAN_LISAN",
            "harus salah satu",
        ),
    ],
)
def test_unknown_keys_and_unparsable_values_are_refused_naming_the_key(
    values: dict[str, str], key: str, reason: str
) -> None:
    with pytest.raises(PolicyError, match=reason) as caught:
        policy_from_values(values)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("values", "english"),
    [
        ({"tukin.bonus": "1"}, "tukin.bonus: unknown policy key"),
        ({"day.minutes": "4.5"}, "day.minutes: '4.5' is not a whole number (e.g. 450)"),
        ({"window.start": "21:00"}, "window.end: must come after window.start"),
        ({"pppk.group.IX": "V"}, "pppk.group.IX: 'V' must be one of I, II, III, IV"),
        ({"tukin.cap": "200"}, "tukin.cap: a percentage lies between 0 and 100"),
        ({"recap.close_after_days": "400"}, "recap.close_after_days: at most 366 days"),
    ],
)
def test_a_refusal_reads_in_english_for_an_english_page_and_in_indonesian_as_text(
    values: dict[str, str], english: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from_values(values)
    assert caught.value.reason.text("en") == english
    assert str(caught.value) == caught.value.reason.text("id") != english


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"window.start": "21:00"}, "window.end"),
        ({"day.minutes": "0"}, "day.minutes"),
        ({"cap.minutes": "0"}, "cap.minutes"),
        ({"missing.minutes": "200"}, "missing.minutes"),
        ({"class.bounds": "60,30,90"}, "class.bounds"),
        ({"class.bounds": "0,30,90"}, "class.bounds"),
        ({"tukin.late.1": "100.5"}, "tukin.late.1"),
        ({"tukin.early.2": "101"}, "tukin.early.2"),
        ({"tukin.tk_day": "150"}, "tukin.tk_day"),
        ({"tukin.cap": "200"}, "tukin.cap"),
        ({"discipline.sedang_pct": "101"}, "discipline.sedang_pct"),
        ({"tukin.absence.CLTN": "101"}, "tukin.absence.CLTN"),
        ({"meal.tax.IV": "101"}, "meal.tax.IV"),
        ({"discipline.from.TEGURAN_TERTULIS": "3"}, "discipline.from.TEGURAN_TERTULIS"),
        ({"discipline.from.TEGURAN_LISAN": "0"}, "discipline.from.TEGURAN_LISAN"),
        ({"discipline.streak_days": "0"}, "discipline.streak_days"),
        ({"presence.travel_max_kmh": "0"}, "presence.travel_max_kmh"),
        ({"presence.location_span_max_m": "0"}, "presence.location_span_max_m"),
        ({"presence.accuracy_tolerance_max_m": "0"}, "presence.accuracy_tolerance_max_m"),
        ({"requests.evidence_max_kb": "0"}, "requests.evidence_max_kb"),
        ({"leave.cap_after_two_years": "17"}, "leave.cap_after_two_years"),
        # counts no calendar holds (a date typed into a count of days)
        ({"recap.close_after_days": "20240406"}, "recap.close_after_days"),
        ({"discipline.from.PEMBERHENTIAN": "367"}, "discipline.from.PEMBERHENTIAN"),
        ({"day.minutes": "1441"}, "day.minutes"),
        ({"requests.years_at_most": "101"}, "requests.years_at_most"),
        ({"requests.years_at_most": "0"}, "requests.years_at_most"),
    ],
)
def test_inconsistent_figures_are_refused_naming_the_key(values: dict[str, str], key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from_values(values)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"late_pct": (D("1"),) * 3}, "tukin.late"),
        ({"absence_pct": {"CT": D("0")}}, "tukin.absence"),
        ({"meal_rate": {"I": D("1")}}, "meal.rate"),
        ({"meal_rate": {"I": D("-1"), "II": D("1"), "III": D("1"), "IV": D("1")}}, "meal.rate.I"),
        ({"meal_tax_pct": {"I": D("0")}}, "meal.tax"),
        ({"pppk_group": {"I": "I"}}, "pppk.group"),
        ({"pppk_group": {**DEFAULT_POLICY.pppk_group, "IX": "V"}}, "pppk.group.IX"),
        ({"ladder": DEFAULT_POLICY.ladder[1:]}, "discipline"),
        (
            {"ladder": (*DEFAULT_POLICY.ladder[:-1], Sanction("PEMBERHENTIAN", "berat", 30, -1))},
            "discipline.months.PEMBERHENTIAN",
        ),
        (
            {"ladder": (*DEFAULT_POLICY.ladder[:-1], Sanction("PEMBERHENTIAN", "keras", 30, 0))},  # type: ignore[arg-type]
            "discipline.level.PEMBERHENTIAN",
        ),
    ],
)
def test_policies_built_in_code_are_validated_too(changes: dict[str, object], key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        replace(DEFAULT_POLICY, **changes)  # type: ignore[arg-type]
    assert caught.value.key == key


def test_the_documentation_lists_every_key_with_its_default() -> None:
    """docs/rules.md is what admins read; it must not fall behind the code."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text()
    for key, value in policy_to_values(DEFAULT_POLICY).items():
        assert f"| `{key}` | `{value}` |" in doc, key
