"""Monitoring pages: an employee's month (calendar, recap, discipline), a unit's recap with
filters, sorting, discipline list, charts and exports, and period closing."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator
from datetime import MAXYEAR, MINYEAR, date, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hadir.common.access import (
    MANAGE_ROLES,
    READ_ROLES,
    access_employee,
    access_unit,
    can_manage_employee,
    is_admin,
    units_in_scope,
)
from hadir.common.audit import read_by_a_person
from hadir.common.i18n import current_lang
from hadir.common.templatetags.terms import sanction as sanction_label
from hadir.org.models import Employee, Unit
from hadir.recap.charts import Bar, bar_chart, bar_list
from hadir.recap.evaluation import reasons_text
from hadir.recap.exports_jobs import EXPORT_INLINE_LIMIT, export_audit, export_job_start
from hadir.recap.forms import SanctionForm
from hadir.recap.models import EmployeeDay, ExportJob, PeriodClose, SanctionDecision
from hadir.recap.periods import (
    PeriodClosed,
    close_allowed_from,
    closed_period,
    closing_of,
    period_close,
    period_reopen,
)
from hadir.recap.reports import (
    CONTENT_TYPES,
    FORMATS,
    Report,
    frozen_of,
    live_recaps,
    render_report,
    report_rows,
)
from hadir.recap.sanctions import SanctionRefused, sanction_decide, sanction_revoke
from hadir.recap.selectors import (
    EmployeeMonth,
    month_bounds,
    month_members,
    recap_month,
    sanctions_decided,
)
from hadir.recap.tallies import mask_days
from hadir.rules.explain import render as render_reasons
from hadir.rules.nip import compact_nip
from hadir.rules.policy import SANCTION_IDS
from hadir.schedules import cache


def _gravest_first(row: dict[str, Any]) -> tuple[int, int]:
    """A discipline row's place: the heaviest sanction first (a dismissal proposed for a run of
    TK before a TUKIN cut with more days), then the most days not at work."""
    held = row["discipline"]["sanction"]
    rank = SANCTION_IDS.index(held) + 1 if held in SANCTION_IDS else 0
    return -rank, -row["discipline"]["days_not_at_work"]


def _sanction_months(month: date) -> dict[str, int]:
    """How long each sanction of the month's ladder lasts, by id (the pages name a TUKIN cut
    with its months)."""
    return {rung.id: rung.months for rung in cache.policy(month_bounds(month)[1]).ladder}


SORT_KEYS = {
    "nama": lambda r: r["name"].casefold(),  # "dr. Hana" among the D's, not after "Zainal"
    "nip": lambda r: r["nip"],
    "tk": lambda r: -r["absent_days"],
    "tl": lambda r: -r["late"]["minutes"],
    "psw": lambda r: -r["early"]["minutes"],
    "tukin": lambda r: -float(r["tukin_deduction_percent"]),
    "disiplin": _gravest_first,
}


def _month(request: HttpRequest, unit: Unit) -> date:
    """The month asked for (``?bulan=YYYY-MM``), else the current one where ``unit``'s clock
    stands (just after midnight in WIT it is already the next month in Papua, not in Jakarta).
    The calendar's first and last years are refused: the page steps a month either side."""
    try:
        asked = date.fromisoformat(f"{request.GET.get('bulan', '')}-01")
    except ValueError:
        asked = None
    if asked is not None and MINYEAR < asked.year < MAXYEAR:
        return asked
    return timezone.localdate(timezone=ZoneInfo(unit.timezone)).replace(day=1)


@login_required
def my_month(request: HttpRequest) -> HttpResponse:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return _employee_month(request, employee)


@login_required
def employee_month(request: HttpRequest, employee_id: int) -> HttpResponse:
    """Drill-down: any employee in the viewer's scope (or themself)."""
    return _employee_month(request, access_employee(request.user, employee_id, READ_ROLES))


