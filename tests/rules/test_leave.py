"""Cuti tahunan: 12 days a year, up to 18 with one year's carry-over, 24 after two unused years."""

from __future__ import annotations

import pytest

from hadir.rules.leave import leave_balance, leave_entitlement


def test_the_first_year_gives_twelve_days() -> None:
    assert leave_entitlement(2024, {}, first_year=2024) == 12


def test_a_year_before_the_first_also_gives_only_twelve() -> None:
    assert leave_entitlement(2023, {}, first_year=2024) == 12


def test_unused_days_carry_over_up_to_six() -> None:
    assert leave_entitlement(2025, {2024: 10}, first_year=2024) == 14
    assert leave_entitlement(2025, {2024: 3}, first_year=2024) == 18


def test_one_whole_unused_year_gives_eighteen() -> None:
    assert leave_entitlement(2025, {2024: 0}, first_year=2024) == 18


def test_two_unused_years_give_twenty_four() -> None:
    assert leave_entitlement(2026, {}, first_year=2024) == 24
    assert leave_entitlement(2027, {}, first_year=2024) == 24


def test_taking_leave_in_either_of_the_two_years_ends_the_twenty_four() -> None:
    assert leave_entitlement(2026, {2024: 2}, first_year=2024) == 18
    assert leave_entitlement(2026, {2025: 12}, first_year=2024) == 18  # 18 in 2025, 6 left


def test_a_year_that_used_up_its_carry_over_carries_nothing() -> None:
    assert leave_entitlement(2026, {2024: 0, 2025: 18}, first_year=2024) == 12


@pytest.mark.parametrize(("taken", "remaining"), [(0, 12), (5, 7), (12, 0), (15, 0)])
def test_the_balance_is_never_negative(taken: int, remaining: int) -> None:
    balance = leave_balance(2024, {2024: taken}, first_year=2024)
    assert balance.entitlement == 12
    assert balance.taken == taken
    assert balance.remaining == remaining
