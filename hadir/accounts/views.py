"""Account pages: login, activation, password change and reset, printable activation codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hadir.accounts.forms import (
    ActivationForm,
    CountedPasswordChangeForm,
    NipLoginForm,
    SpacedPasswordResetForm,
)
from hadir.accounts.services import (
    ActivationRefused,
    account_activate,
    activation_codes_issue,
    password_changed,
)
from hadir.accounts.tokens import reset_tokens
from hadir.common.access import MANAGE_ROLES, access_unit, employees_in_scope


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = NipLoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        """The ``next`` page, unless it is this one: a logged-in user sent back here would
        loop (Django raises), so they go home."""
        url: str = super().get_redirect_url(request)
        return "" if urlsplit(url).path == (request or self.request).path else url


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; the current password counts towards the lock-out, as at login, and the
    change is audited."""

    template_name = "accounts/password_change.html"
    form_class = CountedPasswordChangeForm
    success_url = reverse_lazy("home")
    announce = True  # a message on the next page (the admin's view has a page for it)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(user=form.user)
        if self.announce:
            messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page; the link mailed points at ``HADIR_SITE_URL``, as the notification mails
    do, not at the host the request named (behind a proxy, often 127.0.0.1:8000)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    token_generator = reset_tokens
    form_class = SpacedPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.HADIR_SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    token_generator = reset_tokens

    def get_user(self, uidb64: str) -> Any:
        """Only an active account: a link mailed before an admin closed it must not set the
        password that would be in force when it is reopened."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(user=form.user, lift_lockout=True)
        return response


def activate(request: HttpRequest) -> HttpResponse:
    """An employee turns the printed one-time code into an account."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_activate(
                nip=form.cleaned_data["nip"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
            )
        except ActivationRefused as refused:
            form.add_error(None, str(refused))
        except ValidationError as weak:  # too like the name or address the account is given
            form.add_error("password1", weak)
        else:
            messages.success(
                request, _("Your account is active. Log in with your NIP and new password.")
            )
            return redirect("accounts:login")
    return render(request, "accounts/activate.html", {"form": form})


@login_required
@require_POST
def activation_codes(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Issue codes for the unit's employees without an account and show the printable list."""
    unit = access_unit(request.user, unit_id, MANAGE_ROLES)
    employees = list(
        employees_in_scope(request.user, MANAGE_ROLES)
        .filter(unit__path__startswith=unit.path)
        .select_related("user", "unit")
        .order_by("unit__name", "name")
    )
    issued = activation_codes_issue(employees=employees, actor=request.user)
    return render(request, "accounts/activation_codes.html", {"unit": unit, "issued": issued})
