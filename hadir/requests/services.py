"""Writes of requests: create and submit, decide, withdraw, import; each audited.

Deciding or withdrawing re-evaluates exactly the employee-days the request covers, in the same
transaction, so the calendar and the recap change at once. Mail goes out after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hadir.common.access import can_decide
from hadir.common.audit import audit_record
from hadir.common.locks import lock_employees
from hadir.org.models import Employee, Role, RoleAssignment
from hadir.org.placements import employee_stints
from hadir.recap.evaluation import evaluate_dates
from hadir.recap.services import days_refresh
from hadir.requests.models import (
    CATEGORY_OF,
    REFERENCE_PREFIX,
    WAIVER_CODES,
    Code,
    Evidence,
    Notification,
    ReferenceCounter,
    Request,
    Status,
    notice_text,
)
from hadir.requests.workflow import next_status
from hadir.rules.leave import leave_balance
from hadir.rules.policy import Policy
from hadir.schedules import cache


class RequestRefused(ValueError):
    """The request cannot be made or decided; ``str()`` says why, for the user, and ``field``
    names what is wrong (``code``, ``start``, ``end``, ``session``; blank when nothing one
    field can fix), so an import can point at the column."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


SUBMITTED = gettext_noop(
    "New request %(reference)s from %(name)s (%(code)s, %(start)s–%(end)s) to verify."
)
DECIDED = gettext_noop("Your request %(reference)s was %(status)s.")
DECIDED_WITH_NOTE = gettext_noop("Your request %(reference)s was %(status)s. Note: %(note)s")
CANCELLED = gettext_noop(
    "%(name)s cancelled the approved request %(reference)s (%(code)s, %(start)s–%(end)s)."
)


@dataclass(frozen=True)
class NewRequest:
    """What an employee (or an operator's import) asks for."""

    code: str
    start: date
    end: date
    session: str = ""
    reason: str = ""


def _guard(actor: Any, employee: Employee, start: date, end: date) -> None:
    """Closed months change only through an admin (DOMAIN.md §8, period closing); judged on
    the days the request can change (:func:`request_working_days`): a surat tugas whose
    journey starts on a closed month's Saturday is filed with the letter's own dates."""
    from hadir.recap.periods import PeriodClosed, period_guard

    try:
        period_guard(
            actor=actor, employee=employee, dates=request_working_days(employee, start, end)
        )
    except PeriodClosed as closed:
        raise RequestRefused(str(closed)) from None


def request_working_days(employee: Employee, start: date, end: date) -> list[date]:
    """The days from ``start`` to ``end`` a request can change: the working days of the
    employee's schedule, each in the unit and pattern it was lived in. On a day off an absence
    or a waiver changes nothing (DOMAIN.md §4.1, §4.5: LIBUR either way)."""
    return [
        day
        for stint in employee_stints(employee, start, end)
        for day in stint.dates()
        if cache.schedule(stint.unit, stint.pattern_code, day).working
    ]


