"""Writes to accounts: activation codes, activation, legacy passwords, password changes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hadir.accounts.models import AccountSession, ActivationCode, User
from hadir.accounts.passwords import is_legacy_password, legacy_password
from hadir.common.audit import audit_record
from hadir.org.models import Employee, RoleAssignment
from hadir.rules.nip import compact_nip

# No 0/O, 1/I/L: codes are read off paper and typed on cheap phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class ActivationRefused(Exception):
    """Activation failed; the message is safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class IssuedCode:
    """A code as printed for one employee; the plain code exists only here."""

    employee: Employee
    code: str
    expires_at: Any


def normalise_nip(text: str) -> str:
    """A NIP as people type it reduced to its digits (:func:`~hadir.rules.nip.compact_nip`);
    anything else as typed, to be named in a refusal."""
    compact = compact_nip(text)
    return compact if compact.isascii() and compact.isdigit() else text.strip()


def _hash_code(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def activation_codes_issue(*, employees: list[Employee], actor: Any) -> list[IssuedCode]:
    """Issue one fresh code per employee whose account a code may open; older codes stop
    working."""
    expires_at = timezone.now() + timedelta(days=settings.HADIR_ACTIVATION_CODE_DAYS)
    issued = []
    with transaction.atomic():
        # Row locks, in id order: two operators printing at once would each keep their own
        # code beside the other's (row locks, not advisory ones: a Kankemenag prints thousands).
        list(
            Employee.objects.select_for_update(no_key=True)
            .filter(pk__in=[e.pk for e in employees])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for employee in employees:
            if not _opens_by_code(employee.user) or _left(employee):
                continue
            ActivationCode.objects.filter(employee=employee, used_at__isnull=True).delete()
            code = _new_code()
            ActivationCode.objects.create(
                employee=employee,
                code_hash=_hash_code(code),
                created_by=actor,
                expires_at=expires_at,
            )
            issued.append(IssuedCode(employee=employee, code=code, expires_at=expires_at))
        audit_record(
            actor=actor,
            action="accounts.activation_codes_issue",
            summary=lambda: (
                ngettext("%(count)s activation code", "%(count)s activation codes", len(issued))
                % {"count": len(issued)}
            ),
            after={"nips": [i.employee.nip for i in issued]},
        )
    return issued


def _left(employee: Employee) -> bool:
    """Whether the employee's attendance period is over (retired, moved out of the ministry):
    a code printed for them would open an account in their name for whoever holds the page."""
    return employee.end is not None and employee.end < employee.unit.today()


def account_activate(*, nip: str, code: str, password: str) -> User:
    """Create (or reopen) the employee's account with ``password`` using a one-time code.

    The password is validated against the account as it will be (name and e-mail address
    included): :class:`~django.core.exceptions.ValidationError` if refused. A lock-out of the
    NIP is lifted: the code proves as much as a reset by e-mail does.
    """
    from axes.utils import reset as axes_reset

    with transaction.atomic():
        activation = (
            ActivationCode.objects.select_for_update()
            .select_related("employee")
            .filter(
                code_hash=_hash_code(code), employee__nip=normalise_nip(nip), used_at__isnull=True
            )
            .first()
        )
        if activation is None or activation.expires_at <= timezone.now():
            raise ActivationRefused(
                _("The NIP and activation code do not match an unused, valid code.")
            )
        employee = activation.employee
        if _left(employee):
            raise ActivationRefused(
                _("Attendance counted only until %(date)s: no account is opened after it.")
                % {"date": f"{employee.end:%d-%m-%Y}"}
            )
        if not _opens_by_code(employee.user):
            raise ActivationRefused(_("This account cannot be opened with a code. Ask an admin."))
        if employee.user is None and User.objects.filter(username=employee.nip).exists():
            raise ActivationRefused(
                _(
                    "An account with this NIP exists but is not linked to your employee record."
                    " Ask an admin to link it."
                )
            )
        user = employee.user or User(username=employee.nip)
        user.first_name = employee.name[:150]
        user.email = employee.email
        user.is_active = True
        user.must_change_password = False
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        employee.user = user
        employee.save(update_fields=["user"])
        activation.used_at = timezone.now()
        activation.save(update_fields=["used_at"])
        lifted = axes_reset(username=employee.nip)
        audit_record(
            actor=user,
            action="accounts.activate",
            obj=user,
            summary=employee.nip,
            after={"lockout_lifted": bool(lifted)},
        )
    return user


def _opens_by_code(user: User | None) -> bool:
    """Whether an activation code may set this account's password: there is no account yet,
    or an active one that never had a usable password.

    Never a deactivated account (an admin deactivated it; an admin reopens it), nor one
    holding a role or the admin's flags: an operator prints the codes, and must not choose
    the password of an account that can do more than an employee's.
    """
    if user is None:
        return True
    if not user.is_active or user.is_staff or user.is_superuser or user.has_usable_password():
        return False
    return not RoleAssignment.objects.filter(user=user).exists()


def _plain(user: User) -> bool:
    """An employee's account and no more: no role, no admin flag."""
    if user.is_staff or user.is_superuser:
        return False
    return not RoleAssignment.objects.filter(user=user).exists()


@dataclass(frozen=True)
class LegacyAccounts:
    """What :func:`legacy_accounts_create` did: how many accounts it created, and the NIPs it
    skipped because an account of that NIP exists, not linked to the record (an admin links
    it, as activation says)."""

    created: int
    unlinked: list[str]


def legacy_accounts_create(*, employees: list[Employee], actor: Any) -> LegacyAccounts:
    """Opt-in (``HADIR_LEGACY_PASSWORDS``): give accounts the derivable password, flagged.

    Such an account can log in only to set a new password. Nobody whose attendance period has
    ended gets one (as nobody gets an activation code): nobody would claim it, and whoever
    knows the NIP would.
    """
    if not settings.HADIR_LEGACY_PASSWORDS:
        raise PermissionError("HADIR_LEGACY_PASSWORDS is off")
    created, unlinked = 0, []
    with transaction.atomic():
        for employee in employees:
            if employee.user_id is not None or _left(employee):
                continue
            password = legacy_password(employee.nip)
            if password is None:
                continue
            if User.objects.filter(username=employee.nip).exists():
                unlinked.append(employee.nip)
                continue
            user = User(
                username=employee.nip,
                first_name=employee.name[:150],
                email=employee.email,
                must_change_password=True,
            )
            user.set_password(password)
            user.save()
            employee.user = user
            employee.save(update_fields=["user"])
            created += 1
        audit_record(
            actor=actor,
            action="accounts.legacy_accounts_create",
            summary=lambda: (
                ngettext("%(count)s account", "%(count)s accounts", created) % {"count": created}
            ),
            after={"unlinked": unlinked} if unlinked else None,
        )
    return LegacyAccounts(created=created, unlinked=unlinked)


def account_email_follow(*, employee: Employee, actor: Any, actor_label: str = "") -> None:
    """Give the employee's account the address now on their record (the caller saved it).

    Activation copies the address once; the reset form mails the account's. A correction by
    the operator (a colleague's address entered by mistake, an old office mailbox) must take
    the reset links away from the wrong mailbox at once.

    Only for an account a code opens (no role, no admin): an operator who may edit a
    colleague's record must not be able to send a verifier's or an admin's reset links to a
    mailbox of their choosing. An admin sets those accounts' addresses in the accounts admin.
    """
    user = employee.user
    if user is None or user.email == employee.email or not _plain(user):
        return
    before = user.email
    user.email = employee.email
    user.save(update_fields=["email"])
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action="accounts.email_follow",
        obj=user,
        summary=employee.nip,
        before={"email": before},
        after={"email": user.email},
    )


def password_changed(*, user: User, lift_lockout: bool = False) -> None:
    """After a successful change: lift the must-change flag and audit it. A reset by e-mail
    (``lift_lockout``) also lifts a lock-out: whoever set the new password proved they hold
    the account's mailbox, and the lock-out page sends locked people there."""
    from axes.utils import reset as axes_reset

    with transaction.atomic():
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        lifted = axes_reset(username=user.get_username()) if lift_lockout else 0
        audit_record(
            actor=user,
            action="accounts.password_change",
            obj=user,
            after={"lockout_lifted": bool(lifted)} if lift_lockout else None,
        )


def lockout_lift(*, nip: str, actor: Any | None, actor_label: str = "") -> int:
    """Lift the login lock-outs of the account ``nip`` names before their cool-off, audited
    (django-axes' own ``axes_reset_username`` records nothing). Returns how many were lifted."""
    from axes.utils import reset as axes_reset

    username = normalise_nip(nip)
    with transaction.atomic():
        lifted = axes_reset(username=username)
        if lifted:
            audit_record(
                actor=actor,
                actor_label=actor_label,
                action="accounts.lockout_lift",
                obj=User.objects.filter(username=username).first(),
                summary=username,
                after={"lifted": lifted},
            )
    return int(lifted)


@receiver(post_save, sender=User)
def _sessions_end_with_the_account(sender: Any, instance: User, **kwargs: Any) -> None:
    """A deactivated account's sessions are deleted, not only refused: reopened for its owner,
    the account must not bring back the login of a stolen phone. Nor the reset links mailed
    before: the time is kept (saved again while deactivated, it moves on; no link is mailed to
    a deactivated account), and the reset token covers it (:mod:`hadir.accounts.tokens`)."""
    if not instance.is_active:
        AccountSession.objects.filter(account=instance).delete()
        instance.deactivated_at = timezone.now()
        User.objects.filter(pk=instance.pk).update(deactivated_at=instance.deactivated_at)


@receiver(user_logged_in)
def _flag_legacy_password_on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """A login with the derivable password flags the account, whatever set it."""
    password = request.POST.get("password", "") if request is not None else ""
    if password and is_legacy_password(user, password) and not user.must_change_password:
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
