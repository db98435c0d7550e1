from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hadir.presence.models import Machine

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PunchImportForm(forms.Form):
    """A machine log (attlog, with its machine) or a CSV of punches."""

    file = forms.FileField(label=_("file (attlog .dat/.txt or CSV nip,time)"))
    machine = forms.ModelChoiceField(
        queryset=Machine.objects.none(), required=False, label=_("machine (for an attlog)")
    )
    dry_run = forms.BooleanField(required=False, label=_("check only, write nothing"))

    def __init__(self, *args: Any, machines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = machines  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
                }
            )
        return upload
