from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class HolidayForm(forms.Form):
    """Add a local holiday, or make a date a working day, for a unit and its sub-units."""

    date = forms.DateField(
        label=capfirst(_("date")), widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label=capfirst(_("name")), max_length=200, required=False)
