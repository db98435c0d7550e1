"""The phone page (an installable PWA): one big button, the map, the answer."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache as django_cache
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from hadir.common.access import (
    MANAGE_ROLES,
    READ_ROLES,
    access_employee_to_manage,
    access_machine,
    access_unit,
    employees_in_scope,
    machines_in_scope,
    units_in_scope,
)
from hadir.common.tables import TableRefused
from hadir.presence.forms import MachineForm, MachinePinsForm, PunchImportForm
from hadir.presence.imports import machine_pins_import, punches_import
from hadir.presence.selectors import live_summary
from hadir.presence.services import devices_reset, machine_register

LIVE_ROLES = READ_ROLES
LIVE_NAMES_AT_MOST = 500
"""Past this many employees the live view lists units, not names (a page a phone can load)."""


@login_required
def check_in_page(request: HttpRequest) -> HttpResponse:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    texts = {
        "locating": _("Finding your position…"),
        "noGeo": _("This browser cannot share its position. Allow location access and reload."),
        "denied": _("Location access was refused. Allow it in the browser settings to check in."),
        "noFix": _(
            "No GPS position yet. Step outside or near a window and wait a moment; the button"
            " turns on by itself."
        ),
        "reload": _("This page is out of date (you logged in again elsewhere). Reload it."),
        "replayed": _("Already answered at"),
        "newVersion": _("A new version of Hadir is ready: tap here to load it."),
        "inside": _("You are inside %(place)s (accuracy %(accuracy)s m)."),
        "outside": _("You are %(distance)s from %(place)s."),
        "sending": _("Sending…"),
        "retrying": _("Weak signal, sending again…"),
        "offline": _(
            "No connection: your presensi was NOT recorded. Turn on mobile data and tap again."
        ),
        "unanswered": _(
            "No answer from the server: your presensi may not have been recorded. Tap again"
            " when the signal is better; it will not be recorded twice."
        ),
        "todayFailed": _("Today's standing could not be loaded (no connection); trying again…"),
        "poorAccuracy": _(
            "The GPS accuracy (%(accuracy)s m) is poorer than the %(tolerance)s m that"
            " %(place)s allows. Wait in the open for a better position."
        ),
        "decimalMark": _("."),  # the decimal mark as the page's language writes it
        "located": _("Position found (accuracy %(accuracy)s m); loading your locations…"),
        "otherAccount": _(
            "This page belongs to another account than the one now logged in on this phone."
            " Reload it before you check in."
        ),
        "employee": str(employee.pk),
        "serverTime": _("Server time"),
        "standing": _("Today"),
        "noLocations": _("No check-in location is set for your unit."),
        "loggedOut": _("Your session has ended. Log in again, then check in."),
        "rejectedInput": _(
            "The server could not read this position. Reload the page and try again."
        ),
    }
    return render(request, "presence/check_in.html", {"employee": employee, "texts": texts})


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "Hadir — Presensi",
        "short_name": "Hadir",
        "start_url": "/presensi/",
        "scope": "/presensi/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1b5e20",
        # PNGs too: older Android browsers and launchers take no SVG (scripts/draw-icons).
        "icons": [
            {"src": static("hadir/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("hadir/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("hadir/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("hadir/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(body), content_type="application/manifest+json")


def _offline_page() -> str:
    """What the installed app shows when opened without signal: in Indonesian, then English
    (a service worker's own request may not carry the phone's language)."""
    said = []
    for language in ("id", "en"):
        with translation.override(language):
            said.append(
                {
                    "lang": language,
                    "title": _("Attendance"),
                    "text": _(
                        "No connection. Presensi needs the server's time, so it cannot be done"
                        " offline: try again when there is signal."
                    ),
                    "again": _("Try again"),
                }
            )
    return render_to_string("presence/offline.html", {"said": said})


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /presensi/ so its scope covers the page; caches the shell for weak signal."""
    shell = [
        static("vendor/pico/pico.min.css"),
        static("hadir/hadir.css"),
        static("hadir/checkin.js"),
        static("hadir/forms.js"),  # every page's (base.html)
        static("vendor/leaflet/leaflet.js"),
        static("vendor/leaflet/leaflet.css"),
    ]
    offline = _offline_page()
    context = {
        "shell": json.dumps(shell),
        "version": hashlib.sha256("|".join(shell).encode()).hexdigest()[:12],
        "offline": json.dumps(offline),
    }
    body = render(request, "presence/sw.js", context).content
    response = HttpResponse(body, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def live(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Pimpinan and operators: today in a unit, refreshing itself every minute."""
    unit = access_unit(request.user, unit_id, LIVE_ROLES)
    employees = employees_in_scope(request.user, LIVE_ROLES).filter(
        unit__path__startswith=unit.path
    )
    below = list(units_in_scope(request.user, LIVE_ROLES).filter(parent=unit).order_by("name"))
    now = timezone.now()
    # The language too: the summary holds the labels of the requests that excuse people.
    shared_key = f"presence:live:{unit.pk}:{now:%Y%m%d%H%M}:{translation.get_language()}"
    summary = django_cache.get(shared_key)
    if summary is None:
        summary = live_summary(
            unit=unit, employees=employees, below=below, now=now, names_at_most=LIVE_NAMES_AT_MOST
        )
        if summary.total > LIVE_NAMES_AT_MOST:
            django_cache.set(shared_key, summary, LIVE_SHARED_SECONDS)
    return render(request, "presence/live.html", {"unit": unit, "summary": summary})


LIVE_SHARED_SECONDS = 120
"""A board past a page of names (a Kankemenag, a Kanwil: seconds of a worker) is computed once
a minute and shared by everyone who has it open in that minute. Whoever may open a unit's
page sees the same board: scopes run down the tree, so the unit's whole subtree is theirs.
Smaller boards are computed at every request, so a check-in shows at once."""


@login_required
def punch_import(request: HttpRequest) -> HttpResponse:
    """Operators upload a fingerprint-machine log or a CSV; a bad file is refused whole."""
    units = units_in_scope(request.user, MANAGE_ROLES)
    if not units.exists():
        raise Http404
    form = PunchImportForm(
        request.POST or None, request.FILES or None, machines=machines_in_scope(request.user)
    )
    report = problems = None
    total = 0
    if request.method == "POST" and form.is_valid():
        report, problems, total = _imported(
            form.cleaned_data["file"],
            lambda path: punches_import(
                path=path,
                machine=form.cleaned_data["machine"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
                employees=employees_in_scope(request.user, MANAGE_ROLES),
            ),
        )
    return render(
        request,
        "presence/import.html",
        {"form": form, "report": report, "problems": problems, "total": total},
    )


@login_required
def machines(request: HttpRequest) -> HttpResponse:
    """The fingerprint machines of the operator's units, and registering a new one."""
    units = units_in_scope(request.user, MANAGE_ROLES)
    if not units.exists():
        raise Http404
    form = MachineForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            machine = machine_register(actor=request.user, **form.cleaned_data)
        except IntegrityError:  # a double-clicked form: the other request registered it
            form.validate_unique()  # finds it now, and says so on the field
        else:
            messages.success(
                request, _("Machine %(serial)s registered.") % {"serial": machine.serial}
            )
            return redirect("presence:machine", machine_id=machine.pk)
    listed = (
        machines_in_scope(request.user)
        .select_related("unit")
        .annotate(pin_count=Count("pins", filter=Q(pins__unmapped_at=None)))
        .order_by("unit__path", "name")
    )
    return render(request, "presence/machines.html", {"form": form, "machines": listed})


@login_required
def machine(request: HttpRequest, machine_id: int) -> HttpResponse:
    """One machine's PIN map, replaced whole by an uploaded file; a bad file changes nothing."""
    found = access_machine(request.user, machine_id)
    form = MachinePinsForm(request.POST or None, request.FILES or None)
    scope = employees_in_scope(request.user, MANAGE_ROLES)
    report = problems = None
    total = 0
    if request.method == "POST" and form.is_valid():
        report, problems, total = _imported(
            form.cleaned_data["file"],
            lambda path: machine_pins_import(
                path=path, machine=found, actor=request.user, employees=scope
            ),
        )
    mapped = found.pins.mapped()
    pins = mapped.filter(employee__in=scope).select_related("employee").order_by("pin")
    others = mapped.exclude(employee__in=scope).count()
    unmapped = found.pins.unmapped().count()
    return render(
        request,
        "presence/machine.html",
        {
            "machine": found,
            "pins": pins,
            "others": others,
            "unmapped": unmapped,
            "form": form,
            "report": report,
            "problems": problems,
            "total": total,
        },
    )


PROBLEMS_SHOWN = 500
"""How many of a refused file's problems the page lists (it says how many there are in all)."""


def _imported(upload: Any, run: Callable[[Path], Any]) -> tuple[Any, list[str] | None, int]:
    """``run`` an importer on the upload: its report, or the problems it refused the file for
    (the first :data:`PROBLEMS_SHOWN`, for the page), and how many problems there are."""
    with _uploaded(upload) as path:
        try:
            return run(path), None, 0
        except TableRefused as refused:
            shown = [str(p) for p in refused.problems[:PROBLEMS_SHOWN]]
            return None, shown, len(refused.problems)


def _short(name: str, most: int = 120) -> str:
    """``name`` cut to at most ``most`` bytes of UTF-8 (file systems count bytes, not
    characters), keeping its extension, which tells the importers the file's kind."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    suffix = suffix.encode()[:20].decode(errors="ignore")
    room = most - len(suffix.encode()) - len(dot)
    return stem.encode()[:room].decode(errors="ignore") + dot + suffix


@contextmanager
def _uploaded(upload: Any) -> Iterator[Path]:
    """The upload as a file under its own (sanitised) name, for the importers, which name it in
    their problems; removed afterwards."""
    safe_name = _short(Path(upload.name).name.replace("/", "_")) or "upload.txt"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe_name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path


@login_required
@require_POST
def phones_reset(request: HttpRequest, employee_id: int) -> HttpResponse:
    """An operator forgets an employee's registered phones: the next one used registers."""
    if not settings.HADIR_DEVICE_BINDING:
        raise Http404  # nothing is bound: there is nothing to reset
    employee = access_employee_to_manage(request.user, employee_id)
    count = devices_reset(actor=request.user, employee=employee)
    messages.success(
        request,
        ngettext(
            "%(name)s: %(count)s phone forgotten; the next phone used for check-in registers"
            " itself.",
            "%(name)s: %(count)s phones forgotten; the next phone used for check-in registers"
            " itself.",
            count,
        )
        % {"name": employee.name, "count": count},
    )
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)  # the page the operator pressed the button on (search, page)
    return redirect("org:unit_detail", employee.unit_id)