def _employee_month(
    request: HttpRequest, employee: Employee, sanction_form: SanctionForm | None = None
) -> HttpResponse:
    month = _month(request, employee.unit)
    one = Employee.objects.filter(pk=employee.pk)
    recap = next(iter(recap_month(employees=one, month=month, days=True)), None)
    live = recap.as_dict() if recap else None
    first, last = month_bounds(month)
    days: dict[date, Any] = {d.day: d for d in recap.days} if recap else {}
    closing = closing_of(employee, recap.unit if recap else employee.unit, month)
    figures, changed = live, False
    if closing is not None:
        # As on the unit's page and in the signed exports: the figures frozen at closing.
        figures = next((r for r in closing.snapshot if r["nip"] == employee.nip), None)
        days = _frozen_days(closing.daily_snapshot, employee.nip)
        changed = figures is not None and live is not None and _figures(figures) != _figures(live)
    stored = {
        row.date: row
        for row in EmployeeDay.objects.filter(employee=employee, date__range=(first, last)).only(
            "date", "status", "reasons"
        )
    }
    lang = current_lang()
    today = employee.unit.today()
    weeks = []
    for week in calendar.Calendar().monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            in_month = day.month == first.month
            reasons = reasons_text(stored[day].reasons, lang) if day in stored else []
            row = days.get(day) if in_month else None
            now: list[str] = []
            if (
                closing is not None
                and row
                and day in stored
                and stored[day].status != row["status"]
            ):
                # Changed after the closing (by an admin): its reasons are today's, not the
                # frozen status's, and are shown as such.
                now, reasons = reasons, []
            cells.append(
                {
                    "date": day,
                    "in_month": in_month,
                    "row": row,
                    "reasons": reasons,
                    "now": now,
                    "today": day == today,
                    "attending": employee.attends_on(day),
                }
            )
        weeks.append(cells)
    explained = None if changed else recap
    return render(
        request,
        "recap/employee_month.html",
        {
            "employee": employee,
            "month": first,
            "previous": (first - timedelta(days=1)).replace(day=1),
            "next": last + timedelta(days=1),
            "weeks": weeks,
            "unit": recap.unit if recap else employee.unit,  # the month's, as its figures are
            "window_end": cache.policy(today).window_end,
            "sanction_months": _sanction_months(first),
            "recap": figures,
            "closing": closing,
            "now": live if changed else None,
            "month_reasons": render_reasons(explained.summary.reasons, lang) if explained else [],
            "year_reasons": render_reasons(explained.year.reasons, lang) if explained else [],
            **_sanctions(request, employee, first, live, sanction_form),
        },
    )


def _sanctions(
    request: HttpRequest,
    employee: Employee,
    month: date,
    live: dict[str, Any] | None,
    form: SanctionForm | None,
) -> dict[str, Any]:
    """The employee's decided sanctions, and for whoever manages them the form to record one,
    the ladder's proposal of the month chosen and the next month filled in."""
    manages = can_manage_employee(request.user, employee)
    if manages and form is None:
        proposed = (live or {}).get("discipline", {}).get("sanction")
        next_month = (month_bounds(month)[1] + timedelta(days=1)).replace(day=1)
        form = SanctionForm(
            labels=_sanction_labels(month),
            initial={"sanction": proposed, "first_month": next_month, "for_year": month.year},
        )
    return {
        "decisions": [  # each named with the months it was decided for
            (decision, sanction_label(decision.sanction, {decision.sanction: decision.months}))
            for decision in employee.sanctions.select_related("revoked_by")
        ],
        "sanction_form": form if manages else None,
    }


@login_required
@require_POST
def sanction_decide_view(request: HttpRequest, employee_id: int) -> HttpResponse:
    """Record a decree from the employee's month page; a refusal comes back with the form as
    it was filled in and the reason under its field."""
    employee = _managed(request, employee_id)
    month = _month(request, employee.unit)
    form = SanctionForm(request.POST, labels=_sanction_labels(month))
    if form.is_valid():
        try:
            sanction_decide(actor=request.user, employee=employee, **form.cleaned_data)
        except SanctionRefused as refused:
            form.add_error(refused.field or None, str(refused))
        else:
            messages.success(request, _("The sanction decision is recorded."))
            return redirect(f"{request.path.rsplit('/sanksi/', 1)[0]}/?bulan={month:%Y-%m}")
    return _employee_month(request, employee, form)


