"""The request workflow as data: which action moves which status where."""

from __future__ import annotations

from hadir.requests.models import Status

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "approve": (frozenset({Status.SUBMITTED}), Status.APPROVED),
    "reject": (frozenset({Status.SUBMITTED}), Status.REJECTED),
    "withdraw": (frozenset({Status.DRAFT, Status.SUBMITTED}), Status.WITHDRAWN),
}


# How a refusal names a status and an action, in Indonesian and English, for the user.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    Status.DRAFT: ("draf", "a draft"),
    Status.SUBMITTED: ("terkirim", "submitted"),
    Status.APPROVED: ("disetujui", "approved"),
    Status.REJECTED: ("ditolak", "rejected"),
    Status.WITHDRAWN: ("ditarik", "withdrawn"),
}
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "submit": ("dikirim", "submitted"),
    "approve": ("disetujui", "approved"),
    "reject": ("ditolak", "rejected"),
    "withdraw": ("ditarik", "withdrawn"),
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
        status_id, status_en = STATUS_WORDS.get(current, (current, current))
        action_id, action_en = ACTION_WORDS[action]
        raise IllegalTransition(
            f"laporan berstatus {status_id} tidak dapat {action_id}"
            f" / a request that is {status_en} cannot be {action_en}"
        )
    return target
