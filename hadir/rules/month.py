"""One month of day results → the TUKIN deduction and the meal allowance (DOMAIN.md §5).

Both are what the employee sees on the monthly recap (rekap uang makan dan TUKIN), so every
figure comes with its line items and reasons.

* TUKIN deduction, in percent of the monthly tunjangan kinerja: each ``H`` day adds the policy
  percentage of its TL class and of its PSW class, each ``TK`` day the TK percentage, each
  full-day absence its type's percentage; a sedang sanction in force adds its extra percentage
  once; the total is capped at the policy cap and rounded half-up to 2 decimals.
* Uang makan: days earning it × the rate of the employee's group (PPPK mapped to a group by the
  policy) = gross; PPh 21 = gross × the group's percentage, rounded **half-up to whole rupiah**
  (the tax is withheld in whole rupiah); net = gross − tax. Rates are whole rupiah (the policy
  refuses cents), so the gross is too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from types import MappingProxyType

from hadir.rules.day import STATUSES, DayFacts
from hadir.rules.explain import Reason
from hadir.rules.golongan import Golongan, meal_group, parse_golongan
from hadir.rules.policy import CLASSES, DEFAULT_POLICY, SANCTION_IDS, Policy

_CENT = Decimal("0.01")
_RUPIAH = Decimal("1")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DeductionLine:
    """One kind of deduction in a month: ``code`` is ``TL1``…``TL4``, ``PSW1``…``PSW4``, ``TK``,
    an absence code, or a sanction id; ``total`` = ``count`` × ``each``.
    """

    code: str
    count: int
    each: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class MealAllowance:
    """The month's uang makan; money in whole rupiah (see the module docstring for rounding)."""

    group: str
    days: int
    rate: Decimal
    gross: Decimal
    tax_pct: Decimal
    tax: Decimal
    net: Decimal


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """The month's recap for one employee.

    ``tl_counts[k]`` / ``psw_counts[k]`` are the number of days of class ``k + 1``.
    ``deduction_pct`` is capped and rounded; ``deduction_uncapped`` is the plain sum of the lines.
    """

    days: int
    working_days: int
    status_counts: Mapping[str, int]
    tl_counts: tuple[int, ...]
    psw_counts: tuple[int, ...]
    tl_minutes: int
    psw_minutes: int
    lines: tuple[DeductionLine, ...]
    deduction_uncapped: Decimal
    deduction_pct: Decimal
    meal: MealAllowance
    policy: Policy

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The deduction line by line, the cap if it applied, and the meal arithmetic."""
        reasons = [
            Reason.of("M_LINE", code=line.code, count=line.count, each=line.each, total=line.total)
            if line.code not in SANCTION_IDS
            else Reason.of("M_SANCTION", sanction=line.code, pct=line.total)
            for line in self.lines
        ]
        if self.deduction_uncapped > self.policy.deduction_cap_pct:
            reasons.append(
                Reason.of(
                    "M_CAPPED", total=self.deduction_uncapped, cap=self.policy.deduction_cap_pct
                )
            )
        reasons.append(Reason.of("M_DEDUCTION", pct=self.deduction_pct))
        meal = self.meal
        reasons.append(
            Reason.of("M_MEAL", group=meal.group, days=meal.days, rate=meal.rate, gross=meal.gross)
        )
        reasons.append(Reason.of("M_MEAL_TAX", pct=meal.tax_pct, tax=meal.tax, net=meal.net))
        return tuple(reasons)


def day_deduction(result: DayFacts, policy: Policy = DEFAULT_POLICY) -> Decimal:
    """The TUKIN percentage one day costs before the monthly cap (0 for ``LIBUR``)."""
    status = result.status
    if status == "H":
        total = Decimal(0)
        if result.tl_class:
            total += policy.late_pct[result.tl_class - 1]
        if result.psw_class:
            total += policy.early_pct[result.psw_class - 1]
        return total
    if status == "TK":
        return policy.tk_day_pct
    if status == "LIBUR":
        return Decimal(0)
    return policy.absence_pct[status]


def meal_allowance(days: int, golongan: Golongan, policy: Policy = DEFAULT_POLICY) -> MealAllowance:
    """Uang makan for ``days`` earning days at the golongan's rate, with PPh 21 withheld."""
    group = meal_group(golongan, policy)
    rate, tax_pct = policy.meal_rate[group], policy.meal_tax_pct[group]
    return _meal(group, days, rate, tax_pct, _digits(rate), _digits(tax_pct))


def _digits(value: Decimal) -> int:
    """A memo key's part that keeps ``0.5`` and ``0.50`` apart: equal, but shown differently."""
    return value.as_tuple().exponent  # type: ignore[return-value]


@cache
def _meal(group: str, days: int, rate: Decimal, tax_pct: Decimal, *_digits: int) -> MealAllowance:
    """Memoised: a unit's recap computes thousands from four rates and at most 31 days."""
    gross = (rate * days).quantize(_RUPIAH, rounding=ROUND_HALF_UP)
    tax = (gross * tax_pct / _HUNDRED).quantize(_RUPIAH, rounding=ROUND_HALF_UP)
    return MealAllowance(group, days, rate, gross, tax_pct, tax, gross - tax)


