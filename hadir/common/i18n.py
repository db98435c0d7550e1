"""The language of the request being answered, as the rules library names it."""

from __future__ import annotations

from django.utils.translation import get_language

from hadir.rules.explain import Lang, Reason


def current_lang() -> Lang:
    """English when the page is English, else the site's Indonesian: the rules explain a day
    and name their codes in these two (``hadir.rules.explain``)."""
    return "en" if (get_language() or "id").startswith("en") else "id"


def rule_text(error: ValueError) -> str:
    """Why a rule refused a value (:class:`hadir.rules.explain.Invalid`), in the page's
    language; any other ``ValueError`` as it says it."""
    reason = getattr(error, "reason", None)
    return reason.text(current_lang()) if isinstance(reason, Reason) else str(error)
