"""Forgotten passwords: a reset link by e-mail, for accounts that have an address."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
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
