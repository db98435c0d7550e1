"""The recap pages' forms: a discipline sanction's decree."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hadir.rules.policy import SANCTION_IDS


class SanctionForm(forms.Form):
    """The decree (SK) of a sanction, as the kepegawaian officer copies it from the letter."""

    sanction = forms.ChoiceField(label=_("Sanction"))
    first_month = forms.DateField(
        label=_("Runs from (month)"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    decree = forms.CharField(label=_("Decree (SK) number"), max_length=120)
    decided_on = forms.DateField(
        label=_("Decree date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    for_year = forms.IntegerField(
        label=_("Year assessed"),
        required=False,  # the decree's own year
        min_value=1,
        max_value=9999,
        help_text=_("The year whose days not at work the decree judges."),
    )

    def __init__(self, *args: Any, labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sanction"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, labels.get(code, code)) for code in SANCTION_IDS]