def _snapshot(request: Request) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "code": request.code,
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
        "session": request.session,
        "status": request.status,
        "decision_note": request.decision_note,
    }


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def reference_next(category: str, year: int) -> str:
    """The next reference number (``PGD-2024-000123``); call inside a transaction."""
    prefix = REFERENCE_PREFIX[category]  # type: ignore[index]
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def request_validate(
    employee: Employee, new: NewRequest, *, exclude: Request | None = None
) -> None:
    """Refuse what cannot be asked, with the reason; balances and overlaps included."""
    if new.code not in Code.values:
        raise RequestRefused(_("Unknown request type %(code)s.") % {"code": new.code}, field="code")
    if new.end < new.start:
        raise RequestRefused(_("The end date is before the start date."), field="end")
    reach = request_reach_problem(new.start, new.end)
    if reach:
        raise RequestRefused(reach, field="end")
    if new.start < employee.start:
        raise RequestRefused(
            _("Attendance counts only from %(date)s.") % {"date": f"{employee.start:%d-%m-%Y}"},
            field="start",
        )
    if employee.end is not None and new.end > employee.end:
        raise RequestRefused(
            _("Attendance counts only until %(date)s.") % {"date": f"{employee.end:%d-%m-%Y}"},
            field="end",
        )
    if new.code in WAIVER_CODES:
        if new.start != new.end:
            raise RequestRefused(
                _("A complaint or izin covers one date; file one per date."), field="end"
            )
        if new.session not in {"PAGI", "SORE", "PAGI_SORE"}:
            raise RequestRefused(
                _("Choose the session: morning, afternoon or both."), field="session"
            )
        if new.code == Code.SISTEM_ERROR and new.start > employee.unit.today():
            # A sistem error is attested after it happened; approved ahead (a queue approved
            # in bulk), it would waive the lateness of a day not yet lived.
            raise RequestRefused(
                _("%(date)s is still to come: a sistem error is reported once it happened.")
                % {"date": f"{new.start:%d-%m-%Y}"},
                field="start",
            )
        (stint,) = employee_stints(employee, new.start, new.start)
        if not cache.schedule(stint.unit, stint.pattern_code, new.start).working:
            # A day off is LIBUR whatever is punched or excused (DOMAIN.md §4.1).
            raise RequestRefused(
                _("%(date)s is not a working day: there is nothing to excuse.")
                % {"date": f"{new.start:%d-%m-%Y}"},
                field="start",
            )
    elif new.session:
        raise RequestRefused(_("A full-day absence has no session."), field="session")
    elif not any(
        cache.schedule(stint.unit, stint.pattern_code, day).working
        for stint in employee_stints(employee, new.start, new.end)
        for day in stint.dates()
    ):
        # On a day off an absence changes nothing (DOMAIN.md §4.5), nor takes from a balance.
        raise RequestRefused(
            _("%(start)s to %(end)s holds no working day: there is nothing to excuse.")
            % {"start": f"{new.start:%d-%m-%Y}", "end": f"{new.end:%d-%m-%Y}"},
            field="start",
        )
    active = Request.objects.filter(
        employee=employee,
        status__in=[Status.SUBMITTED, Status.APPROVED],
        start__lte=new.end,
        end__gte=new.start,
    )
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    if new.code not in WAIVER_CODES and active.exclude(code__in=WAIVER_CODES).exists():
        raise RequestRefused(
            _("Another absence already covers some of these dates."), field="start"
        )
    if (
        new.code in WAIVER_CODES
        and active.filter(
            code__in=WAIVER_CODES, session__in=_sessions_overlapping(new.session)
        ).exists()
    ):
        # A second tap over a slow connection sends the same complaint again.
        raise RequestRefused(
            _("Another complaint or izin already covers this session of the date."),
            field="session",
        )
    if new.code == Code.CT:
        _check_leave_balance(employee, new, exclude)


def _sessions_overlapping(session: str) -> list[str]:
    """The sessions of which one excuses part of what ``session`` excuses."""
    if session == "PAGI_SORE":
        return ["PAGI", "SORE", "PAGI_SORE"]
    return [session, "PAGI_SORE"]


def calendar_years_ready(start: date, end: date) -> None:
    """Fill the calendar years a request reads (its own and the leave balance's next) before
    its transaction: filled inside it, a year's row stays uncommitted until the end, and any
    writer reading that year meanwhile waits for it while holding what this one may wait for
    (a reference counter): a deadlock."""
    from hadir.schedules.services import holiday_year_ensure

    if request_reach_problem(start, end):
        return  # refused anyway, without reading a century of calendars
    for year in range(start.year, end.year + 2):
        holiday_year_ensure(year)


def request_reach_problem(start: date, end: date) -> str:
    """Why a request from ``start`` to ``end`` reaches too far (the policy's years past its
    start, or past today: a mistyped year), or empty. Every day of an approved request is
    evaluated again: a century of them held a worker for minutes."""
    years = cache.policy(start).request_years_at_most
    today = timezone.localdate()
    if end > _years_after(start, years):
        return _("A request spans at most %(years)s years.") % {"years": years}
    if end > _years_after(today, years):
        return _("The end date is more than %(years)s years from today: check the year.") % {
            "years": years
        }
    return ""


