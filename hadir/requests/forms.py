"""The "Laporan Baru" form and the verifier's decision form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from hadir.requests.evidence import EvidenceRefused, evidence_check, too_big
from hadir.requests.models import CATEGORY_OF, WAIVER_CODES, Category, Code, Evidence, Session


class RequestForm(forms.Form):
    """Type, date or range, session (for complaints and izin), reason, and the PDF letter."""

    code = forms.ChoiceField(label=_("Type"))
    start = forms.DateField(label=_("Date (from)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Until (for an absence over several days)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    session = forms.ChoiceField(
        label=_("Session"), required=False, choices=[("", "—"), *Session.choices]
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    letter = forms.FileField(
        label=_("Letter (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(
        self,
        *args: Any,
        category: str,
        max_kb: int,
        kept: Evidence | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.max_kb = max_kb
        codes = [c for c in Code if CATEGORY_OF[c] == category]
        code_field: forms.ChoiceField = self.fields["code"]  # type: ignore[assignment]
        code_field.choices = [(c.value, c.label) for c in codes]
        # Only what the category asks: a complaint or izin is one date and its session, an
        # absence whole days (a field shown and then ignored misleads). A link's end is not
        # taken; one sent anyway (a page from before) is refused, not cut short, and shown
        # where it can be mended: hidden, it would be refused again at every sending.
        if all(c in WAIVER_CODES for c in codes):
            self.initial.pop("end", None)
            sent = self.data.get("end", "") if self.is_bound else ""
            if not sent or sent == self.data.get("start"):
                self.fields["end"].widget = forms.HiddenInput()
            self.fields["start"].label = _("Date")
        elif not any(c in WAIVER_CODES for c in codes):
            del self.fields["session"]
        self.fields["letter"].help_text = _("A PDF of at most %(kb)s KB.") % {"kb": max_kb}
        self.content: bytes = b""
        self.kept: Evidence | None = None
        if kept is not None:
            self.keep(kept)

    def keep(self, evidence: Evidence) -> None:
        """The letter was checked when the form was sent before: another one only replaces it."""
        self.kept = evidence
        letter = self.fields["letter"]
        letter.required = False
        letter.help_text = _(
            "Your letter %(name)s is kept: send the form without choosing it again, or choose"
            " another PDF of at most %(kb)s KB to replace it."
        ) % {"name": escape(evidence.original_name), "kb": self.max_kb}  # help text is not escaped
        self["letter"].help_text = letter.help_text  # a bound field copies it when first made

    def clean_letter(self) -> Any:
        upload = self.cleaned_data["letter"]
        if not upload:  # none chosen, the kept letter stands (else the field is required)
            return upload
        if upload.size > self.max_kb * 1024:
            kb = -(-upload.size // 1024)
            raise forms.ValidationError(too_big(kb, self.max_kb))
        content = upload.read()
        try:
            evidence_check(content, max_kb=self.max_kb)
        except EvidenceRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        self.content = content
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        # An end left empty is the start; one typed is kept, so that a waiver over several
        # days is refused with its reason rather than quietly cut to its first day.
        data["end"] = data.get("end") or data.get("start")
        if code in WAIVER_CODES:
            if not data.get("session"):
                self.add_error("session", _("Choose the session: morning, afternoon or both."))
        else:
            data["session"] = ""
        return data


class DecisionForm(forms.Form):
    # A text area: Enter in a one-line field submits with the form's first button, Approve,
    # right after a rejection's reason was typed.
    note = forms.CharField(
        label=_("Note for the employee"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def category_of_text(value: str) -> str:
    """A category from a query parameter, defaulting to pengaduan."""
    return value if value in Category.values else Category.PENGADUAN