_TL_CODES = tuple(f"TL{n}" for n in range(1, CLASSES + 1))
_PSW_CODES = tuple(f"PSW{n}" for n in range(1, CLASSES + 1))


@dataclass(frozen=True, slots=True)
class MonthTally:
    """The counts a month's summary is computed from, without money or policy.

    ``status_counts`` lists statuses in :data:`~hadir.rules.day.STATUSES` order and leaves out
    those with no day (as :func:`month_tally` builds it).

    Stored per employee-month by the Django side, so a recap of thousands of employees reads one
    small row each instead of every day; :func:`summarise` turns it into money under any policy.
    """

    days: int = 0
    working_days: int = 0
    status_counts: Mapping[str, int] = MappingProxyType({})
    tl_counts: tuple[int, ...] = (0,) * CLASSES
    psw_counts: tuple[int, ...] = (0,) * CLASSES
    tl_minutes: int = 0
    psw_minutes: int = 0
    meal_days: int = 0


def month_tally(days: Sequence[DayFacts]) -> MonthTally:
    """Count a month of day results: statuses, TL/PSW classes, minutes, days earning uang makan."""
    statuses: Counter[str] = Counter()
    tl_counts = [0] * CLASSES
    psw_counts = [0] * CLASSES
    tl_minutes = psw_minutes = meal_days = working = 0
    for result in days:
        statuses[result.status] += 1
        working += result.working
        if result.tl_class:
            tl_counts[result.tl_class - 1] += 1
        if result.psw_class:
            psw_counts[result.psw_class - 1] += 1
        tl_minutes += result.tl_minutes
        psw_minutes += result.psw_minutes
        meal_days += result.meal
    return MonthTally(
        days=len(days),
        working_days=working,
        status_counts=MappingProxyType({s: statuses[s] for s in STATUSES if statuses[s]}),
        tl_counts=tuple(tl_counts),
        psw_counts=tuple(psw_counts),
        tl_minutes=tl_minutes,
        psw_minutes=psw_minutes,
        meal_days=meal_days,
    )


def month_summary(
    days: Sequence[DayFacts],
    golongan: Golongan | str,
    policy: Policy = DEFAULT_POLICY,
    *,
    sanction_in_force: str | None = None,
) -> MonthSummary:
    """Summarise a month of day results for an employee of ``golongan``.

    ``sanction_in_force`` is the id of a discipline sanction running this month (decided by a
    person, not here); a sedang-level one adds the policy's extra percentage.
    """
    return summarise(month_tally(days), golongan, policy, sanction_in_force=sanction_in_force)


def _line(code: str, count: int, each: Decimal) -> DeductionLine:
    """A deduction line (memoised: a unit's recap builds thousands from a few dozen rates and
    counts of at most 31)."""
    return _line_of(code, count, each, _digits(each))


@cache
def _line_of(code: str, count: int, each: Decimal, _digits: int) -> DeductionLine:
    return DeductionLine(code, count, each, each * count)


def summarise(
    tally: MonthTally,
    golongan: Golongan | str,
    policy: Policy = DEFAULT_POLICY,
    *,
    sanction_in_force: str | None = None,
) -> MonthSummary:
    """The month's deduction and meal allowance from its counts (see :func:`month_summary`)."""
    grade = parse_golongan(golongan) if isinstance(golongan, str) else golongan
    statuses = tally.status_counts
    lines: list[DeductionLine] = []
    for codes, counts, rates in (
        (_TL_CODES, tally.tl_counts, policy.late_pct),
        (_PSW_CODES, tally.psw_counts, policy.early_pct),
    ):
        for code, count, each in zip(codes, counts, rates, strict=True):
            if count:
                lines.append(_line(code, count, each))
    for code, count in statuses.items():  # in STATUSES order: TK, then absences in code order
        rate = policy.tk_day_pct if code == "TK" else policy.absence_pct.get(code)
        if count and rate is not None:
            lines.append(_line(code, count, rate))
    if sanction_in_force is not None and policy.sanction(sanction_in_force).level == "sedang":
        extra = policy.sedang_extra_pct
        lines.append(DeductionLine(sanction_in_force, 1, extra, extra))

    uncapped = sum((line.total for line in lines), Decimal(0))
    capped = min(uncapped, policy.deduction_cap_pct).quantize(_CENT, rounding=ROUND_HALF_UP)
    return MonthSummary(
        days=tally.days,
        working_days=tally.working_days,
        status_counts=statuses,
        tl_counts=tally.tl_counts,
        psw_counts=tally.psw_counts,
        tl_minutes=tally.tl_minutes,
        psw_minutes=tally.psw_minutes,
        lines=tuple(lines),
        deduction_uncapped=uncapped,
        deduction_pct=capped,
        meal=meal_allowance(tally.meal_days, grade, policy),
        policy=policy,
    )
