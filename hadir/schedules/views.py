"""Operators' calendar page: a unit's holidays for a year, with local additions and drops."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.common.access import MANAGE_ROLES, READ_ROLES, access_unit, units_in_scope
from hadir.recap.periods import PeriodClosed
from hadir.schedules.forms import HolidayForm
from hadir.schedules.selectors import holiday_calendar
from hadir.schedules.services import NotAHoliday, holiday_add, holiday_drop


@login_required
def unit_holidays(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id, READ_ROLES)
    can_manage = units_in_scope(request.user, MANAGE_ROLES).filter(pk=unit.pk).exists()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        access_unit(request.user, unit_id, MANAGE_ROLES)
        if form.is_valid():
            day = form.cleaned_data["date"]
            try:
                if request.POST.get("action") == "drop":
                    holiday_drop(unit=unit, day=day, actor=request.user)
                    messages.success(
                        request,
                        _("%(date)s is now a working day for this unit.")
                        % {"date": f"{day:%d-%m-%Y}"},
                    )
                elif form.cleaned_data["name"]:
                    holiday_add(
                        unit=unit, day=day, name=form.cleaned_data["name"], actor=request.user
                    )
                    messages.success(request, _("Holiday added."))
                else:
                    form.add_error("name", _("Give the holiday a name."))
            except (PeriodClosed, NotAHoliday) as refused:
                form.add_error("date", str(refused))
            if form.is_valid():
                return redirect(f"{request.path}?year={day.year}")
    return render(
        request,
        "schedules/unit_holidays.html",
        {
            "unit": unit,
            "year": year,
            "days": holiday_calendar(unit, year),
            "form": form,
            "can_manage": can_manage,
        },
    )
