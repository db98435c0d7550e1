"""Activation: an operator prints one-time codes; an employee turns one into an account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hadir.accounts.models import ActivationCode, User
from hadir.accounts.passwords import legacy_password
from hadir.accounts.services import (
    ActivationRefused,
    account_activate,
    activation_codes_issue,
)
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from tests.conftest import Org, user_with_role
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

NEW_PASSWORD = "Gunung-Merapi-2910"


def issue(client: Client, unit_id: int) -> Any:
    return client.post(reverse("accounts:activation_codes", args=[unit_id]))


def activate(client: Client, nip: str, code: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        reverse("accounts:activate"),
        {"nip": nip, "code": code, "password1": password, "password2": password},
    )


def codes_by_nip(response: Any) -> dict[str, str]:
    return {item.employee.nip: item.code for item in response.context["issued"]}


def refusal(response: Any) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def codes(client: Client, org: Org, operator_kua_a: User) -> dict[str, str]:
    """Codes the operator of KUA A printed for its two employees (client logged out after)."""
    client.force_login(operator_kua_a)
    response = issue(client, org.kua_a.pk)
    client.logout()
    return codes_by_nip(response)


def test_operator_issues_a_printable_code_for_each_employee_of_their_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    response = issue(client, org.kua_a.pk)
    assert response.status_code == 200
    issued = codes_by_nip(response)
    assert set(issued) == {e.nip for e in org.employees(org.kua_a)}
    content = response.content.decode()
    for nip, code in issued.items():
        assert nip in content
        assert code in content
    assert ActivationCode.objects.filter(employee__unit=org.kua_a).count() == 2


def test_a_kankemenag_operator_prints_codes_for_every_unit_below_it(
    client: Client, org: Org
) -> None:
    client.force_login(user_with_role(Role.OPERATOR, org.kab_a))
    issued = codes_by_nip(issue(client, org.kab_a.pk))
    below = {e.nip for unit in (org.kab_a, org.kua_a, org.man_a) for e in org.employees(unit)}
    assert set(issued) == below
    assert not set(issued) & {e.nip for e in org.employees(org.kua_b)}


def test_codes_for_a_unit_outside_the_operators_scope_are_a_404(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    assert issue(client, org.kua_b.pk).status_code == 404
    assert not ActivationCode.objects.exists()


def test_a_verifier_cannot_issue_codes(client: Client, org: Org) -> None:
    client.force_login(user_with_role(Role.VERIFIER, org.kua_a))
    assert issue(client, org.kua_a.pk).status_code == 404
    assert not ActivationCode.objects.exists()


def test_codes_are_issued_only_by_post(client: Client, org: Org, operator_kua_a: User) -> None:
    client.force_login(operator_kua_a)
    response = client.get(reverse("accounts:activation_codes", args=[org.kua_a.pk]))
    assert response.status_code == 405
    assert not ActivationCode.objects.exists()


def test_employee_activates_with_nip_code_and_password_then_logs_in(
    client: Client, org: Org, codes: dict[str, str]
) -> None:
    nip, code = next(iter(codes.items()))
    response = activate(client, nip, code)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    employee = Employee.objects.select_related("user").get(nip=nip)
    assert employee.user is not None
    assert employee.user.username == nip
    assert employee.user.first_name == employee.name
    login = client.post(reverse("accounts:login"), {"username": nip, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.get("/").status_code == 200


def test_codes_are_typed_forgivingly(client: Client, org: Org, codes: dict[str, str]) -> None:
    nip, code = next(iter(codes.items()))
    assert activate(client, nip, code.replace("-", " ").lower()).status_code == 302


def test_a_code_works_only_once(client: Client, org: Org, codes: dict[str, str]) -> None:
    nip, code = next(iter(codes.items()))
    assert activate(client, nip, code).status_code == 302
    assert refusal(activate(client, nip, code, password="Another-Pass-2025"))
    user = User.objects.get(username=nip)
    assert user.check_password(NEW_PASSWORD)


def test_wrong_expired_and_other_employees_codes_are_refused_alike(
    client: Client, org: Org, codes: dict[str, str]
) -> None:
    (nip, code), (other_nip, other_code) = sorted(codes.items())
    wrong = refusal(activate(client, nip, "ABCDE-FGHJK"))
    someone_elses = refusal(activate(client, nip, other_code))
    ActivationCode.objects.filter(employee__nip=nip).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = refusal(activate(client, nip, code))
    assert wrong
    assert wrong == someone_elses == expired
    assert not Employee.objects.filter(user__isnull=False).exists()
    assert not User.objects.filter(username__in=[nip, other_nip]).exists()


def test_only_a_hash_of_the_code_is_stored(client: Client, org: Org, codes: dict[str, str]) -> None:
    stored = list(ActivationCode.objects.values_list("code_hash", flat=True))
    audit = [f"{e.summary} {e.before} {e.after}" for e in AuditEvent.objects.all()]
    for code in codes.values():
        bare = code.replace("-", "")
        assert all(bare not in value and code not in value for value in stored)
        assert all(bare not in text and code not in text for text in audit)
    assert all(len(value) == 64 for value in stored)


def test_issuing_new_codes_cancels_the_old_ones(
    client: Client, org: Org, operator_kua_a: User, codes: dict[str, str]
) -> None:
    client.force_login(operator_kua_a)
    fresh = codes_by_nip(issue(client, org.kua_a.pk))
    client.logout()
    nip = next(iter(codes))
    assert fresh[nip] != codes[nip]
    assert ActivationCode.objects.filter(employee__nip=nip).count() == 1
    assert refusal(activate(client, nip, codes[nip]))
    assert activate(client, nip, fresh[nip]).status_code == 302


def test_employees_with_an_active_account_get_no_new_code(
    client: Client, org: Org, operator_kua_a: User, employee_user: User
) -> None:
    client.force_login(operator_kua_a)
    issued = codes_by_nip(issue(client, org.kua_a.pk))
    assert employee_user.employee.nip not in issued
    assert len(issued) == 1


def test_activation_refuses_a_weak_or_derivable_password(
    client: Client, org: Org, codes: dict[str, str]
) -> None:
    nip, code = next(iter(codes.items()))
    weak = activate(client, nip, code, password="12345678")
    assert weak.context["form"].errors["password1"]
    derivable = activate(client, nip, code, password=legacy_password(nip) or "")
    assert derivable.context["form"].errors["password1"]
    mismatch = client.post(
        reverse("accounts:activate"),
        {"nip": nip, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert mismatch.context["form"].errors["password2"]
    assert not User.objects.filter(username=nip).exists()


def test_activation_writes_audit_rows(
    client: Client, org: Org, codes: dict[str, str], operator_kua_a: User
) -> None:
    issued = AuditEvent.objects.get(action="accounts.activation_codes_issue")
    assert issued.actor == operator_kua_a
    assert sorted(issued.after["nips"]) == sorted(codes)  # type: ignore[index]
    nip, code = next(iter(codes.items()))
    activate(client, nip, code)
    activated = AuditEvent.objects.get(action="accounts.activate")
    assert activated.actor == User.objects.get(username=nip)
    assert activated.summary == nip


def test_activation_reopens_an_account_that_has_no_usable_password(org: Org) -> None:
    employee = org.employees(org.kua_a)[0]
    user = UserFactory.create(username=employee.nip, must_change_password=True)
    user.set_unusable_password()
    user.save()
    employee.user = user
    employee.save()
    operator = UserFactory.create()
    [issued] = activation_codes_issue(employees=[employee], actor=operator)
    account = account_activate(nip=employee.nip, code=issued.code, password=NEW_PASSWORD)
    assert account.pk == user.pk
    assert account.check_password(NEW_PASSWORD)
    assert not account.must_change_password


def test_the_service_refuses_without_saying_which_part_was_wrong(org: Org) -> None:
    employee = org.employees(org.kua_a)[0]
    [issued] = activation_codes_issue(employees=[employee], actor=None)
    with pytest.raises(ActivationRefused) as wrong_nip:
        account_activate(nip=org.employees(org.kua_b)[0].nip, code=issued.code, password=PASSWORD)
    with pytest.raises(ActivationRefused) as wrong_code:
        account_activate(nip=employee.nip, code="ZZZZZ-ZZZZZ", password=PASSWORD)
    assert str(wrong_nip.value) == str(wrong_code.value)


def test_no_code_opens_a_deactivated_account_or_one_that_can_do_more_than_an_employee(
    org: Org,
) -> None:
    """An operator prints the codes: a code must not let them choose the password of an
    account an admin deactivated, or of one holding a role or the admin's flags."""
    deactivated, with_role, staff, fresh = (
        org.employees(org.kua_a)[:2] + org.employees(org.man_a)[:2]
    )
    for employee, account in (
        (deactivated, UserFactory.create(username=deactivated.nip, is_active=False)),
        (with_role, user_with_role(Role.ADMIN, None)),
        (staff, UserFactory.create(username=staff.nip, is_staff=True)),
    ):
        account.set_unusable_password()  # never set: a code would otherwise open it
        account.save()
        employee.user = account
        employee.save(update_fields=["user"])

    issued = activation_codes_issue(
        employees=[deactivated, with_role, staff, fresh], actor=UserFactory.create()
    )

    assert [code.employee for code in issued] == [fresh]


