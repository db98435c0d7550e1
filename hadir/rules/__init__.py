"""Hadir's attendance rules as a pure library (DOMAIN.md §3–5).

Nothing here imports Django: plain functions over frozen dataclasses, so the arithmetic that
turns punches and excuses into statuses, minutes, money and discipline can be read, tested and
audited on its own. The Django apps convert their rows to these types and back.
"""

from hadir.rules.day import Absence, DayFacts, DayResult, Waiver, evaluate_day
from hadir.rules.discipline import (
    Threshold,
    YearSummary,
    sanction_for,
    tk_streaks,
    year_standing,
    year_summary,
)
from hadir.rules.explain import Reason
from hadir.rules.golongan import Golongan, parse_golongan
from hadir.rules.month import (
    MealAllowance,
    MonthSummary,
    day_deduction,
    meal_allowance,
    month_summary,
)
from hadir.rules.patterns import DEFAULT_PATTERNS, DayHours, SpecialPeriod, WorkPattern
from hadir.rules.policy import (
    DEFAULT_POLICY,
    Policy,
    PolicyError,
    describe_policy_keys,
    policy_from_values,
    policy_to_values,
)
from hadir.rules.schedule import Schedule, ScheduleBook, schedule_for

__all__ = [
    "DEFAULT_PATTERNS",
    "DEFAULT_POLICY",
    "Absence",
    "DayFacts",
    "DayHours",
    "DayResult",
    "Golongan",
    "MealAllowance",
    "MonthSummary",
    "Policy",
    "PolicyError",
    "Reason",
    "Schedule",
    "ScheduleBook",
    "SpecialPeriod",
    "Threshold",
    "Waiver",
    "WorkPattern",
    "YearSummary",
    "day_deduction",
    "describe_policy_keys",
    "evaluate_day",
    "meal_allowance",
    "month_summary",
    "parse_golongan",
    "policy_from_values",
    "policy_to_values",
    "sanction_for",
    "schedule_for",
    "tk_streaks",
    "year_standing",
    "year_summary",
]
