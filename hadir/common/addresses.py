"""The address a request came from, as the proxy in front of the app saw it.

Behind nginx or Caddy every request reaches gunicorn from 127.0.0.1; the proxy appends the
address it saw to ``X-Forwarded-For``. Only that last entry is the proxy's word: the entries
before it are whatever the client sent. So the header is read only when the request came from
a trusted proxy (``HADIR_TRUSTED_PROXIES``: addresses or networks), and only its last entry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import Error, register
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address, as the proxy saw it: the login lock-out counts failures per
    account and address (:func:`lockout_address`), so that a stranger cannot lock a teacher
    out."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    if not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    try:
        return str(ipaddress.ip_address(hops[-1]))
    except ValueError:  # no header, or not an address: the proxy itself is all we know
        return remote


IPV6_SUBSCRIBER_PREFIX = 64
"""The bits of an IPv6 address that name the subscriber: a phone or a server holds a whole
/64 and may pick any address in it."""


def lockout_address(request: HttpRequest) -> str | None:
    """Whom the login lock-out counts failures against (``AXES_CLIENT_IP_CALLABLE``): the
    client's address, and for IPv6 its /64, written as the network's first address. Counted
    per address, 2^64 addresses of one subscriber would give five fresh guesses each."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and not parsed.ipv4_mapped:
        network = ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False)
        return str(network.network_address)
    return address


def _trusted(remote: str | None) -> bool:
    """Whether ``remote`` is one of the trusted proxies: an address or a network (10.0.0.0/8),
    an IPv4 proxy also when the server sees it IPv4-mapped (::ffff:127.0.0.1)."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(settings.HADIR_TRUSTED_PROXIES))


def _networks(
    proxies: frozenset[str],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


@register()
def trusted_proxies_check(**kwargs: object) -> list[Error]:
    """A proxy that is no address stops the server at start, not every login later."""
    problems = []
    for proxy in sorted(settings.HADIR_TRUSTED_PROXIES):
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            problems.append(
                Error(f"HADIR_TRUSTED_PROXIES: {proxy!r} is no address or network", id="hadir.E001")
            )
    return problems
