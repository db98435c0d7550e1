"""``{{ code|term }}``: a rules code (sanction, level, status, excuse) by the name users know it,
in the request's language, as the rules' own explanations name it (:data:`TERMS`)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from hadir.rules.explain import TERMS, Lang

register = template.Library()


@register.filter
def term(code: object) -> str:
    lang: Lang = "en" if (get_language() or "id").startswith("en") else "id"
    text = str(code)
    return TERMS[text][lang] if text in TERMS else text