@login_required
@require_POST
def sanction_revoke_view(request: HttpRequest, employee_id: int, decision_id: int) -> HttpResponse:
    employee = _managed(request, employee_id)
    decision = get_object_or_404(SanctionDecision, pk=decision_id, employee=employee)
    try:
        sanction_revoke(actor=request.user, decision=decision)
        messages.success(request, _("The sanction decision is revoked."))
    except SanctionRefused as refused:
        messages.error(request, str(refused))
    month = _month(request, employee.unit)
    return redirect(f"{request.path.rsplit('/sanksi/', 1)[0]}/?bulan={month:%Y-%m}")


def _sanction_labels(month: date) -> dict[str, str]:
    """Each rung of the month's ladder by its name and months, for the form's choices."""
    months = _sanction_months(month)
    return {code: sanction_label(code, months) for code in SANCTION_IDS}


def _managed(request: HttpRequest, employee_id: int) -> Employee:
    """An employee the user may record sanctions of; otherwise not found."""
    employee = access_employee(request.user, employee_id, READ_ROLES)
    if not can_manage_employee(request.user, employee):
        raise Http404
    return employee


def _frozen_days(rows: list[dict[str, Any]], nip: str) -> dict[date, dict[str, Any]]:
    """An employee's days as a closing froze them, shaped as the calendar reads a day."""
    return {
        date.fromisoformat(row["date"]): {
            "status": row["status"],
            "tl_class": row["late_class"],
            "psw_class": row["early_class"],
        }
        for row in rows
        if row["nip"] == nip
    }


def _figures(row: dict[str, Any]) -> tuple[Any, ...]:
    """What a recap row says in money and discipline (to tell a changed closed month)."""
    return (
        row["tukin_deduction_percent"],
        row["absent_days"],
        row["meal_allowance"],
        row["discipline"],
        row["late"],
        row["early"],
    )


