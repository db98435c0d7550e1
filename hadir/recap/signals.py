"""Keep stored employee-days true when an employee, the calendar or the policy changes.

Only the affected rows are refreshed: an employee's corrected start or end drops the stored
days outside the period, another work pattern or unit re-evaluates their stored days; a holiday
touches its date for the employees under its unit (or everyone, for a national one); a special
period its dates, its hours (saved after it) the dates of their weekday for the employees on
their pattern, its units (also saved after it) the employees under them; a work pattern's
hours or rules the stored days of the employees on it; a unit's default pattern, time zone or
place in the tree the stored days of everyone under it; a policy value the stored days from
its effective date. An edit that moves a holiday, a period, a pattern's hours or a policy
value refreshes where it was as well.
Refreshing is limited to days already stored (the rest are evaluated when first needed), and
runs once the edit commits (:mod:`hadir.recap.refreshes`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from hadir.org.models import Employee, Unit
from hadir.recap.refreshes import refresh_later
from hadir.schedules.models import (
    Holiday,
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
    WorkPattern,
)


@receiver(pre_save, sender=Employee)
@receiver(pre_save, sender=Unit)
@receiver(pre_save, sender=Holiday)
@receiver(pre_save, sender=PatternDay)
@receiver(pre_save, sender=WorkPattern)
@receiver(pre_save, sender=PolicyValue)
@receiver(pre_save, sender=SpecialPeriod)
@receiver(pre_save, sender=SpecialPeriodDay)
def _remember_before_edit(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An edit may move a holiday, a period or its hours elsewhere: keep the row as it was, so
    the days it no longer covers are refreshed too."""
    instance._before_edit = sender.objects.filter(pk=instance.pk).first() if instance.pk else None


def _before_edit(instance: Any) -> Any:
    return instance.__dict__.pop("_before_edit", None)


@receiver(post_save, sender=Employee)
def _employee_changed(sender: Any, instance: Employee, **kwargs: Any) -> None:
    """A corrected attendance period drops the stored days outside it; another work pattern or
    unit (another calendar, maybe another time zone) re-evaluates the stored days of the
    present placement: a move keeps the days before it (:func:`hadir.org.services.employee_place`)."""
    before = _before_edit(instance)
    if before is None:
        return
    if (before.start, before.end) != (instance.start, instance.end):
        refresh_later({"outside_period": [instance.pk]}, date.min, date.max)
    if (before.pattern_id, before.unit_id) != (instance.pattern_id, instance.unit_id):
        refresh_later({"employees": [instance.pk]}, instance.placed_since or date.min, date.max)


@receiver(post_save, sender=Unit)
def _unit_changed(sender: Any, instance: Unit, **kwargs: Any) -> None:
    """Another default pattern, time zone or place in the tree (whose holidays apply)
    re-evaluates the stored days of the unit's employees and of every unit below it."""
    before = _before_edit(instance)
    if before is None or not before.path:  # new: its path comes just after, nobody is under it
        return
    if before.path != instance.path:  # moved: the holidays of its new parents apply below it
        refresh_later(_under(instance.pk), date.min, date.max)
    elif before.timezone != instance.timezone:  # each unit below has its own
        refresh_later({"unit_only": [instance.pk]}, date.min, date.max)
    elif before.default_pattern_id != instance.default_pattern_id:
        # From the date the new pattern applies (hadir.org.services.unit_pattern_change): the
        # days before keep the former one. Saved otherwise (the shell), every day.
        since = getattr(instance, "_pattern_since", date.min)
        refresh_later({"unit_only": [instance.pk]}, since, date.max)


def _under(unit_id: int | None) -> dict[str, Any]:
    """The employees of a unit and of every unit below it; everyone for no unit."""
    return {"all": True} if unit_id is None else {"units": [unit_id]}


@receiver([post_save, post_delete], sender=Holiday)
def _holiday_changed(sender: Any, instance: Holiday, **kwargs: Any) -> None:
    refresh_later(_under(instance.unit_id), instance.date, instance.date)
    before = _before_edit(instance)
    if before is not None and (before.date, before.unit_id) != (instance.date, instance.unit_id):
        refresh_later(_under(before.unit_id), before.date, before.date)


