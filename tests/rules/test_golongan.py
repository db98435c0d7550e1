"""Golongan of PNS (I/a … IV/e) and PPPK (I … XVII), DOMAIN.md §2, and their meal group (§5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hadir.rules.golongan import Golongan, meal_group, parse_golongan
from hadir.rules.policy import DEFAULT_POLICY, PPPK_GRADES

PNS = [
    f"{group}/{ruang}"
    for group, ruangs in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for ruang in ruangs
]


@pytest.mark.parametrize("text", PNS)
def test_every_pns_golongan_is_accepted(text: str) -> None:
    parsed = parse_golongan(text)
    assert parsed == Golongan("PNS", text, text.split("/")[0])


@pytest.mark.parametrize("text", PPPK_GRADES)
def test_every_pppk_grade_is_accepted(text: str) -> None:
    assert parse_golongan(text) == Golongan("PPPK", text, text)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("iii / a", "III/a"),
        ("III-a", "III/a"),
        ("IIIa", "III/a"),
        ("  iv/E ", "IV/e"),
        ("II . b", "II/b"),
        ("pppk ix", "IX"),
        ("PPPK  XVII", "XVII"),
        ("xii", "XII"),
    ],
)
def test_spaces_case_and_separators_are_tolerated(typed: str, canonical: str) -> None:
    assert parse_golongan(typed).text == canonical


@pytest.mark.parametrize(
    "text", ["V/a", "IV/f", "I/e", "III/e", "XVIII", "0", "", "III/", "IIII/a", "IX/a", "3/a"]
)
def test_anything_else_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"tidak dikenal; contoh: III/a atau IX") as caught:
        parse_golongan(text)
    assert f"'{text.strip()}'" in str(caught.value)


def test_the_message_quotes_the_input() -> None:
    with pytest.raises(ValueError, match=r"^golongan 'V/a' tidak dikenal; contoh: III/a atau IX$"):
        parse_golongan("V/a")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("I/a", "I"),
        ("II/d", "II"),
        ("III/c", "III"),
        ("IV/e", "IV"),
        ("I", "I"),
        ("VIII", "II"),
        ("IX", "III"),
        ("XIII", "IV"),
    ],
)
def test_the_meal_group_of_pns_and_pppk(text: str, group: str) -> None:
    assert meal_group(parse_golongan(text), DEFAULT_POLICY) == group


def test_the_pppk_mapping_comes_from_the_policy() -> None:
    policy = replace(DEFAULT_POLICY, pppk_group={**DEFAULT_POLICY.pppk_group, "IX": "IV"})
    assert meal_group(parse_golongan("IX"), policy) == "IV"
