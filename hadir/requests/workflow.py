"""The request workflow as data: which action moves which status where."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from hadir.requests.models import Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "approve": (frozenset({Status.SUBMITTED}), Status.APPROVED),
    "reject": (frozenset({Status.SUBMITTED}), Status.REJECTED),
    "withdraw": (frozenset({Status.DRAFT, Status.SUBMITTED}), Status.WITHDRAWN),
    # An approved request not yet begun (a cuti no longer needed): the service checks the date.
    "cancel": (frozenset({Status.APPROVED}), Status.WITHDRAWN),
}


# How a refusal names a status and an action, for the user ("a request that is … cannot be …").
STATUS_WORDS: dict[str, StrOrPromise] = {
    Status.DRAFT: pgettext_lazy("request status", "a draft"),
    Status.SUBMITTED: pgettext_lazy("request status", "submitted"),
    Status.APPROVED: pgettext_lazy("request status", "approved"),
    Status.REJECTED: pgettext_lazy("request status", "rejected"),
    Status.WITHDRAWN: pgettext_lazy("request status", "withdrawn"),
}
ACTION_WORDS: dict[str, StrOrPromise] = {
    "submit": pgettext_lazy("request action", "submitted"),
    "approve": pgettext_lazy("request action", "approved"),
    "reject": pgettext_lazy("request action", "rejected"),
    "withdraw": pgettext_lazy("request action", "withdrawn"),
    "cancel": pgettext_lazy("request action", "cancelled"),
}


class IllegalTransition(ValueError):
    """The action is not allowed from the request's current status."""


def next_status(current: str, action: str) -> str:
    """The status ``action`` leads to from ``current``; refuses anything not in the table."""
    try:
        allowed_from, target = TRANSITIONS[action]
    except KeyError:
        raise IllegalTransition(_("unknown action '%(action)s'") % {"action": action}) from None
    if current not in allowed_from:
        raise IllegalTransition(
            _("a request that is %(status)s cannot be %(action)s")
            % {"status": STATUS_WORDS.get(current, current), "action": ACTION_WORDS[action]}
        )
    return target