def _years_after(day: date, years: int) -> date:
    """``day`` the given number of years later (29 February: the 28th); the last date at most."""
    if day.year + years > date.max.year:
        return date.max
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year + years)


def leave_working_days(employee: Employee, start: date, end: date) -> dict[int, int]:
    """Working days (per the employee's schedule, holidays excluded) by year in a range."""
    days: dict[int, int] = {}
    for day, result in evaluate_dates(employee, _dates(start, end)).items():
        if result.working:
            days[day.year] = days.get(day.year, 0) + 1
    return days


def leave_taken(employee: Employee, *, exclude: Request | None = None) -> dict[int, int]:
    """Working days of cuti tahunan taken or pending per year."""
    taken: dict[int, int] = {}
    requests = Request.objects.filter(
        employee=employee, code=Code.CT, status__in=[Status.SUBMITTED, Status.APPROVED]
    )
    if exclude is not None:
        requests = requests.exclude(pk=exclude.pk)
    # Every request's dates evaluated at once: a cuti taken a day at a time costs no more.
    dates = sorted({day for r in requests for day in _dates(r.start, r.end)})
    for day, result in evaluate_dates(employee, dates).items() if dates else ():
        if result.working:
            taken[day.year] = taken.get(day.year, 0) + 1
    return taken


def year_policy(year: int) -> Policy:
    """The leave figures ``year`` lived under: the policy in force on its first day (a
    ``leave.*`` change takes effect from a 1 January)."""
    return cache.policy(date(year, 1, 1))


def _check_leave_balance(employee: Employee, new: NewRequest, exclude: Request | None) -> None:
    """Refuse cuti tahunan past the balance of any year from the request's first on.

    The request's days count before any year is judged: its December days lower January's
    carry-over, and days it takes this year may leave a later year short of what is already
    booked there.
    """
    wanted = leave_working_days(employee, new.start, new.end)
    taken = leave_taken(employee, exclude=exclude)
    for year, count in wanted.items():
        taken[year] = taken.get(year, 0) + count
    for year in range(new.start.year, max(taken, default=new.start.year) + 1):
        balance = leave_balance(year, taken, employee.start.year, year_policy)
        if balance.taken <= balance.entitlement:
            continue
        if year in wanted:
            raise RequestRefused(
                _(
                    "Cuti tahunan %(year)s: %(wanted)s working days asked, %(remaining)s of %(entitlement)s left."
                )
                % {
                    "year": year,
                    "wanted": wanted[year],
                    "remaining": balance.entitlement - (balance.taken - wanted[year]),
                    "entitlement": balance.entitlement,
                },
                field="end",
            )
        raise RequestRefused(
            _(
                "Cuti tahunan %(year)s would fall short: %(booked)s working days are already asked"
                " for it, of the %(entitlement)s this cuti would leave it."
            )
            % {"year": year, "booked": balance.taken, "entitlement": balance.entitlement},
            field="end",
        )


