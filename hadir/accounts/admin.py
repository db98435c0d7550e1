"""Accounts in the admin, audited like every other master data: the account itself, a password
set by an admin, the admin's own password change, the (unused) groups, and the login lock-outs
(deleting one unlocks an account before its cool-off)."""

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from hadir.accounts.models import User
from hadir.accounts.views import PasswordChangeView
from hadir.common.admin import AuditedAdmin
from hadir.common.audit import audit_record


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin[User]):
    list_display = [
        "username",
        "first_name",
        "email",
        "is_active",
        "must_change_password",
        "is_staff",
    ]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Hadir", {"fields": ["must_change_password"]}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """An account an admin creates with a password: that password is the admin's, so its
        owner must change it at the first login (as after :meth:`user_change_password`)."""
        if not change and obj.has_usable_password():
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page for an admin setting someone's password; a saved one is audited (the
        hash is never written to the trail). A password an admin set for someone else is one
        the admin knows: its owner must change it at the next login."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None and user != request.user and user.has_usable_password():
                user.must_change_password = True
                user.save(update_fields=["must_change_password"])
            audit_record(
                actor=request.user,
                action="admin.password_set",
                obj=user,
                summary=str(user),
                after={
                    "usable": user.has_usable_password() if user else None,
                    "must_change_password": user.must_change_password if user else None,
                },
            )
        return response


def _audited(model: Any, base: type) -> None:
    """Register ``model`` again with its admin ``base``, audited."""
    admin.site.unregister(model)
    admin.site.register(model, type(f"Audited{base.__name__}", (AuditedAdmin, base), {}))


for _model, _base in (
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    _audited(_model, _base)


class AdminPasswordChangeView(PasswordChangeView):
    """The project's password change in the admin's dress (Django's admin page audits nothing
    and lets the current password be tried without limit)."""

    template_name = "registration/password_change_form.html"  # the admin's
    announce = False  # the admin's page of success says so


def _password_change(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
    """The admin's own "Change password" (/admin/password_change/), as
    :meth:`AdminSite.password_change` builds it, with the project's view."""
    request.current_app = admin.site.name
    return AdminPasswordChangeView.as_view(
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        extra_context={**admin.site.each_context(request), **(extra_context or {})},
    )(request)


admin.site.password_change = _password_change  # type: ignore[method-assign]
