"""The golongan an employee held on a date: a promotion (kenaikan pangkat) is dated.

A month's uang makan is priced with the golongan held on its last day, as the month belongs to
the unit of that day (:func:`hadir.recap.selectors.month_members`). Almost nobody was promoted
after the dates read, so the present golongan is the answer without a query
(:attr:`Employee.golongan_since` says whether a date lies before the present one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from hadir.org.models import EarlierGolongan, Employee


def promoted_after(employee: Employee, day: date) -> bool:
    """Whether ``day`` lies before the employee's present golongan."""
    return employee.golongan_since is not None and day < employee.golongan_since


def golongan_on(employee: Employee, day: date) -> str:
    """The golongan the employee held on ``day`` (no query unless promoted after it)."""
    return golongans_on([employee], day)[employee.pk]


def golongans_on(employees: Sequence[Employee], day: date) -> dict[int, str]:
    """The golongan each of ``employees`` held on ``day``: one query for those promoted after
    it, none otherwise."""
    held = {e.pk: e.golongan for e in employees}
    later = [e.pk for e in employees if promoted_after(e, day)]
    if later:
        # The earlier golongan holding ``day``: the first to end on or after it.
        rows = EarlierGolongan.objects.filter(employee_id__in=later, until__gte=day)
        for employee_id, golongan in rows.order_by("-until").values_list("employee", "golongan"):
            held[employee_id] = golongan
    return held


def promotion_problem(employee: Employee, since: date, today: date) -> str | None:
    """Why ``employee`` (as stored) cannot take a new golongan from ``since``, if so."""
    if since > today:
        return _("a new golongan is entered from its date on: %(since)s is still to come") % {
            "since": f"{since:%d-%m-%Y}"
        }
    if employee.golongan_since is not None and since < employee.golongan_since:
        return _(
            "the present golongan applies since %(held)s; a new one cannot start before it"
        ) % {"held": f"{employee.golongan_since:%d-%m-%Y}"}
    return None


def golongan_since_unused(employee: Employee, since: date, start: date) -> str | None:
    """Why a ``golongan_since`` given without a new golongan is refused, unless it restates
    the date the present one holds from (``start``: the attendance's, as the row gives it)."""
    held = employee.golongan_since
    if since == held or (held is None and since <= start):
        return None
    return _(
        "the golongan is unchanged, %(golongan)s since %(since)s: a promotion's date is given "
        "with its new golongan"
    ) % {"golongan": employee.golongan, "since": f"{held or start:%d-%m-%Y}"}


def employee_promote(employee: Employee, *, golongan: str, since: date) -> None:
    """Give ``employee`` (as stored) ``golongan`` from ``since``; the caller saves.

    The golongan held until then is kept for the months before. A ``since`` on the first day
    of attendance (or before the present golongan's first month) corrects the golongan of
    every month instead: a typing error, not a promotion.
    """
    if since > (employee.golongan_since or employee.start):
        EarlierGolongan.objects.update_or_create(
            employee=employee,
            until=since - timedelta(days=1),
            defaults={"golongan": employee.golongan},
        )
        employee.golongan_since = since
    employee.golongan = golongan


def golongan_state(employee: Employee) -> dict[str, Any]:
    """What an audit row keeps of an employee's golongan."""
    return {
        "golongan": employee.golongan,
        "golongan_since": employee.golongan_since.isoformat() if employee.golongan_since else None,
    }