def request_submit(
    *, actor: Any, employee: Employee, new: NewRequest, evidence: Evidence | None
) -> Request:
    """Create and submit a request in one step ("Kirim Pengaduan"); returns it with its number.
    The same form sent again (a second tap over a slow connection, its answer lost) returns the
    request it already made, still pending, rather than a refusal that hides its number."""
    if evidence is None:
        raise RequestRefused(_("Attach the letter as a PDF."))
    calendar_years_ready(new.start, new.end)
    with transaction.atomic():
        if new.start <= new.end and not request_reach_problem(new.start, new.end):
            _guard(actor, employee, new.start, new.end)  # first: as a close takes its locks
        # The employee's writers' lock, as the requests import takes it: the overlap and
        # leave-balance checks then see what a concurrent import records.
        lock_employees([employee.pk])
        Employee.objects.select_for_update(no_key=True).only("pk").get(pk=employee.pk)
        twin = _pending_twin(actor, employee, new, evidence)
        if twin is not None:
            return twin
        request_validate(employee, new)
        category = CATEGORY_OF[new.code]  # type: ignore[index]
        request = Request.objects.create(
            reference=reference_next(category, timezone.localdate().year),
            employee=employee,
            category=category,
            code=new.code,
            start=new.start,
            end=new.end,
            session=new.session,
            reason=new.reason,
            evidence=evidence,
            status=Status.DRAFT,
            created_by=actor,
        )
        request.status = next_status(request.status, "submit")
        request.submitted_at = timezone.now()
        request.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=actor,
            action="requests.submit",
            obj=request,
            summary=request.reference,
            after=_snapshot(request),
        )
        _notify_verifiers(request)
    return request


def _pending_twin(
    actor: Any, employee: Employee, new: NewRequest, evidence: Evidence
) -> Request | None:
    """The pending request ``actor`` already sent with these very fields and letter (by its
    content: the second sending uploads it again), if any."""
    return (
        Request.objects.filter(
            employee=employee,
            created_by=actor,
            status=Status.SUBMITTED,
            code=new.code,
            start=new.start,
            end=new.end,
            session=new.session,
            reason=new.reason,
            evidence__sha256=evidence.sha256,
        )
        .order_by("-pk")
        .first()
    )


