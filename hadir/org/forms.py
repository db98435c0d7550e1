"""Forms of the operator pages: check-in locations and extra-location requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hadir.org.models import Location


class LocationForm(forms.ModelForm[Location]):
    """A point with a radius, or a polygon pasted as ``[[lat, lng], …]`` (drawn on the map)."""

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
        widgets = {
            "polygon": forms.Textarea(attrs={"rows": 2, "placeholder": "[[-7.71, 110.35], …]"})
        }

    def clean_polygon(self) -> Any:
        polygon = self.cleaned_data.get("polygon")
        if polygon in (None, "", []):
            return None
        if not isinstance(polygon, list) or len(polygon) < 3:
            raise forms.ValidationError(_("A polygon needs at least three [lat, lng] points."))
        for point in polygon:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, int | float) for v in point)
                or not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180)
            ):
                raise forms.ValidationError(
                    _("Each polygon point must be [latitude, longitude] in degrees.")
                )
        return polygon

    def clean_latitude(self) -> Any:
        value = self.cleaned_data["latitude"]
        if not -90 <= value <= 90:
            raise forms.ValidationError(_("Latitude must be between -90 and 90."))
        return value

    def clean_longitude(self) -> Any:
        value = self.cleaned_data["longitude"]
        if not -180 <= value <= 180:
            raise forms.ValidationError(_("Longitude must be between -180 and 180."))
        return value


class GrantRequestForm(forms.Form):
    """An employee asks to check in at another unit's location too."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("location"))
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.TextInput)

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