@login_required
def unit_month(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's recap: every employee, filters, sorting, discipline list, charts, exports."""
    unit = access_unit(request.user, unit_id, READ_ROLES)
    month = _month(request, unit)
    employees = month_members(unit, month)
    # What a closing froze shows as it was frozen, like the exports: the table and the charts.
    frozen = frozen_of(unit, month)
    recaps = live_recaps(employees=employees, month=month, frozen=frozen)
    # A row opens the person's own month where the reader may see them: the unit's present
    # people (someone moved away since is listed in the month lived here, not opened from here).
    present = Employee.objects.filter(unit__path__startswith=unit.path)
    ids = dict(present.values_list("nip", "pk")) if frozen.rows else {}
    rows = [row | {"id": ids.get(row["nip"])} for row in frozen.rows] + [
        r.as_dict() | {"id": r.employee.pk if r.employee.unit.path.startswith(unit.path) else None}
        for r in recaps
    ]
    closing = frozen.closing
    query = request.GET.get("q", "").strip().lower()[:50]
    digits = compact_nip(query)  # a NIP as printed: 19850312 201001 1 003
    only = request.GET.get("tampil", "")
    shown = [
        r
        for r in rows
        if (
            not query
            or query in r["name"].lower()
            or (digits.isdigit() and r["nip"].startswith(digits))
        )
        and (only != "sanksi" or r["discipline"]["sanction"])
        and (only != "tk" or r["absent_days"])
        and (only != "terlambat" or r["late"]["minutes"])
    ]
    sort = request.GET.get("urut", "nama")
    shown.sort(key=SORT_KEYS.get(sort, SORT_KEYS["nama"]))
    page = Paginator(shown, 100).get_page(request.GET.get("page"))
    discipline = _discipline_list(rows)
    return render(
        request,
        "recap/unit_month.html",
        {
            "unit": unit,
            "month": month,
            "page": page,
            "total": len(rows),
            "query": query,
            "only": only,
            "sort": sort,
            "discipline": _decided(discipline[:DISCIPLINE_SHOWN], month),
            "discipline_more": max(len(discipline) - DISCIPLINE_SHOWN, 0),
            "charts": _charts([*_live_marks(recaps), *_frozen_marks(frozen.daily)], month),
            "formats": FORMATS,
            "closing": closing,
            "can_close": closing is None
            and units_in_scope(request.user, MANAGE_ROLES).filter(pk=unit.pk).exists(),
            "close_from": close_allowed_from(month),
            "sanction_months": _sanction_months(month),
            # Reopened where it was closed: a KUA's page would reopen its whole Kankemenag.
            "can_reopen": closing is not None
            and closing.unit_id == unit.pk
            and is_admin(request.user),
            "totals": _totals(rows),
        },
    )


DISCIPLINE_SHOWN = 200
"""Rows of the discipline list on the page; the rest are counted, and the table sorted by days
not at work lists them."""


def _discipline_list(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who has reached a sanction, or is one day from the next one."""
    listed = [
        r
        for r in rows
        if r["discipline"]["sanction"]
        or (r["discipline"]["next_threshold"] or {}).get("days_left") == 1
        or (r["discipline"].get("streak_threshold") or {}).get("days_left") == 1
    ]
    return sorted(listed, key=_gravest_first)


def _decided(listed: list[dict[str, Any]], month: date) -> list[dict[str, Any]]:
    """The discipline rows, each with the sanction decided for it this year (``decided``, a
    label with its decree) beside what the ladder proposes: a proposal long decided is not
    still waiting for someone."""
    decisions = sanctions_decided((r["nip"] for r in listed), month)
    return [
        r | {"decided": f"{sanction_label(d.sanction, {d.sanction: d.months})} · SK {d.decree}"}
        if (d := decisions.get(r["nip"]))
        else r
        for r in listed
    ]


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "gross": sum(r["meal_allowance"]["gross"] for r in rows),
        "tax": sum(r["meal_allowance"]["tax"] for r in rows),
        "net": sum(r["meal_allowance"]["net"] for r in rows),
        "tk": sum(r["absent_days"] for r in rows),
    }


Marks = tuple[str, list[int], list[int]]
"""One employee's unit name, and the days of the month they were late and TK."""


def _live_marks(recaps: list[EmployeeMonth]) -> Iterator[Marks]:
    for recap in recaps:
        yield recap.unit.name, mask_days(recap.late_mask), mask_days(recap.absent_mask)


def _frozen_marks(daily: list[dict[str, Any]]) -> Iterator[Marks]:
    """The marks of frozen daily rows (one per employee-day, in NIP order), under the names
    their units have now."""
    names = dict(
        Unit.objects.filter(code__in={row["unit"] for row in daily}).values_list("code", "name")
    )
    for _nip, days in groupby(daily, key=itemgetter("nip")):
        rows = list(days)
        yield (
            names.get(rows[0]["unit"], rows[0]["unit"]),
            [int(row["date"][8:]) for row in rows if row["late_class"]],
            [int(row["date"][8:]) for row in rows if row["status"] == "TK"],
        )


def _charts(marks: list[Marks], month: date) -> dict[str, str]:
    late: Counter[int] = Counter()
    absent: Counter[int] = Counter()
    by_unit_late: Counter[str] = Counter()
    by_unit_absent: Counter[str] = Counter()
    for unit_name, late_days, absent_days in marks:
        late.update(late_days)
        absent.update(absent_days)
        by_unit_late[unit_name] += len(late_days)
        by_unit_absent[unit_name] += len(absent_days)
    days = range(1, month_bounds(month)[1].day + 1)
    return {
        "late_by_day": bar_chart(
            [Bar(str(d), late[d]) for d in days], title=_("Late check-ins per day")
        ),
        "absent_by_day": bar_chart(
            [Bar(str(d), absent[d]) for d in days], title=_("TK per day"), colour="#c62828"
        ),
        "late_by_unit": bar_list(
            [Bar(name, n) for name, n in by_unit_late.most_common(15)],
            title=_("Late check-ins per unit"),
        ),
        "absent_by_unit": bar_list(
            [Bar(name, n) for name, n in by_unit_absent.most_common(15)],
            title=_("TK per unit"),
            colour="#c62828",
        ),
    }


@login_required
@require_POST
def unit_export(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Download now for a small unit; a background job with progress for a big one."""
    unit = access_unit(request.user, unit_id, READ_ROLES)
    month = _month(request, unit)
    fmt = request.POST.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    daily = request.POST.get("daily") == "1"
    employees = month_members(unit, month)
    if employees.count() > EXPORT_INLINE_LIMIT:
        job = export_job_start(user=request.user, unit=unit, month=month, fmt=fmt, daily=daily)
        return redirect("recap:export_job", job.pk)
    data = render_report(
        Report(
            rows=report_rows(employees=employees, month=month, daily=daily, unit=unit),
            daily=daily,
            unit=unit,
            month=month,
        ),
        fmt,
    )
    export_audit(actor=request.user, unit=unit, month=month, fmt=fmt, daily=daily)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{_export_name(unit, month, fmt, daily)}"'
    )
    return response


def _export_name(unit: Unit, month: date, fmt: str, daily: bool) -> str:
    return f"rekap-{'harian-' if daily else ''}{unit.code}-{month:%Y-%m}.{fmt}"


@login_required
def export_job(request: HttpRequest, job_id: int) -> HttpResponse | FileResponse:
    job = get_object_or_404(ExportJob, pk=job_id, user_id=request.user.pk)
    access_unit(request.user, job.unit_id, READ_ROLES)  # as long as the unit is theirs to see
    outdated = job.state == ExportJob.State.DONE and _closed_since(job)
    if request.GET.get("unduh") and job.state == ExportJob.State.DONE and not outdated:
        if not default_storage.exists(job.stored_name):
            raise Http404
        if not read_by_a_person(request):  # a HEAD or a prefetch: no file, nothing recorded
            return HttpResponse(status=204)
        export_audit(
            actor=request.user,
            unit=job.unit,
            month=job.month,
            fmt=job.format,
            daily=job.daily,
            job=job,
        )
        return FileResponse(
            default_storage.open(job.stored_name, "rb"),
            as_attachment=True,
            filename=_export_name(job.unit, job.month, job.format, job.daily),
        )
    return render(request, "recap/export_job.html", {"job": job, "outdated": outdated})


def _closed_since(job: ExportJob) -> bool:
    """Whether the job's month was closed or reopened, for its unit, above or below it, after
    the file was made: the file would no longer be the figures that stand (a signed month's
    or a reopened one's)."""
    unit = job.unit
    changed = Q(closed_at__gt=job.created_at) | Q(reopened_at__gt=job.created_at)
    near = Q(unit_id__in=unit.ancestor_ids) | Q(unit__path__startswith=unit.path)
    return PeriodClose.history.filter(near, changed, month=job.month).exists()


@login_required
@require_POST
def close(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id, READ_ROLES)
    month = _month(request, unit)
    try:
        if request.POST.get("action") == "reopen":
            closing = closed_period(unit, month)
            if closing is None:
                raise Http404
            if closing.unit_id != unit.pk:
                raise PeriodClosed(
                    _("%(unit)s closed this month for every unit under it: reopen it there.")
                    % {"unit": closing.unit.name}
                )
            period_reopen(actor=request.user, closing=closing)
            messages.success(request, _("The month was reopened."))
        else:
            period_close(actor=request.user, unit=unit, month=month)
            messages.success(request, _("The month is closed; its recap is frozen."))
    except PeriodClosed as refused:
        messages.error(request, str(refused))
    return redirect(f"{request.path.rsplit('/tutup/', 1)[0]}/?bulan={month:%Y-%m}")