def request_decide(*, actor: Any, request: Request, approve: bool, note: str = "") -> Request:
    """A verifier approves or rejects; approval re-evaluates the covered days at once."""
    with transaction.atomic():
        request = (
            Request.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
        )
        if not can_decide(actor, request):
            raise RequestRefused(_("You cannot decide this request."))
        if approve:  # only an approved request changes days; a rejection clears the queue
            _guard(actor, request.employee, request.start, request.end)
        if not approve and not note.strip():
            raise RequestRefused(_("Write a note saying why the request is rejected."))
        before = _snapshot(request)
        request.status = next_status(request.status, "approve" if approve else "reject")
        if approve:
            request_validate(request.employee, _as_new(request), exclude=request)
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note.strip()[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            days_refresh(
                employee=request.employee,
                dates=request_working_days(request.employee, request.start, request.end),
            )
        audit_record(
            actor=actor,
            action="requests.approve" if approve else "requests.reject",
            obj=request,
            summary=request.reference,
            before=before,
            after=_snapshot(request),
        )
        _notify_employee(request)
    return request


def request_withdraw(*, actor: Any, request: Request) -> Request:
    """The employee withdraws a request before its decision, or cancels an approved one before
    its first day (a cuti no longer needed gives its days back to the balance): the covered
    days are re-evaluated and the verifiers told."""
    with transaction.atomic():
        request = (
            Request.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
        )
        if request.employee.user_id != getattr(actor, "pk", None):
            raise RequestRefused(_("Only the employee who filed the request can withdraw it."))
        # What an operator imported is the record of a decision taken elsewhere: not hers.
        approved = request.status == Status.APPROVED and not request.imported
        if approved and not can_cancel(request):
            raise RequestRefused(
                _("An approved request can be cancelled only before its first day.")
            )
        if approved:
            _guard(actor, request.employee, request.start, request.end)
        before = _snapshot(request)
        request.status = next_status(request.status, "cancel" if approved else "withdraw")
        request.save(update_fields=["status"])
        if approved:
            days_refresh(
                employee=request.employee,
                dates=request_working_days(request.employee, request.start, request.end),
            )
        # Withdrawn before a decision: nothing it asked for was counted, no day changes (so a
        # month closed meanwhile does not keep it in the verifier's queue).
        audit_record(
            actor=actor,
            action="requests.cancel" if approved else "requests.withdraw",
            obj=request,
            summary=request.reference,
            before=before,
            after=_snapshot(request),
        )
        if approved:
            _notify_verifiers(request, CANCELLED)
        else:  # nothing is left to verify: the verifiers' unread "new request" goes quiet
            Notification.objects.filter(
                message=SUBMITTED, params__reference=request.reference, read_at__isnull=True
            ).update(read_at=timezone.now())
    return request


def can_cancel(request: Request) -> bool:
    """An approved request (filed here, not imported) not yet begun on the employee's clock:
    only then may its owner take it back (what has begun is on the record, and a closed month
    with it)."""
    return (
        request.status == Status.APPROVED
        and not request.imported
        and request.start > request.employee.unit.today()
    )


def requests_decide_bulk(
    *, actor: Any, requests: list[Request], approve: bool, note: str = ""
) -> tuple[list[Request], list[tuple[Request, str]]]:
    """Decide many at once; each is decided (or refused) on its own."""
    done: list[Request] = []
    refused: list[tuple[Request, str]] = []
    for request in requests:
        try:
            done.append(request_decide(actor=actor, request=request, approve=approve, note=note))
        except (RequestRefused, ValueError) as error:
            refused.append((request, str(error)))
    return done, refused


def _as_new(request: Request) -> NewRequest:
    return NewRequest(
        code=request.code,
        start=request.start,
        end=request.end,
        session=request.session,
        reason=request.reason,
    )


def _notify(user: Any, message: str, params: dict[str, str], url: str) -> None:
    """An in-app message now, shown in its reader's language; an e-mail after commit, in the
    site's language, whose failure is logged, never raised."""
    with translation.override(settings.LANGUAGE_CODE):
        text = notice_text(message, params)
    Notification.objects.create(user=user, text=text, message=message, params=params, url=url)
    if user.email:
        transaction.on_commit(
            lambda: send_mail(
                _mail_subject(text),
                f"{text}\n\n{settings.HADIR_SITE_URL.rstrip('/')}{url}",  # a link mail can open
                None,
                [user.email],
            ),
            robust=True,
        )


SUBJECT_AT_MOST = 100
"""Characters of a notification that head its e-mail (mail programs cut a longer subject)."""


def _mail_subject(text: str) -> str:
    """The notification after "Hadir: " on one line (a header holds no line break, and a
    verifier's note may have several), cut at a word if it is long, never mid-word."""
    text = " ".join(text.split())
    if len(text) > SUBJECT_AT_MOST:
        text = text[:SUBJECT_AT_MOST].rsplit(" ", 1)[0] + "…"
    return "Hadir: " + text


def _verifiers(employee: Employee) -> list[Any]:
    """The active verifiers over the employee's unit, each once (one may be assigned both to
    the unit and to a unit above it), never the employee."""
    assignments = (
        RoleAssignment.objects.in_force()
        .filter(role=Role.VERIFIER, unit_id__in=employee.unit.ancestor_ids)
        .select_related("user")
    )
    users = {a.user_id: a.user for a in assignments}
    return [u for pk, u in sorted(users.items()) if u.is_active and pk != employee.user_id]


def _notify_verifiers(request: Request, message: str = SUBMITTED) -> None:
    from django.urls import reverse

    params = {
        "reference": request.reference,
        "name": request.employee.name,
        "code": request.code,
        "start": str(request.start),
        "end": str(request.end),
    }
    # A new request waits in the queue; a cancelled one is read on its own page.
    url = (
        reverse("requests:queue")
        if message == SUBMITTED
        else reverse("requests:detail", args=[request.reference])
    )
    for user in _verifiers(request.employee):
        _notify(user, message, params, url)


def _notify_employee(request: Request) -> None:
    from django.urls import reverse

    user = request.employee.user
    if user is None:
        return
    params = {"reference": request.reference, "status": request.status}
    message = DECIDED
    if request.decision_note:
        params["note"] = request.decision_note
        message = DECIDED_WITH_NOTE
    _notify(user, message, params, reverse("requests:detail", args=[request.reference]))