def test_a_code_printed_before_the_account_got_a_role_no_longer_opens_it(org: Org) -> None:
    employee = org.employees(org.kua_a)[0]
    [issued] = activation_codes_issue(employees=[employee], actor=UserFactory.create())
    account = user_with_role(Role.OPERATOR, org.kua_a)
    account.set_unusable_password()
    account.save()
    employee.user = account
    employee.save(update_fields=["user"])

    with pytest.raises(ActivationRefused, match="tidak dapat dibuka dengan kode"):
        account_activate(nip=employee.nip, code=issued.code, password=NEW_PASSWORD)
    account.refresh_from_db()
    assert not account.has_usable_password()


def test_an_account_of_the_nip_not_linked_to_the_employee_is_refused_clearly(
    client: Client, org: Org, codes: dict[str, str]
) -> None:
    """An admin created it by hand, or the employee record was deleted and imported again."""
    nip, code = next(iter(codes.items()))
    UserFactory.create(username=nip)

    assert refusal(activate(client, nip, code)) == [
        "Akun dengan NIP ini ada tetapi tidak terhubung ke data pegawai Anda."
        " Minta admin menghubungkannya."
    ]


def test_activation_codes_are_not_printed_for_employees_who_have_left(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    leaver = org.employees(org.kua_a)[0]
    leaver.start, leaver.end = date(2019, 1, 1), date(2020, 1, 1)  # left years ago, no account
    leaver.save()
    client.force_login(operator_kua_a)

    response = client.post(f"/akun/kode-aktivasi/{org.kua_a.pk}/")

    assert response.status_code == 200
    printed = {item.employee.nip for item in response.context["issued"]}
    assert org.employees(org.kua_a)[1].nip in printed  # a serving colleague gets one
    assert leaver.nip not in printed
    assert not ActivationCode.objects.filter(employee=leaver).exists()


def test_activation_refuses_a_password_too_like_the_employees_name(
    client: Client, org: Org
) -> None:
    """ActivationForm validates against User(username=nip) only, so the configured
    UserAttributeSimilarityValidator never sees the name and e-mail the account is given a
    moment later: "SitiNurhaliza" opens the account, yet the very same password is refused on
    the change and reset pages ("terlalu mirip dengan nama depan")."""
    employee = EmployeeFactory.create(
        unit=org.kua_a, name="Siti Nurhaliza", email="siti.nurhaliza@kemenag.go.id"
    )
    [issued] = activation_codes_issue(employees=[employee], actor=None)

    response = client.post(
        reverse("accounts:activate"),
        {
            "nip": employee.nip,
            "code": issued.code,
            "password1": "SitiNurhaliza",
            "password2": "SitiNurhaliza",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username=employee.nip).exists()