@receiver(post_save, sender=SpecialPeriod)
def _special_period_changed(sender: Any, instance: SpecialPeriod, **kwargs: Any) -> None:
    """A period's dates (or reach) changed: refresh them, and where it was, for the employees
    on the patterns it gives hours to. A new period has none yet; its hours, saved after it,
    refresh their days as they come, and go (deleting a period deletes its hours first)."""
    before = _before_edit(instance)
    patterns = sorted(set(instance.days.values_list("pattern_id", flat=True)))
    if not patterns:
        return
    refresh_later({"patterns": patterns}, instance.start, instance.end)
    if before is not None and (before.start, before.end) != (instance.start, instance.end):
        refresh_later({"patterns": patterns}, before.start, before.end)


@receiver([post_save, post_delete], sender=SpecialPeriodDay)
def _special_hours_changed(sender: Any, instance: SpecialPeriodDay, **kwargs: Any) -> None:
    """The admin saves a period's hours after the period itself: refresh the period's days
    for the employees on that pattern (and on the one the row had before an edit). Every
    weekday, not only the row's: once a pattern has hours in a period, the period replaces its
    whole week (a weekday without a row is a day off), so the first row added or the last one
    removed changes the other weekdays too."""
    patterns = {instance.pattern_id}
    before = _before_edit(instance)
    if before is not None:
        patterns.add(before.pattern_id)
    period = SpecialPeriod.objects.filter(pk=instance.period_id).first()
    if period is None:
        return
    refresh_later({"patterns": sorted(patterns)}, period.start, period.end)


@receiver(m2m_changed, sender=SpecialPeriod.units.through)
def _special_period_units_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """Units are added to a period after it is saved (the admin's form): refresh their days.
    A unit's periods cleared from its side name none (``pk_set`` is None then): they are
    remembered before the clear."""
    if reverse and action == "pre_clear":
        instance._periods_cleared = list(instance.special_periods.all())
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # unit.special_periods.add(period)
        if action == "post_clear":
            periods = instance.__dict__.pop("_periods_cleared", [])
        else:
            periods = list(SpecialPeriod.objects.filter(pk__in=pk_set or ()))
        scope = _under(instance.pk)
    else:
        periods = [instance]
        if pk_set is not None and not pk_set:
            return
        scope = {"all": True} if pk_set is None else {"units": sorted(pk_set)}
    for period in periods:
        refresh_later(scope, period.start, period.end)


@receiver([post_save, post_delete], sender=PatternDay)
def _pattern_changed(sender: Any, instance: PatternDay, **kwargs: Any) -> None:
    """A weekday's hours changed (or moved to another pattern: both patterns' days)."""
    before = _before_edit(instance)
    patterns = {instance.pattern_id} | ({before.pattern_id} if before is not None else set())
    refresh_later({"patterns": sorted(patterns)}, date.min, date.max)


@receiver(post_save, sender=WorkPattern)
def _work_pattern_changed(sender: Any, instance: WorkPattern, **kwargs: Any) -> None:
    """A pattern's own rule (the flexible break) or its code (which the explanation of every
    day off names) changed: its employees' days. A new pattern has nobody on it yet; the
    admin saves a pattern with its hours even when only they changed (their rows refresh for
    themselves)."""
    before = _before_edit(instance)
    if before is not None and (before.flexible_break, before.code) != (
        instance.flexible_break,
        instance.code,
    ):
        refresh_later({"patterns": [instance.pk]}, date.min, date.max)


@receiver([post_save, post_delete], sender=PolicyValue)
def _policy_changed(sender: Any, instance: PolicyValue, **kwargs: Any) -> None:
    """The stored days from the value's effective date, or from where it was, if earlier (a
    value moved later leaves the days between to the value before it)."""
    before = _before_edit(instance)
    start = instance.effective_from
    if before is not None:
        start = min(start, before.effective_from)
    refresh_later({"all": True}, start, date.max)
