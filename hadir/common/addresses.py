"""The address a request came from, as the proxy in front of the app saw it.

Behind nginx or Caddy every request reaches gunicorn from 127.0.0.1; the proxy appends the
address it saw to ``X-Forwarded-For``. Only that last entry is the proxy's word: the entries
before it are whatever the client sent. So the header is read only when the request came from
a trusted proxy (``HADIR_TRUSTED_PROXIES``), and only its last entry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the login lock-out counts failures per account and address
    (``AXES_CLIENT_IP_CALLABLE``), so that a stranger cannot lock a teacher out."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    if remote not in settings.HADIR_TRUSTED_PROXIES:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    try:
        return str(ipaddress.ip_address(hops[-1]))
    except ValueError:  # no header, or not an address: the proxy itself is all we know
        return remote
