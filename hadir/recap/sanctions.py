"""Discipline sanctions as decided: the recap proposes, a person decides (DOMAIN.md §5).

A decision (:class:`~hadir.recap.models.SanctionDecision`) names a rung of the policy's ladder,
the decree (SK) and the first month it runs; the rung's months come from the policy in force
then. While a *sedang* decision runs, each month's TUKIN deduction carries the policy's extra
percentage (the rules library's ``sanction_in_force``). Recording and revoking are audited, and
refused in a month already closed unless an admin does it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.common.access import access_employee_to_manage
from hadir.common.audit import audit_record
from hadir.org.models import Employee
from hadir.recap.models import SanctionDecision
from hadir.recap.periods import PeriodClosed, period_guard
from hadir.schedules.selectors import policy_as_of


class SanctionRefused(ValueError):
    """A decision that cannot be recorded as given; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def sanction_decide(
    *,
    actor: Any,
    employee: Employee,
    sanction: str,
    first_month: date,
    decree: str,
    decided_on: date,
    for_year: int | None = None,
) -> SanctionDecision:
    """Record the decree of ``sanction`` for ``employee``, running from ``first_month``, for
    the days not at work of ``for_year`` (by default the decree's own year; a January decree
    may judge the year before, and is then set beside that year's proposal, not the new one's).

    Refused: an unknown rung, no decree number, a decree dated in the future, a first month
    before the decree's (a sanction is not applied to months already paid), a run overlapping
    another decision's (one sanction at a time: revoke the other first), and a run into a
    closed month unless an admin records it.
    """
    if actor is not None:  # an admin too: nobody records their own sanction
        access_employee_to_manage(actor, employee.pk)
    first_month = first_month.replace(day=1)
    decree = " ".join(decree.split())
    if not decree:
        raise SanctionRefused(_("Write the decree (SK) number."), field="decree")
    if decided_on > employee.unit.today():
        raise SanctionRefused(_("The decree date is still to come."), field="decided_on")
    for_year = decided_on.year if for_year is None else for_year
    if for_year > decided_on.year:
        raise SanctionRefused(
            _("A decree judges a year that has begun: %(year)s or before.")
            % {"year": decided_on.year},
            field="for_year",
        )
    if first_month < decided_on.replace(day=1):
        raise SanctionRefused(
            _("A sanction runs from the month of its decree or later."), field="first_month"
        )
    policy = policy_as_of(first_month)
    try:
        rung = policy.sanction(sanction)
    except KeyError:
        raise SanctionRefused(_("Choose a sanction of the ladder."), field="sanction") from None
    decision = SanctionDecision(
        employee=employee,
        sanction=rung.id,
        first_month=first_month,
        months=rung.months,
        decree=decree[:120],
        decided_on=decided_on,
        for_year=for_year,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()  # one at a time
        _refuse_overlap(decision)
        _guard(actor, decision)
        decision.save()
        audit_record(
            actor=actor,
            action="recap.sanction_decide",
            obj=decision,
            summary=f"{employee.nip} {rung.id} {first_month:%m-%Y} SK {decision.decree}",
            after=_snapshot(decision),
        )
    return decision


def sanction_revoke(*, actor: Any, decision: SanctionDecision) -> SanctionDecision:
    """Take a decision back (a decree annulled or entered by mistake): its months no longer
    carry the sanction. Refused when already revoked, or in a closed month unless an admin."""
    if actor is not None:  # an admin too: nobody revokes their own sanction
        access_employee_to_manage(actor, decision.employee_id)
    with transaction.atomic():
        decision = SanctionDecision.objects.select_for_update().get(pk=decision.pk)
        if decision.revoked_at is not None:
            raise SanctionRefused(_("This decision was already revoked."))
        _guard(actor, decision)
        decision.revoked_at = timezone.now()
        decision.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        decision.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="recap.sanction_revoke",
            obj=decision,
            summary=f"{decision.employee.nip} {decision.sanction} SK {decision.decree}",
            before=_snapshot(decision),
        )
    return decision


def _months(decision: SanctionDecision) -> list[date]:
    last = decision.last_month()
    if last is None:
        return []
    months, month = [], decision.first_month
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _refuse_overlap(decision: SanctionDecision) -> None:
    months = _months(decision)
    if not months:
        return
    running = SanctionDecision.objects.filter(
        employee_id=decision.employee_id,
        revoked_at__isnull=True,
        months__gt=0,
        first_month__lte=months[-1],
    )
    for other in running:
        last = other.last_month()
        if last is not None and last >= months[0]:
            raise SanctionRefused(
                _(
                    "The decree %(decree)s already runs until %(month)s: revoke it first, or "
                    "start this one after it."
                )
                % {"decree": other.decree, "month": f"{last:%m-%Y}"},
                field="first_month",
            )


def _guard(actor: Any, decision: SanctionDecision) -> None:
    """A closed month keeps its signed figures: only an admin changes them."""
    try:
        period_guard(actor=actor, employee=decision.employee, dates=_months(decision))
    except PeriodClosed as closed:
        raise SanctionRefused(str(closed), field="first_month") from None


def _snapshot(decision: SanctionDecision) -> dict[str, Any]:
    return {
        "employee": decision.employee.nip,
        "sanction": decision.sanction,
        "first_month": f"{decision.first_month:%Y-%m}",
        "months": decision.months,
        "decree": decision.decree,
        "decided_on": decision.decided_on.isoformat(),
    }
