"""Logging in with a NIP, and the lock-out after repeated wrong passwords (django-axes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from hadir.accounts.models import User
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

NIP = "198712112010121007"
NEW_PASSWORD = "Gunung-Merapi-2910"


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create(username=NIP)


def log_in(client: Client, password: str, username: str = NIP) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def is_logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_an_employee_logs_in_with_nip_and_password(client: Client, user: User) -> None:
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(client)


def test_a_wrong_password_shows_the_form_again(client: Client, user: User) -> None:
    response = log_in(client, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(client)


def test_a_deactivated_account_is_told_so_only_with_the_right_password(
    client: Client, user: User
) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)

    right = log_in(client, PASSWORD)
    wrong = log_in(client, "wrong")

    assert right.context["form"].non_field_errors() == [
        "Akun ini dinonaktifkan: tidak dapat masuk maupun presensi. Hubungi Pengelola Presensi."
    ]
    assert wrong.context["form"].non_field_errors() == [
        "NIP atau kata sandi salah. Huruf besar/kecil pada kata sandi berpengaruh."
    ]
    assert not is_logged_in(client)


def test_after_the_failure_limit_even_the_right_password_is_refused(
    client: Client, user: User
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert log_in(client, "wrong").status_code == 200
    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_a_success_before_the_limit_resets_the_count(client: Client, user: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(limit - 1):
        assert log_in(client, "wrong").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_limit_follows_the_setting(client: Client, user: User, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    assert log_in(client, "wrong").status_code == 200
    assert log_in(client, "wrong").status_code == 429
    assert log_in(client, PASSWORD).status_code == 429


def test_lock_out_of_one_account_does_not_lock_another(client: Client, user: User) -> None:
    other = UserFactory.create()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD, username=other.username).status_code == 302


def test_lock_out_from_one_address_does_not_lock_the_account_elsewhere(
    client: Client, user: User
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    response = elsewhere.post(reverse("accounts:login"), {"username": NIP, "password": PASSWORD})
    assert response.status_code == 302


def test_behind_the_proxy_a_strangers_failures_do_not_lock_the_teacher_out_at_school(
    user: User, settings: Settings
) -> None:
    """Every request reaches the app from the proxy on 127.0.0.1; the address the proxy saw is
    the last entry of X-Forwarded-For."""
    settings.HADIR_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    stranger = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger.post(reverse("accounts:login"), {"username": NIP, "password": "wrong"})
    assert log_in(stranger, PASSWORD).status_code == 429

    at_school = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert log_in(at_school, PASSWORD).status_code == 302


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy_and_only_its_last_entry(
    user: User, settings: Settings
) -> None:
    """What a client writes into X-Forwarded-For itself comes first: the proxy appends."""
    settings.HADIR_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    for forged in (
        Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="198.51.100.7"),
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66"),
    ):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(forged, "wrong")
    at_school = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert log_in(at_school, PASSWORD).status_code == 302
    garbled = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="bukan-alamat")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(garbled, "wrong")
    assert log_in(Client(REMOTE_ADDR="127.0.0.1"), PASSWORD).status_code == 429  # the proxy's


def test_a_proxy_may_be_a_network_and_is_known_when_seen_ipv4_mapped(
    user: User, settings: Settings
) -> None:
    settings.HADIR_TRUSTED_PROXIES = frozenset({"10.0.0.0/8"})
    for remote in ("10.1.2.3", "::ffff:10.1.2.3"):
        stranger = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="203.0.113.66")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(stranger, "wrong")
        at_school = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert log_in(at_school, PASSWORD).status_code == 302


def test_a_trusted_proxy_that_is_no_address_stops_the_server_at_start(settings: Settings) -> None:
    from hadir.common.addresses import trusted_proxies_check

    settings.HADIR_TRUSTED_PROXIES = frozenset({"127.0.0.1", "localhost"})
    assert [error.id for error in trusted_proxies_check()] == ["hadir.E001"]


def test_a_logged_in_user_is_not_shown_the_login_form_again(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logging_out_needs_a_post_and_ends_the_session(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_nip_typed_with_spaces_and_dots_logs_in(client: Client) -> None:
    employee = EmployeeFactory.create()
    user = UserFactory.create(username=employee.nip)
    spaced = f"{employee.nip[:8]} {employee.nip[8:14]}.{employee.nip[14]}.{employee.nip[15:]}"

    response = client.post(reverse("accounts:login"), {"username": spaced, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_logged_in_user_opening_the_login_page_with_next_pointing_at_it_goes_home_not_to_a_500(
    db: None,
) -> None:
    """LoginView has redirect_authenticated_user=True: Django raises ValueError ("Redirection
    loop for authenticated user detected") when ``next`` is the login page itself, so any
    logged-in user following /akun/masuk/?next=/akun/masuk/ gets a server error."""
    user = UserFactory.create()
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get(f"{reverse('accounts:login')}?next={reverse('accounts:login')}")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_current_password_cannot_be_guessed_without_limit_on_the_password_change_page(
    db: None,
) -> None:
    """Whoever holds a logged-in phone (lost, borrowed, a warnet PC) may try old passwords on
    /akun/kata-sandi/ forever: PasswordChangeForm checks it with check_password, which
    django-axes never counts. Once found, they change it and own the account. The lock-out
    promised for "5 failures for one account from one address" should hold here too."""
    user = UserFactory.create(username="198712112010121007")
    thief = Client()
    thief.force_login(user)
    for attempt in range(settings.AXES_FAILURE_LIMIT * 4):
        thief.post(
            reverse("accounts:password_change"),
            {
                "old_password": f"tebakan-{attempt}",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

    locked = thief.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan gagal" in locked.content.decode()
