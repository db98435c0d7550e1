"""Pages of "Laporan": the lists, Laporan Baru, a request, its evidence, the verification
queue, gaps (pengelolaan mandiri) and notifications."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from hadir.common.access import (
    VERIFY_ROLES,
    access_request,
    can_decide,
    has_any_role,
    requests_to_verify,
    typed_id,
)
from hadir.common.audit import read_by_a_person
from hadir.common.i18n import current_lang
from hadir.presence.selectors import Attempts, attempts_within
from hadir.recap.services import still_lived
from hadir.requests.evidence import (
    evidence_keep,
    evidence_kept,
    evidence_release,
    evidence_token,
)
from hadir.requests.forms import DecisionForm, RequestForm, category_of_text
from hadir.requests.models import Category, Evidence, Notification, Request, Status
from hadir.requests.selectors import (
    days_around,
    gaps,
    month_days,
    my_requests,
    verification_queue,
)
from hadir.requests.services import (
    NewRequest,
    RequestRefused,
    can_cancel,
    leave_taken,
    request_decide,
    request_submit,
    request_withdraw,
    requests_decide_bulk,
    year_policy,
)
from hadir.rules.day import DayResult
from hadir.rules.explain import render as render_reasons
from hadir.rules.leave import leave_balance
from hadir.schedules import cache

QUEUE_PAGE = 200


def _employee(request: HttpRequest):  # type: ignore[no-untyped-def]
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return employee


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Laporan: the employee's requests of one category and the Laporan Baru button."""
    employee = _employee(request)
    category = category_of_text(request.GET.get("kategori", ""))
    context: dict[str, object] = {
        "category": category,
        "categories": Category.choices,
        "requests": my_requests(employee, category)[:200],
    }
    if category == Category.KETIDAKHADIRAN:
        today = employee.unit.today()
        context["leave"] = leave_balance(
            today.year, leave_taken(employee), employee.start.year, year_policy
        )
    return render(request, "requests/index.html", context)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Laporan Baru: the form, pre-filled from a gap when the link carries its data.

    A letter that passed its check is kept when the form is refused for another reason (a
    session forgotten, dates that overlap): the page carries a signed token for it, and the
    form sent again with that token needs no letter (:func:`evidence_keep`)."""
    employee = _employee(request)
    category = category_of_text(request.GET.get("kategori", ""))
    policy = cache.policy(timezone.localdate())
    initial = {
        key: request.GET.get(key)
        for key in ("code", "start", "end", "session")
        if request.GET.get(key)
    }
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        category=category,
        max_kb=policy.evidence_max_kb,
        initial=initial,
        kept=evidence_kept(request.POST.get("letter_token", ""), user=request.user)
        if request.method == "POST"
        else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = _letter_of(form, request)
        # A kept letter a request already took: this form made it, and is sent again.
        sent_before = not form.content and Request.objects.filter(evidence=evidence).exists()
        try:
            created = request_submit(
                actor=request.user,
                employee=employee,
                new=NewRequest(
                    code=data["code"],
                    start=data["start"],
                    end=data["end"],
                    session=data["session"],
                    reason=data["reason"],
                ),
                evidence=evidence,
            )
        except RequestRefused as refused:
            form.add_error(None, str(refused))
            form.keep(evidence)
        else:
            uploaded_again = created.evidence_id != evidence.pk  # kept once: the first one
            if uploaded_again:
                evidence_release(evidence)
            sent = (
                _("Already sent earlier. Your reference number is %(reference)s.")
                if sent_before or uploaded_again
                else _("Sent. Your reference number is %(reference)s.")
            )
            messages.success(request, sent % {"reference": created.reference})
            return redirect("requests:detail", created.reference)
    elif request.method == "POST" and form.content and "letter" not in form.errors:
        form.keep(_letter_of(form, request))  # the letter was fine, something else was not
    return render(
        request,
        "requests/new.html",
        {
            "form": form,
            "category": category,
            "category_label": Category(category).label,
            "letter_token": evidence_token(form.kept) if form.kept else "",
        },
    )


def _letter_of(form: RequestForm, request: HttpRequest) -> Evidence:
    """The form's letter: the one just uploaded and checked (stored, and a letter it replaces
    removed), else the one kept from the form's earlier sending."""
    if not form.content:
        assert form.kept is not None  # the letter field is required without one
        return form.kept
    if form.kept is not None:
        evidence_release(form.kept)
    return evidence_keep(
        content=form.content, original_name=form.cleaned_data["letter"].name, user=request.user
    )


@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = access_request(request.user, reference)
    return render(
        request,
        "requests/detail.html",
        {
            "item": item,
            "own": item.employee.user_id == request.user.pk,
            "can_withdraw": item.employee.user_id == request.user.pk
            and (item.status in (Status.DRAFT, Status.SUBMITTED) or can_cancel(item)),
            "can_decide": item.status == Status.SUBMITTED and can_decide(request.user, item),
            "days": days_around([item], current_lang())[item.pk],
            "attempts": attempts_of([item])[item.pk],
            "form": DecisionForm(),
        },
    )


def attempts_of(items: list[Request]) -> dict[int, Attempts]:
    """Each request's check-in attempts on its dates: what the machine and the app saw."""
    return attempts_within({item.pk: (item.employee, item.start, item.end) for item in items})


