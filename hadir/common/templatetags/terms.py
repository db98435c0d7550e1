"""``{{ code|term }}``: a rules code (sanction, level, status, excuse) by the name users know it,
in the request's language, as the rules' own explanations name it (:data:`TERMS`);
``{{ "9.00"|decimal }}``: a decimal as that language writes it (9,00 in Indonesian)."""

from __future__ import annotations

from django import template

from hadir.common.i18n import current_lang
from hadir.rules.explain import TERMS, format_decimal

register = template.Library()


@register.filter
def term(code: object) -> str:
    text = str(code)
    return TERMS[text][current_lang()] if text in TERMS else text


@register.filter
def decimal(value: object) -> str:
    """A plain decimal string ("9.00", as the recap's JSON keeps it) in the page's language."""
    return format_decimal(str(value), current_lang())
