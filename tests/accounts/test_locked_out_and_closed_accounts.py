"""Accounts at their edges: a NIP typed as printed, a lock-out that counts an IPv6 subscriber
once and can be lifted by a reset or an activation, an account closed by an admin (its sessions and reset
links end with it), and production redirecting plain http.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.accounts.services import activation_codes_issue
from hadir.common.models import AuditEvent
from tests.conftest import Org
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Gunung-Merapi-2910"


def spaced(nip: str) -> str:
    """A NIP as printed lists and SK letters show it: ``19870101 201001 1 001``."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


# ------------------------------------------------------------------- activation with a spaced NIP


def test_activation_accepts_a_nip_typed_with_spaces_as_login_does(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """Login accepts ``19870101 201001 1 001`` (NipLoginForm.clean_username) and the service
    normalises it (account_activate -> normalise_nip), but ActivationForm.nip has
    max_length=18, so the spaced NIP (21 characters) is refused before the service runs."""
    client.force_login(operator_kua_a)
    issued = client.post(reverse("accounts:activation_codes", args=[org.kua_a.pk]))
    client.logout()
    item = issued.context["issued"][0]

    response = client.post(
        reverse("accounts:activate"),
        {
            "nip": spaced(item.employee.nip),
            "code": item.code,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    form = response.context["form"] if response.status_code == 200 else None
    assert response.status_code == 302, form.errors if form is not None else response
    assert User.objects.get(username=item.employee.nip).check_password(NEW_PASSWORD)


# -------------------------------------------------------------- lock-out bypass over IPv6


def test_the_lock_out_cannot_be_sidestepped_by_hopping_addresses_within_one_ipv6_prefix(
    db: None,
) -> None:
    """Lock-out is per (username, ip_address) and client_address returns the full IPv6
    address. One phone or VPS holds a whole /64 (2^64 addresses): changing the last bits gives
    5 fresh guesses each time, so the lock-out never bites. IPv6 must be counted per /64 (as
    one NAT'd IPv4 address already is)."""
    employee = EmployeeFactory.create()
    UserFactory.create(username=employee.nip)
    prefix = "2001:db8:1:2::"
    for host in range(1, settings.AXES_FAILURE_LIMIT + 1):
        log_in(Client(REMOTE_ADDR=f"{prefix}{host}"), employee.nip, "tebakan-salah")

    # the next guess, from yet another address of the same /64
    response = log_in(Client(REMOTE_ADDR=f"{prefix}ffff"), employee.nip, "tebakan-salah")

    assert response.status_code == 429


def test_the_locked_out_page_says_how_long_to_wait(db: None, settings: Any) -> None:
    employee = EmployeeFactory.create()
    UserFactory.create(username=employee.nip)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, employee.nip, "tebakan-salah")

    page = log_in(client, employee.nip, "tebakan-salah")

    assert page.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Blokir berlaku {minutes} menit sejak kata sandi salah terakhir." in (
        page.content.decode()
    )


def test_behind_the_proxy_the_lock_out_also_counts_ipv6_clients_per_prefix(
    db: None, settings: Any
) -> None:
    """The same bypass in production, where the address comes from X-Forwarded-For."""
    settings.HADIR_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    employee = EmployeeFactory.create()
    UserFactory.create(username=employee.nip)
    for host in range(1, settings.AXES_FAILURE_LIMIT + 1):
        attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"2001:db8:7:7::{host:x}")
        log_in(attacker, employee.nip, "tebakan-salah")

    again = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:7:7::beef")
    assert log_in(again, employee.nip, "tebakan-salah").status_code == 429


# ------------------------------------------- deactivation does not end the account's sessions


def test_sessions_of_a_deactivated_account_do_not_come_back_when_it_is_reactivated(
    client: Client, db: None
) -> None:
    """An admin deactivates an account (a stolen phone, a compromised password): its sessions
    stop working only because get_user checks is_active; the rows stay in accounts_session.
    Reactivating the account revives every one of them, the thief's included. The account_id
    column exists precisely to find and delete them."""
    user = UserFactory.create()
    client.force_login(user)  # e.g. the phone that was stolen
    assert client.get("/api/me").status_code == 200

    user.is_active = False
    user.save()
    assert client.get("/api/me").status_code == 401

    user.is_active = True  # the admin reopens the account for its owner
    user.save()

    assert client.get("/api/me").status_code == 401


# ------------------------------------------------- a password reset leaves the lock-out on


def test_a_completed_password_reset_lifts_the_lock_out(db: None) -> None:
    """The lock-out page tells a locked ASN to try later or get a new activation code. An
    account with a usable password never gets a code (_opens_by_code), so the real remedy is
    the e-mailed reset; but after proving control of the mailbox and setting a new password,
    the ASN is still refused (429) for the whole cool-off."""
    user = UserFactory.create(email="siti@example.org")
    phone = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(phone, user.username, "lupa")
    assert log_in(phone, user.username, PASSWORD).status_code == 429

    phone.post(reverse("accounts:password_reset"), {"email": "siti@example.org"})
    link = re.search(r"https?://[^/]+(/\S+)", str(mail.outbox[0].body))
    assert link is not None
    form_page = phone.get(link.group(1), follow=True)
    done = phone.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    assert log_in(phone, user.username, NEW_PASSWORD).status_code == 302


