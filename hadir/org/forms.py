"""Forms of the operator pages: check-in locations and extra-location requests."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hadir.org.models import Location

POLYGON_TEXT_AT_MOST = 20_000
"""Characters of pasted polygon JSON: room for the most vertices a location may have."""


class PolygonField(forms.CharField):
    """``[[lat, lng], …]`` pasted as JSON, read without Django's JSONField, which answers a
    deeply nested paste with a server error. Its shape is checked by :meth:`Location.clean`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.widget.attrs["maxlength"] = str(POLYGON_TEXT_AT_MOST)

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > POLYGON_TEXT_AT_MOST:
            raise forms.ValidationError(
                _("A polygon may be at most %(count)s characters.")
                % {"count": POLYGON_TEXT_AT_MOST}
            )
        try:
            polygon = json.loads(text)
        except (ValueError, RecursionError):
            polygon = None
        if not isinstance(polygon, list):
            raise forms.ValidationError(
                _("Not a polygon: paste [[lat, lng], …] in decimal degrees.")
            )
        return polygon

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value) if isinstance(value, list) else value


class LocationForm(forms.ModelForm[Location]):
    """A point with a radius, or a polygon pasted as ``[[lat, lng], …]``. What makes a usable
    geofence is checked by the model (:mod:`hadir.org.geofence`), for the admin too."""

    polygon = PolygonField(
        label=capfirst(_("polygon [[lat, lng], …]")),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "[[-7.71, 110.35], …]"}),
    )

    class Meta:
        model = Location
        fields = [
            "name",
            "latitude",
            "longitude",
            "radius_m",
            "accuracy_tolerance_m",
            "polygon",
            "active",
        ]


class GrantRequestForm(forms.Form):
    """An employee asks to check in at another unit's location too."""

    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        label=capfirst(_("location")),
        empty_label=_("— choose —"),
    )
    reason = forms.CharField(label=capfirst(_("reason")), max_length=300, widget=forms.TextInput)

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
