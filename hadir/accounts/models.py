"""Login accounts and one-time activation codes."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Employees log in with their NIP as the username.

    ``must_change_password`` locks the account out of everything but the password-change page
    (a derivable legacy password, or one set by an operator).
    """

    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Part of the password-reset token (hadir.accounts.tokens): a link mailed before an admin
    # closed the account stays dead once it is reopened.
    deactivated_at = models.DateTimeField(
        _("last deactivated at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """Who the account is, as the people reading a page know them: the employee's name,
        else the account's full name, else its username (a ministry admin's login)."""
        employee = getattr(self, "employee", None)  # no employee record: an AttributeError
        return (employee.name if employee is not None else "") or (
            self.get_full_name() or self.get_username()
        )


class AccountSession(AbstractBaseSession):
    """Django's database session with the account it logs in as a column of its own.

    Why: every API call loads its session and then its account; with the account's id beside
    the session data, one query reads both (:mod:`hadir.accounts.sessions`). The data stays the
    source of truth: the column only spares a round trip, and a mismatch falls back to Django.
    No database constraint: a session naming a vanished account logs nobody in, as Django's own
    does; deleting an account still deletes its sessions (the ORM's cascade).
    """

    account = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, related_name="+", db_constraint=False
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> Any:
        from hadir.accounts.sessions import SessionStore

        return SessionStore


class ActivationCode(models.Model):
    """A one-time code an operator prints for an employee to create their account.

    Only a keyed hash of the code is stored; the plain code is shown once, on the printable list.
    """

    employee = models.ForeignKey(
        "org.Employee",
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("employee"),
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")

    def __str__(self) -> str:
        return f"{self.employee.nip} ({self.created_at:%Y-%m-%d})"
