"""The phone page (an installable PWA): one big button, the map, the answer."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control


@login_required
def check_in_page(request: HttpRequest) -> HttpResponse:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    texts = {
        "locating": _("Finding your position…"),
        "noGeo": _("This browser cannot share its position. Allow location access and reload."),
        "denied": _("Location access was refused. Allow it in the browser settings to check in."),
        "inside": _("You are inside %(place)s (accuracy %(accuracy)s m)."),
        "outside": _("You are %(distance)s from %(place)s."),
        "sending": _("Sending…"),
        "retrying": _("Weak signal, sending again…"),
        "failed": _("No connection to the server. Your presensi was NOT recorded; try again."),
        "serverTime": _("Server time"),
        "standing": _("Today"),
        "noLocations": _("No check-in location is set for your unit."),
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
        "icons": [{"src": static("hadir/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(body), content_type="application/manifest+json")


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /presensi/ so its scope covers the page; caches the shell for weak signal."""
    shell = [
        static("vendor/pico/pico.min.css"),
        static("hadir/hadir.css"),
        static("hadir/checkin.js"),
        static("vendor/leaflet/leaflet.js"),
        static("vendor/leaflet/leaflet.css"),
    ]
    body = render(request, "presence/sw.js", {"shell": json.dumps(shell)}).content
    response = HttpResponse(body, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
