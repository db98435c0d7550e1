"""The seed's derivable password: opt-in, flagged, and retired at the first login."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from hadir.accounts.models import User
from hadir.accounts.passwords import NotLegacyPasswordValidator, is_legacy_password, legacy_password
from hadir.accounts.services import legacy_accounts_create
from hadir.common.models import AuditEvent
from hadir.org.models import Employee
from tests.conftest import Org
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

NIP = "198712112010121007"
LEGACY = "ASN007111287"
NEW_PASSWORD = "Kaliurang-Sejuk-77"


@pytest.fixture
def employee(org: Org) -> Employee:
    return EmployeeFactory.create(nip=NIP, unit=org.kua_a, name="Ahmad Hidayat")


@pytest.fixture
def legacy_user(settings: Settings, employee: Employee) -> User:
    settings.HADIR_LEGACY_PASSWORDS = True
    assert legacy_accounts_create(employees=[employee], actor=None).created == 1
    employee.refresh_from_db()
    assert employee.user is not None
    return employee.user


def log_in(client: Client, password: str, username: str = NIP) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def change_password(client: Client, old: str, new: str) -> Any:
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_legacy_password_is_asn_last_three_nip_digits_and_birth_date() -> None:
    assert legacy_password(NIP) == LEGACY
    assert legacy_password("199001012022212003") == "ASN003010190"
    assert legacy_password("not a nip") is None


def test_legacy_accounts_get_the_derivable_password_and_must_change_it(
    legacy_user: User,
) -> None:
    assert legacy_user.username == NIP
    assert legacy_user.first_name == "Ahmad Hidayat"
    assert legacy_user.check_password(LEGACY)
    assert legacy_user.must_change_password
    assert AuditEvent.objects.filter(action="accounts.legacy_accounts_create").exists()


def test_legacy_accounts_are_not_created_twice(legacy_user: User, employee: Employee) -> None:
    assert legacy_accounts_create(employees=[employee], actor=None).created == 0
    assert User.objects.filter(username=NIP).count() == 1


def test_legacy_accounts_are_refused_when_the_setting_is_off(
    settings: Settings, employee: Employee
) -> None:
    settings.HADIR_LEGACY_PASSWORDS = False
    with pytest.raises(PermissionError):
        legacy_accounts_create(employees=[employee], actor=None)
    assert not User.objects.exists()


def test_an_admin_gives_a_units_employees_legacy_accounts_with_a_command(
    settings: Settings, employee: Employee, org: Org
) -> None:
    settings.HADIR_LEGACY_PASSWORDS = True
    under = Employee.objects.filter(unit__path__startswith=org.kab_a.path)
    without = under.filter(user__isnull=True).count()
    out = StringIO()

    call_command("legacy_accounts", "--unit", org.kab_a.code, stdout=out)

    assert out.getvalue().strip() == f"{without} akun"
    assert not under.filter(user__isnull=True).exists()
    employee.refresh_from_db()
    assert employee.user is not None
    assert employee.user.must_change_password
    event = AuditEvent.objects.get(action="accounts.legacy_accounts_create")
    assert event.actor_label == "system"


def test_the_command_refuses_when_the_setting_is_off_or_the_unit_is_unknown(
    settings: Settings, employee: Employee, org: Org
) -> None:
    settings.HADIR_LEGACY_PASSWORDS = False
    with pytest.raises(CommandError, match="HADIR_LEGACY_PASSWORDS"):
        call_command("legacy_accounts", "--unit", org.kua_a.code)
    settings.HADIR_LEGACY_PASSWORDS = True
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("legacy_accounts", "--unit", "NOPE")
    assert not User.objects.exists()


def test_a_flagged_user_is_sent_to_the_password_change_page_from_every_page(
    client: Client, org: Org, legacy_user: User
) -> None:
    login = log_in(client, LEGACY)
    assert login.status_code == 302
    change = reverse("accounts:password_change")
    for url in (
        "/",
        reverse("org:units"),
        reverse("org:unit_detail", args=[org.kua_a.pk]),
        "/admin/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == change
    assert client.get(change).status_code == 200


def test_a_flagged_user_gets_403_json_from_the_api(client: Client, legacy_user: User) -> None:
    client.force_login(legacy_user)
    response = client.get("/api/me")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_after_changing_the_password_the_app_opens(client: Client, legacy_user: User) -> None:
    log_in(client, LEGACY)
    response = change_password(client, LEGACY, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    legacy_user.refresh_from_db()
    assert not legacy_user.must_change_password
    assert legacy_user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    assert client.get("/api/me").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.password_change", actor=legacy_user).exists()


def test_the_derivable_password_is_refused_as_a_new_password(
    client: Client, legacy_user: User
) -> None:
    legacy_user.set_password(PASSWORD)
    legacy_user.save()
    client.force_login(legacy_user)
    response = change_password(client, PASSWORD, LEGACY)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    legacy_user.refresh_from_db()
    assert legacy_user.must_change_password
    assert legacy_user.check_password(PASSWORD)


def test_the_validator_names_the_derivable_password_in_any_case() -> None:
    validator = NotLegacyPasswordValidator()
    user = User(username=NIP)
    for candidate in (LEGACY, LEGACY.lower(), f" {LEGACY} "):
        with pytest.raises(ValidationError) as refused:
            validator.validate(candidate, user)
        assert refused.value.code == "legacy_password"
    validator.validate(NEW_PASSWORD, user)
    validator.validate(LEGACY, User(username="admin"))
    validator.validate(LEGACY, None)
    assert validator.get_help_text()


def test_logging_in_with_the_derivable_password_flags_any_account(
    client: Client, employee: Employee
) -> None:
    user = UserFactory.create(username=NIP, password=LEGACY)
    assert not user.must_change_password
    assert log_in(client, LEGACY).status_code == 302
    user.refresh_from_db()
    assert user.must_change_password
    assert client.get("/")["Location"] == reverse("accounts:password_change")


def test_logging_in_with_another_password_does_not_flag(client: Client, employee: Employee) -> None:
    user = UserFactory.create(username=NIP)
    assert log_in(client, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert is_legacy_password(user, LEGACY)
    assert not is_legacy_password(user, PASSWORD)


def test_a_flagged_user_may_still_log_out(client: Client, legacy_user: User) -> None:
    client.force_login(legacy_user)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_legacy_accounts_skip_employees_with_an_invalid_nip(settings: Settings, org: Org) -> None:
    settings.HADIR_LEGACY_PASSWORDS = True
    typo = EmployeeFactory.create(nip="198713112010121007", unit=org.kua_a)
    assert legacy_accounts_create(employees=[typo], actor=None).created == 0
    typo.refresh_from_db()
    assert typo.user is None


def test_legacy_accounts_are_not_created_for_employees_who_have_left(
    settings: Settings, org: Org
) -> None:
    """Nobody whose attendance period has ended gets an activation code (an account in their
    name for whoever holds the page); legacy_accounts gives them an account whose password
    anyone can derive from the NIP, and nobody will ever claim it: whoever knows the NIP logs
    in, sets a password and holds a retired ASN's account."""
    settings.HADIR_LEGACY_PASSWORDS = True
    leaver, colleague = org.employees(org.kua_a)
    leaver.start, leaver.end = date(2019, 1, 1), date(2020, 1, 1)
    leaver.save()

    call_command("legacy_accounts", "--unit", org.kua_a.code, stdout=StringIO())

    colleague.refresh_from_db()
    leaver.refresh_from_db()
    assert colleague.user is not None
    assert leaver.user is None
    assert not User.objects.filter(username=leaver.nip).exists()


def test_legacy_accounts_skip_an_employee_whose_nip_already_names_an_unlinked_account(
    settings: Settings, org: Org
) -> None:
    """legacy_accounts_create saves User(username=nip) without looking: an account of that NIP
    not linked to the record (activation names this case and refuses it clearly) raises
    IntegrityError, and the whole command dies with a traceback, no colleague getting one."""
    settings.HADIR_LEGACY_PASSWORDS = True
    taken, colleague = org.employees(org.kua_a)
    UserFactory.create(username=taken.nip)  # an account of the NIP, not linked to the record

    out = StringIO()

    call_command("legacy_accounts", "--unit", org.kua_a.code, stdout=out)

    colleague.refresh_from_db()
    assert colleague.user is not None
    assert Employee.objects.get(pk=taken.pk).user is None
    assert taken.nip in out.getvalue()
