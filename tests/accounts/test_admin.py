"""Accounts changed in the admin leave an audit row like every other human action: the
account's fields before and after (never its password hash), a password an admin sets, and a
login lock-out an admin lifts."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Sawah-Padi-Hijau-77"


def admin_client() -> tuple[Client, User]:
    superuser = UserFactory.create(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)
    return client, superuser


def trail(target: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(target.pk)).order_by(
            "id"
        )
    )


def test_making_an_account_a_superuser_is_audited_without_its_password_hash(db: None) -> None:
    client, superuser = admin_client()
    target = UserFactory.create(first_name="Siti")
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("password", None)
    data.update(
        {
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "is_superuser": "on",
            "is_staff": "on",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    (event,) = trail(target)
    assert event.actor == superuser
    assert event.action == "admin.change"
    assert event.before is not None
    assert event.after is not None
    assert (event.before["is_superuser"], event.after["is_superuser"]) == ("False", "True")
    assert "password" not in event.before
    assert "password" not in event.after
    assert target.password.split("$")[-1] not in str(event.before) + str(event.after)


def test_a_password_an_admin_sets_is_audited(db: None) -> None:
    client, superuser = admin_client()
    target = UserFactory.create()

    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    (event,) = trail(target)
    assert (event.actor, event.action) == (superuser, "admin.password_set")
    assert NEW_PASSWORD not in str(event.after)


def test_the_owner_of_a_password_an_admin_set_must_change_it_at_the_next_login(
    db: None,
) -> None:
    """The admin knows it: it is a way back in, not a password to keep."""
    client, _superuser = admin_client()
    target = UserFactory.create(must_change_password=False)

    client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    target.refresh_from_db()
    assert target.must_change_password
    (event,) = trail(target)
    assert event.after is not None
    assert event.after["must_change_password"] is True


def test_an_admin_setting_their_own_password_there_keeps_it(db: None) -> None:
    client, superuser = admin_client()

    client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    superuser.refresh_from_db()
    assert superuser.check_password(NEW_PASSWORD)
    assert not superuser.must_change_password


def test_a_refused_password_form_audits_nothing(db: None) -> None:
    client, _superuser = admin_client()
    target = UserFactory.create()

    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": NEW_PASSWORD, "password2": "something else", "usable_password": "true"},
    )

    assert response.status_code == 200
    assert trail(target) == []


def test_lifting_a_login_lock_out_in_the_admin_is_audited(db: None) -> None:
    client, superuser = admin_client()
    attempt = AccessAttempt.objects.create(
        username="199001012015031001",
        ip_address="10.0.0.7",
        user_agent="test",
        failures_since_start=5,
    )

    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="admin.delete", object_type="axes.accessattempt")
    assert event.actor == superuser
    assert event.before is not None
    assert event.before["username"] == "199001012015031001"


def test_a_permission_given_to_a_group_is_in_the_audit_row(db: None) -> None:
    from django.contrib.auth.models import Group, Permission

    client, superuser = admin_client()
    group = Group.objects.create(name="Operator tambahan")
    permission = Permission.objects.get(codename="change_policyvalue")

    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [permission.pk]},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change", object_type="auth.group")
    assert event.actor == superuser
    assert event.before is not None
    assert event.after is not None
    assert event.before["permissions"] == "[]"
    assert event.after["permissions"] == f"[<Permission: {permission}>]"


def test_an_admin_changing_their_own_password_in_the_django_admin_is_audited(db: None) -> None:
    """The same action on /akun/kata-sandi/ writes accounts.password_change; the admin's own
    "Change password" link (/admin/password_change/) is Django's view and writes nothing."""
    superuser = UserFactory.create(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)

    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(superuser.pk)
    ).exists()


def test_an_account_an_admin_creates_with_a_password_must_change_it_at_the_first_login(
    db: None,
) -> None:
    """The admin who creates Budi's account types his first password, and so knows it, just
    as when setting one on the "change password" page: Budi must be made to change it at his
    first login, or the admin keeps a way into his account (and his presensi)."""
    superuser = UserFactory.create(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "199001012020121001",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="199001012020121001")
    assert created.has_usable_password()
    assert created.must_change_password
