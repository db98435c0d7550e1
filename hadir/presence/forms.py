from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hadir.presence.models import Machine

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PunchImportForm(forms.Form):
    """A machine log (attlog, with its machine) or a CSV of punches."""

    file = forms.FileField(label=capfirst(_("file (attlog .dat/.txt or CSV nip,time)")))
    machine = forms.ModelChoiceField(
        queryset=Machine.objects.none(),
        required=False,
        label=capfirst(_("machine (for an attlog)")),
        empty_label=_("— choose —"),
    )
    dry_run = forms.BooleanField(required=False, label=capfirst(_("check only, write nothing")))

    def __init__(self, *args: Any, machines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = machines  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        return _within_limit(self.cleaned_data["file"])


class MachineForm(forms.ModelForm[Machine]):
    """A new fingerprint machine, of a unit the operator manages (its serial is read as the
    machine prints it by :meth:`Machine.clean`, before the unique check)."""

    class Meta:
        model = Machine
        fields = ["unit", "name", "serial"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = _("— choose —")  # type: ignore[attr-defined]


class MachinePinsForm(forms.Form):
    """A machine's whole PIN map, as a CSV or Excel file with columns pin,nip."""

    file = forms.FileField(
        label=capfirst(_("file (CSV or Excel, columns pin,nip, optional since)"))
    )

    def clean_file(self) -> Any:
        return _within_limit(self.cleaned_data["file"])


def _within_limit(upload: Any) -> Any:
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
            }
        )
    return upload