def test_activating_with_a_code_lifts_a_lock_out_earned_before_the_account_existed(
    client: Client, org: Org
) -> None:
    """A new ASN tries to log in with their NIP before knowing about activation (the old
    habit: a birth date), and is locked out. They then activate with the printed code, are told
    "Your account is active. Log in with your NIP and new password" and are refused (429) for
    the cool-off. A reset by e-mail lifts a lock-out (password_changed(lift_lockout=True));
    the code proves as much and lifts nothing."""
    employee = org.employees(org.kua_a)[0]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = log_in(client, employee.nip, "12121987")
    assert locked.status_code == 429
    [issued] = activation_codes_issue(employees=[employee], actor=None)

    activated = client.post(
        reverse("accounts:activate"),
        {
            "nip": employee.nip,
            "code": issued.code,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert activated.status_code == 302

    assert log_in(client, employee.nip, NEW_PASSWORD).status_code == 302


def test_the_lock_out_page_offers_a_remedy_that_exists(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """accounts/locked_out.html tells a locked ASN to "ask your Pengelola Presensi for a new
    activation code", but activation_codes_issue skips every account with a usable password
    (_opens_by_code), so the operator's printout has no code for them; the page does not
    offer the e-mailed reset, the one remedy that exists."""
    employee = org.employees(org.kua_a)[0]
    employee.user = UserFactory.create(username=employee.nip, email="guru@example.org")
    employee.save(update_fields=["user"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = log_in(client, employee.nip, "lupa")
    assert locked.status_code == 429
    assert activation_codes_issue(employees=[employee], actor=operator_kua_a) == []

    page = locked.content.decode()

    assert reverse("accounts:password_reset") in page
    assert "kode aktivasi" not in page


def test_a_reset_link_mailed_before_a_deactivation_no_longer_sets_a_password(db: None) -> None:
    """PasswordResetView mails no link to an inactive account, but PasswordResetConfirmView
    (Django's get_user, no is_active check) still accepts one mailed before the deactivation:
    whoever holds it sets the password that will be in force when the account is reopened
    (and the audit records a password change by a deactivated account)."""
    user = UserFactory.create(email="siti@example.org")
    browser = Client()
    browser.post(reverse("accounts:password_reset"), {"email": "siti@example.org"})
    link = re.search(r"https?://[^/]+(/\S+)", str(mail.outbox[0].body))
    assert link is not None
    User.objects.filter(pk=user.pk).update(is_active=False)  # the admin closes the account

    form_page = browser.get(link.group(1), follow=True)

    assert form_page.context["validlink"] is False
    assert not form_page.redirect_chain
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_a_reset_link_mailed_before_a_deactivation_stays_dead_after_the_account_is_reopened(
    db: None,
) -> None:
    """PasswordResetConfirmView.get_user refuses the link only while the account is inactive.
    Django's token covers the password, last login and e-mail, none of which a deactivation
    changes, so once an admin reopens the account the link mailed before (to a mailbox the admin
    closed the account over) sets the password again, for up to three days. Sessions were made
    not to come back on reactivation; the links come back."""
    user = UserFactory.create(email="siti@example.org")
    browser = Client()
    browser.post(reverse("accounts:password_reset"), {"email": "siti@example.org"})
    found = re.search(r"https?://[^/]+(/\S+)", str(mail.outbox[0].body))
    assert found is not None
    link = found.group(1)
    user.is_active = False  # the admin closes the account (compromised mailbox)...
    user.save()
    user.is_active = True  # ...and reopens it for its owner the next day
    user.save()

    page = browser.get(link, follow=True)
    if page.redirect_chain:
        browser.post(
            page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    assert page.context["validlink"] is False
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


# ------------------------------------------------------------- production redirects to HTTPS


def test_production_settings_redirect_plain_http_to_https() -> None:
    """production.py sets secure cookies and HSTS but not SECURE_SSL_REDIRECT (check --deploy:
    security.W008), and the README never asks the proxy to redirect. An ASN typing the bare
    domain gets the login form over http; its CSRF cookie is Secure, so the browser drops it
    and the login fails as "out of date", or the password goes out in clear text."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment["DJANGO_SECRET_KEY"] = "a-real-secret-from-the-vault-0123456789"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hadir.config.settings.production as p;"
            " print(getattr(p, 'SECURE_SSL_REDIRECT', False))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


# ------------------------------------------------- an admin lifts a lock-out from the shell


def test_unlock_account_lifts_the_lock_out_of_a_nip_typed_as_printed_and_audits_it(
    db: None,
) -> None:
    """Siti calls the office after five wrong guesses: the admin lifts her lock-out from the
    shell, and the trail says so (axes' own axes_reset_username records nothing)."""
    employee = EmployeeFactory.create()
    employee.user = UserFactory.create(username=employee.nip)
    employee.save()
    phone = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(phone, employee.nip, "lupa")
    assert log_in(phone, employee.nip, PASSWORD).status_code == 429

    out = io.StringIO()
    call_command("unlock_account", spaced(employee.nip), stdout=out)

    assert log_in(phone, employee.nip, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="accounts.lockout_lift")
    assert (event.actor_label, event.object_id) == ("command:unlock_account", str(employee.user.pk))


def test_unlock_account_says_when_there_is_nothing_to_lift(db: None) -> None:
    """A NIP mistyped, or a lock-out already over: the admin is told, and nothing is recorded."""
    with pytest.raises(CommandError, match="Tidak ada penguncian"):
        call_command("unlock_account", "199001012020121001")
    assert not AuditEvent.objects.filter(action="accounts.lockout_lift").exists()