def _days(days: list[DayResult], open_day: date | None) -> list[dict[str, object]]:
    """Live-evaluated days with their explanations, in the shape of the days table;
    ``open_day`` (today, until its presensi window closes) is shown as not over."""
    lang = current_lang()
    return [
        {"day": d, "reasons": render_reasons(d.reasons, lang), "open": d.day == open_day}
        for d in days
    ]


@login_required
@xframe_options_sameorigin  # the request page and the queue show the letter in a frame
def evidence(request: HttpRequest, reference: str) -> FileResponse:
    """The letter, to the owner, their verifiers and admins only (others: not found)."""
    item = access_request(request.user, reference)
    if item.evidence is None or not default_storage.exists(item.evidence.stored_name):
        raise Http404
    response = FileResponse(
        default_storage.open(item.evidence.stored_name, "rb"), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{item.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_POST
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    item = access_request(request.user, reference)
    try:
        request_withdraw(actor=request.user, request=item)
        messages.success(
            request,
            _("The request was cancelled: its days are back.")
            if item.status == Status.APPROVED
            else _("The request was withdrawn."),
        )
    except (RequestRefused, ValueError) as refused:
        messages.error(request, str(refused))
    return redirect("requests:detail", reference)


@login_required
@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    item = access_request(request.user, reference)
    note = _decision_note(request)
    if note is not None:
        try:
            request_decide(
                actor=request.user,
                request=item,
                approve=request.POST.get("decision") == "approve",
                note=note,
            )
            messages.success(request, _("Decision saved."))
        except (RequestRefused, ValueError) as refused:
            messages.error(request, str(refused))
    if request.POST.get("next") == "detail":
        return redirect("requests:detail", reference)
    return redirect("requests:queue")


def _decision_note(request: HttpRequest) -> str | None:
    """The verifier's note, or None after saying why it cannot be taken (too long, a NUL):
    nothing is decided then, rather than a note cut short."""
    form = DecisionForm(request.POST)
    if form.is_valid():
        note: str = form.cleaned_data["note"]
        return note
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, _("Note: %(error)s") % {"error": error})
    return None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Verifikasi: requests of the verifier's units, oldest first; decide one by one or in bulk."""
    if not has_any_role(request.user, VERIFY_ROLES):
        raise Http404
    if request.method != "POST":
        return _queue_page(request)
    ids = [pk for pk in map(typed_id, request.POST.getlist("chosen")) if pk is not None]
    typed = request.POST.get("note", "").replace("\x00", "")  # shown again as typed
    note = _decision_note(request)
    if note is None:
        return _queue_page(request, typed, set(ids))
    # Decided or withdrawn since the queue was shown, too: the service names each one.
    chosen = list(requests_to_verify(request.user).filter(pk__in=ids))
    if not chosen:
        messages.error(request, _("Choose at least one request."))
        return _queue_page(request, typed)
    approve = request.POST.get("decision") == "approve"
    done, refused = requests_decide_bulk(
        actor=request.user, requests=chosen, approve=approve, note=note
    )
    if done:
        messages.success(request, _("%(count)s requests decided.") % {"count": len(done)})
    for item, reason in refused:
        messages.error(request, f"{item.reference}: {reason}")
    if refused:
        # The verifier fixes what was refused (a note to reject, say) without typing it again.
        return _queue_page(request, typed, {item.pk for item, _reason in refused})
    return redirect(request.get_full_path())  # the page the verifier was on


def _queue_page(
    request: HttpRequest, note: str = "", ticked: set[int] | None = None
) -> HttpResponse:
    """The queue, with a refused bulk decision's note and ticks kept as they were sent."""
    page = Paginator(verification_queue(user=request.user), QUEUE_PAGE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    around, attempts = days_around(items, current_lang()), attempts_of(items)
    return render(
        request,
        "requests/queue.html",
        {
            "items": [(item, around[item.pk], attempts[item.pk]) for item in items],
            "total": page.paginator.count,
            "page": page,
            "note": note,
            "ticked": ticked or set(),
        },
    )


@login_required
def gaps_page(request: HttpRequest) -> HttpResponse:
    """Pengelolaan mandiri: the open period's days and the gaps, each with its request."""
    employee = _employee(request)
    today = employee.unit.today()
    days = month_days(employee, today)
    start = days[0].day if days else today
    return render(
        request,
        "requests/gaps.html",
        {
            "gaps": gaps(employee, today, days),
            "days": _days(days, today if still_lived(employee.unit, today) else None),
            "start": start,
            "today": today,
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user_id: int = request.user.pk or 0
    # Unread first (the bell counts them), newest first within each.
    mine = Notification.objects.filter(user_id=user_id)
    unread_first = Case(When(read_at__isnull=True, then=0), default=1)
    items = list(mine.order_by(unread_first, "-created_at", "-pk")[:100])
    if read_by_a_person(request):
        # Those shown only: a hundred read leaves the older unread ones counted by the bell.
        Notification.objects.filter(
            pk__in=[n.pk for n in items if n.read_at is None], read_at__isnull=True
        ).update(read_at=timezone.now())
    return render(request, "requests/notifications.html", {"items": items})
