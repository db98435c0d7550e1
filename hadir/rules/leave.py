"""Cuti tahunan (annual leave) entitlement, PP 11/2017 as DOMAIN.md §7 and the issue state it.

Each year brings ``leave.days`` working days. Days not taken carry into the next year, at most
``leave.carry_days`` of them (12 + 6 = 18); after two or more consecutive years without any
annual leave the ceiling is ``leave.cap_after_two_years`` (24), including the current year's.
Only working days of the employee's schedule count as taken: cuti over a holiday or a weekend
consumes nothing, which the caller ensures by counting working days.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hadir.rules.policy import DEFAULT_POLICY, Policy


@dataclass(frozen=True, slots=True)
class LeaveBalance:
    """A year's entitlement, what is taken or pending, and what is left."""

    year: int
    entitlement: int
    taken: int

    @property
    def remaining(self) -> int:
        return max(0, self.entitlement - self.taken)


YearPolicy = Policy | Callable[[int], Policy]
"""One policy for every year, or each year's own (the figures in force in it): a right raised
from 2025 leaves 2024's carry as 2024 lived it."""


def _of(policy: YearPolicy, year: int) -> Policy:
    return policy(year) if callable(policy) else policy


def leave_entitlement(
    year: int,
    taken_by_year: Mapping[int, int],
    first_year: int,
    policy: YearPolicy = DEFAULT_POLICY,
) -> int:
    """The days of ``year``: the yearly right plus what the previous years carry in.

    ``taken_by_year`` holds the working days taken each year; ``first_year`` is the first year
    the employee earned the right (nothing carries from before it).
    """
    rules = _of(policy, year)
    if year <= first_year:
        return rules.leave_days
    previous = year - 1
    if (
        previous > first_year
        and taken_by_year.get(previous, 0) == 0
        and taken_by_year.get(previous - 1, 0) == 0
    ):
        return rules.leave_cap_after_two_years
    unused = max(
        0,
        leave_entitlement(previous, taken_by_year, first_year, policy)
        - taken_by_year.get(previous, 0),
    )
    return rules.leave_days + min(unused, rules.leave_carry_days)


def leave_balance(
    year: int,
    taken_by_year: Mapping[int, int],
    first_year: int,
    policy: YearPolicy = DEFAULT_POLICY,
) -> LeaveBalance:
    """Entitlement, taken and remaining days of ``year``."""
    return LeaveBalance(
        year=year,
        entitlement=leave_entitlement(year, taken_by_year, first_year, policy),
        taken=taken_by_year.get(year, 0),
    )
