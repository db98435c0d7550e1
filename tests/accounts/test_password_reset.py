"""Forgotten passwords: a reset link by e-mail, for accounts that have an address."""

from __future__ import annotations

import re
import smtplib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hadir.accounts.models import User
from hadir.accounts.services import account_activate, activation_codes_issue
from hadir.accounts.tokens import ResetTokenGenerator
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.org.services import employees_import
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Tugu-Jogja-Malam-88"


def request_reset(client: Client, email: str) -> Any:
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_password_reset_sends_a_link_to_a_user_with_an_email(client: Client, db: None) -> None:
    UserFactory.create(email="siti@example.org")
    response = request_reset(client, "siti@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@example.org"]
    assert "/akun/atur-ulang/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client: Client, db: None
) -> None:
    response = request_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_second_reset_asked_at_once_mails_nothing_more_and_says_the_same(
    client: Client, db: None
) -> None:
    """A script asking again and again does not fill her inbox; the page does not tell it so."""
    user = UserFactory.create(email="siti@example.org")
    request_reset(client, "siti@example.org")

    again = request_reset(client, "siti@example.org")

    assert again["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    mailed = AuditEvent.objects.filter(action="account.reset_mailed", object_id=str(user.pk))
    assert mailed.count() == 1


def test_a_reset_may_be_mailed_again_once_the_spacing_has_passed(
    client: Client, db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    UserFactory.create(email="siti@example.org")
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    request_reset(client, "siti@example.org")
    clock.advance(seconds=settings.HADIR_RESET_MAIL_EVERY.total_seconds() + 1)

    request_reset(client, "siti@example.org")

    assert len(mail.outbox) == 2


def test_the_reset_link_sets_a_new_password_and_lifts_the_must_change_flag(
    client: Client, db: None
) -> None:
    user = UserFactory.create(email="siti@example.org", must_change_password=True)
    request_reset(client, "siti@example.org")
    link = re.search(r"https?://[^/]+(/\S+)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.must_change_password
    assert AuditEvent.objects.filter(action="accounts.password_change", actor=user).exists()


def test_login_page_offers_activation_and_reset(client: Client, db: None) -> None:
    content = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:activate") in content
    assert reverse("accounts:password_reset") in content


def test_an_ordinary_password_change_keeps_the_user_logged_in(client: Client, db: None) -> None:
    user: User = UserFactory.create()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def address_imported(tmp_path: Path, employee: Employee, email: str) -> None:
    """The operator's employees sheet, the employee's row as it stands but for ``email``."""
    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "nip,name,unit,pattern,golongan,start,email\n"
        f"{employee.nip},{employee.name},{employee.unit.code},,{employee.golongan},"
        f"{employee.start:%Y-%m-%d},{email}\n",
        encoding="utf-8",
    )
    employees_import(path=sheet, actor_label="operator")


def test_a_password_reset_goes_to_the_address_now_on_the_employee_record(
    org: Org, tmp_path: Path
) -> None:
    """Activation copies the record's address to the account; a later correction by the
    operator (the import, the admin) reaches the account too, so the reset links go to the
    corrected address and no longer to the wrong one (a colleague's, an old office mailbox)."""
    employee = org.employees(org.kua_a)[0]
    employee.email = "salah@example.org"  # a colleague's address, entered by mistake
    employee.save()
    [issued] = activation_codes_issue(employees=[employee], actor=None)
    account_activate(nip=employee.nip, code=issued.code, password=NEW_PASSWORD)
    address_imported(tmp_path, employee, "benar@example.org")
    employee.refresh_from_db()
    assert employee.email == "benar@example.org"

    Client().post(reverse("accounts:password_reset"), {"email": "benar@example.org"})
    Client().post(reverse("accounts:password_reset"), {"email": "salah@example.org"})

    assert [message.to for message in mail.outbox] == [["benar@example.org"]]


def test_the_reset_mail_links_to_the_site_url_not_to_the_host_the_request_named(
    settings: Settings, db: None
) -> None:
    """HADIR_SITE_URL is "where the site is reached, for the links in e-mails", and the
    notification mails use it; the reset mail is Django's template with {{ protocol }}://
    {{ domain }} from the request's Host. Behind nginx's default Host ($proxy_host) with
    127.0.0.1 in ALLOWED_HOSTS, every reset link points at http://127.0.0.1:8000/..."""
    settings.HADIR_SITE_URL = "https://hadir.example.go.id"
    settings.ALLOWED_HOSTS = ["hadir.example.go.id", "127.0.0.1"]
    UserFactory.create(email="siti@example.org")

    Client(HTTP_HOST="127.0.0.1:8000").post(
        reverse("accounts:password_reset"), {"email": "siti@example.org"}
    )

    assert "https://hadir.example.go.id/akun/atur-ulang/" in str(mail.outbox[0].body)


def test_an_operators_edit_of_a_verifiers_address_leaves_the_verifiers_reset_links_alone(
    org: Org, tmp_path: Path
) -> None:
    """The operator may correct any colleague's record; a verifier's or an admin's reset links
    must not follow it to a mailbox of the operator's choosing (an admin sets those)."""
    employee = org.employees(org.kua_a)[0]
    verifier = user_with_role(Role.VERIFIER, org.kua_a)
    verifier.email = "verifikator@example.org"
    verifier.save()
    employee.user = verifier
    employee.save()
    address_imported(tmp_path, employee, "operator@example.org")

    verifier.refresh_from_db()
    assert verifier.email == "verifikator@example.org"


def _server_down(self: Any, messages: Any) -> int:
    """The mail server is down (a timeout, a refused connection)."""
    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_reset_mail_the_server_could_not_send_does_not_hold_back_the_next_one(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Siti asks for a reset link while the mail server is down: nothing arrives. When she
    asks again a minute later (the server back), she must get her link, not wait fifteen
    minutes for a mail that was never sent; and the trail must not say one was mailed."""
    UserFactory.create(email="siti@example.org")
    with monkeypatch.context() as down:
        down.setattr(locmem.EmailBackend, "send_messages", _server_down)
        request_reset(client, "siti@example.org")
    assert mail.outbox == []

    request_reset(client, "siti@example.org")

    assert len(mail.outbox) == 1
    trail = AuditEvent.objects.filter(action__startswith="account.reset").order_by("pk")
    assert list(trail.values_list("action", flat=True)) == [
        "account.reset_mailed",
        "account.reset_mail_failed",
        "account.reset_mailed",
    ]


def test_two_reset_requests_arriving_together_mail_one_link_only(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script posts Siti's address twice at once (two server processes answer): the second,
    answered while the first builds its mail, finds it recorded and mails nothing, or a script
    firing in bursts would get as many mails as the server has workers."""
    UserFactory.create(email="siti@example.org")
    make_token = ResetTokenGenerator.make_token
    other = Client()
    arrived: list[bool] = []

    def token_while_another_request_arrives(self: Any, user: Any) -> str:
        if not arrived:  # the other process answers while this one builds its mail
            arrived.append(True)
            request_reset(other, "siti@example.org")
        return make_token(self, user)

    monkeypatch.setattr(ResetTokenGenerator, "make_token", token_while_another_request_arrives)

    request_reset(client, "siti@example.org")

    assert arrived
    assert len(mail.outbox) == 1
