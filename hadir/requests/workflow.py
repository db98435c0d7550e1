"""The request workflow as data: which action moves which status where."""

from __future__ import annotations

from hadir.requests.models import Status

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "approve": (frozenset({Status.SUBMITTED}), Status.APPROVED),
    "reject": (frozenset({Status.SUBMITTED}), Status.REJECTED),
    "withdraw": (frozenset({Status.DRAFT, Status.SUBMITTED}), Status.WITHDRAWN),
}


class IllegalTransition(ValueError):
    """The action is not allowed from the request's current status."""


def next_status(current: str, action: str) -> str:
    """The status ``action`` leads to from ``current``; refuses anything not in the table."""
    try:
        allowed_from, target = TRANSITIONS[action]
    except KeyError:
        raise IllegalTransition(f"tindakan '{action}' tidak dikenal / unknown action") from None
    if current not in allowed_from:
        raise IllegalTransition(
            f"laporan berstatus {current} tidak dapat di-{action} / a {current} request cannot be {action}ed"
        )
    return target
