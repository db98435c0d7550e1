"""``{{ code|term }}``: a rules code (sanction, level, status, excuse) by the name users know it,
in the request's language, as the rules' own explanations name it (:data:`TERMS`);
``{{ "9.00"|decimal }}``: a decimal as that language writes it (9,00 in Indonesian)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django import template
from django.utils.translation import ngettext

from hadir.common.i18n import current_lang
from hadir.rules.explain import TERMS, format_decimal

register = template.Library()


@register.filter
def term(code: object) -> str:
    text = str(code)
    return TERMS[text][current_lang()] if text in TERMS else text


WORD_CODES = frozenset({"LIBUR"})
"""Status codes that are an Indonesian word rather than an abbreviation users know."""


@register.filter
def status(code: object) -> str:
    """A day's status as its badge shows it: the code users know (H, TK, TL1, DL, CT …) in
    either language; a code that is an Indonesian word (LIBUR) by its name on an English page."""
    text = str(code)
    return TERMS[text]["en"] if text in WORD_CODES and current_lang() == "en" else text


@register.filter
def decimal(value: object) -> str:
    """A plain decimal string ("9.00", as the recap's JSON keeps it) in the page's language."""
    return format_decimal(str(value), current_lang())


@register.filter
def sanction(code: object, months: Mapping[str, int] | None = None) -> str:
    """A sanction by its name and, when it lasts, for how long (``months``: the ladder's, by
    sanction): three rungs are each a "pemotongan TUKIN", told apart only by their length."""
    name = term(code)
    count = (months or {}).get(str(code), 0)
    if not count:
        return name
    return ngettext("%(name)s for %(months)s month", "%(name)s for %(months)s months", count) % {
        "name": name,
        "months": count,
    }


@register.filter
def minutes_up(span: timedelta) -> int:
    """A waiting time in whole minutes, rounded up: "try again in 15 minutes" is not 14."""
    return -(-int(span.total_seconds()) // 60)
