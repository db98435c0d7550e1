"""Forms of the account pages: NIP login, activation with a one-time code, password change and
reset."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from hadir.accounts.models import User
from hadir.accounts.services import normalise_nip
from hadir.common.audit import audit_record
from hadir.common.models import AuditEvent


class NipLoginForm(AuthenticationForm):
    """Django's login form, labelled for NIP (admins may still use their user name)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong NIP or password. Passwords are case-sensitive."),
        "inactive": _(
            "This account is deactivated: it cannot log in or check in. Ask your Pengelola"
            " Presensi."
        ),
    }
    username = forms.CharField(
        label=_("NIP"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "username"}
        ),
    )

    def clean_username(self) -> str:
        """Accept a NIP typed with spaces or dots, as printed lists show it."""
        return normalise_nip(self.cleaned_data.get("username") or "")

    def get_invalid_login_error(self) -> forms.ValidationError:
        """Say so when the NIP and password are right but the account is deactivated: told
        "wrong password", an ASN would try again until locked out. (The backend refuses an
        inactive account without telling whether its password was right.)"""
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = User.objects.filter(username=username, is_active=False).first()
        if user is not None and password and user.check_password(password):
            return forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return super().get_invalid_login_error()


class ActivationForm(forms.Form):
    """NIP + the printed code + a new password (typed twice)."""

    nip = forms.CharField(
        # Room for a NIP as printed lists show it (19870101 201001 1 001), as the login takes it.
        label=_("NIP"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    code = forms.CharField(label=_("Activation code"), max_length=20)
    password1 = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def clean_nip(self) -> str:
        """Accept a NIP typed with spaces or dots, as the login does."""
        return normalise_nip(self.cleaned_data.get("nip") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(username=(data.get("nip") or "").strip())
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's form, the current password checked as a login is: a wrong one counts towards
    the lock-out (django-axes), and a locked-out account is refused even the right one.

    Why: whoever holds a logged-in phone (lost, borrowed, a warnet PC) could otherwise try
    passwords here without limit, then change it and own the account.
    """

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


RESET_MAILED = "account.reset_mailed"
RESET_FAILED = "account.reset_mail_failed"
logger = logging.getLogger(__name__)


class SpacedPasswordResetForm(PasswordResetForm):
    """Django's form, one mail per account per ``HADIR_RESET_MAIL_EVERY`` and each one audited.

    Why: the page answers anyone and says the same whatever the address, so without a spacing
    a script could fill a teacher's inbox with reset links. The trail is the clock (every
    process of the server reads it), and the page still says nothing about the address. A mail
    the server could not send is recorded as such and holds nothing back.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            if _reset_mail_claimed(user):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's mail, its failure recorded (Django's own only logs it)."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        try:
            EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
        except Exception:  # the page says the same whatever happens: the trail and log tell
            logger.exception("password reset mail to user %s not sent", context["user"].pk)
            _reset_audit(context["user"], RESET_FAILED)


def _reset_mail_claimed(user: Any) -> bool:
    """Record a reset mail for ``user`` unless one went out within the spacing; two requests
    at once (two server processes) take turns on the account's row, so one of them mails."""
    since = timezone.now() - settings.HADIR_RESET_MAIL_EVERY
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).exists()
        last = (
            AuditEvent.objects.filter(
                action__in=(RESET_MAILED, RESET_FAILED),
                object_type=user._meta.label_lower,
                object_id=str(user.pk),
                at__gte=since,
            )
            .order_by("-at", "-pk")
            .values_list("action", flat=True)
            .first()
        )
        if last == RESET_MAILED:
            return False
        _reset_audit(user, RESET_MAILED)
        return True


def _reset_audit(user: Any, action: str) -> None:
    audit_record(
        actor=None, actor_label="password reset", action=action, obj=user, summary=str(user)
    )
