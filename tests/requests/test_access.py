"""Who may open a request and its letter: the owner, the verifiers of the unit, admins.

Everyone else gets exactly what a request that does not exist gives, a 404, so nobody can probe
reference numbers; anonymous visitors are sent to log in first. A verifier never decides, nor
even sees in the queue, their own request.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hadir.accounts.models import User
from hadir.common.access import can_decide
from hadir.org.models import Employee, Role
from hadir.requests.models import Request, Status
from hadir.requests.services import RequestRefused, request_decide
from tests.conftest import Org, user_with_role
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    account,
    approve,
    client_for,
    file_request,
    page_messages,
    pdf_letter,
)

MISSING = "PGD-2024-999999"
PAGES = ("requests:detail", "requests:evidence")


def _get(client: Client, name: str, reference: str) -> tuple[int, bytes]:
    response = client.get(reverse(name, args=[reference]))
    streamed = getattr(response, "streaming_content", None)
    content = b"".join(streamed) if streamed is not None else response.content
    return response.status_code, content


@pytest.fixture
def request_of_siti(siti: Employee) -> Request:
    return file_request(siti, "SISTEM_ERROR", MONDAY)


@pytest.fixture
def outsiders(org: Org, budi: Employee, verifier_b: User) -> dict[str, User]:
    """People who must not see Siti's request, however close they are to her."""
    return {
        "a colleague of the same unit": account(budi),
        "the verifier of another unit": verifier_b,
        "the operator of her own unit": user_with_role(Role.OPERATOR, org.kua_a),
        "the head of her own unit": user_with_role(Role.LEADER, org.kua_a),
        "the supervisor of her kankemenag": user_with_role(Role.SUPERVISOR, org.kab_a),
    }


@pytest.fixture
def insiders(org: Org, siti: Employee, verifier: User) -> dict[str, User]:
    return {
        "the employee herself": account(siti),
        "the verifier of her kankemenag": verifier,
        "the verifier of the kanwil above it": user_with_role(Role.VERIFIER, org.kanwil),
        "an admin": user_with_role(Role.ADMIN, None),
    }


def test_the_owner_her_verifiers_and_admins_open_the_request_and_its_letter(
    request_of_siti: Request, insiders: dict[str, User]
) -> None:
    for who, user in insiders.items():
        client = client_for(user)
        status, page = _get(client, "requests:detail", request_of_siti.reference)
        assert (who, status) == (who, 200)
        assert request_of_siti.reference.encode() in page
        status, letter = _get(client, "requests:evidence", request_of_siti.reference)
        assert (who, status, letter) == (who, 200, pdf_letter())


def test_everyone_else_gets_the_same_not_found_as_for_a_missing_request(
    request_of_siti: Request, outsiders: dict[str, User]
) -> None:
    for who, user in outsiders.items():
        client = client_for(user)
        for name in PAGES:
            missing = _get(client, name, MISSING)
            assert missing[0] == 404
            assert (who, name, _get(client, name, request_of_siti.reference)) == (
                who,
                name,
                missing,
            )


def test_anonymous_visitors_are_sent_to_log_in_for_the_request_and_its_letter(
    client: Client, request_of_siti: Request
) -> None:
    login = reverse("accounts:login")
    for name in PAGES:
        for reference in (request_of_siti.reference, MISSING):
            url = reverse(name, args=[reference])
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"] == f"{login}?next={url}"


def test_outsiders_cannot_withdraw_or_decide_and_get_not_found(
    request_of_siti: Request, outsiders: dict[str, User]
) -> None:
    for user in outsiders.values():
        client = client_for(user)
        for name, data in (
            ("requests:withdraw", {}),
            ("requests:decide", {"decision": "approve"}),
        ):
            response = client.post(reverse(name, args=[request_of_siti.reference]), data)
            assert response.status_code == 404
    request_of_siti.refresh_from_db()
    assert request_of_siti.status == Status.SUBMITTED
    assert request_of_siti.decided_by is None


def test_anonymous_visitors_cannot_decide(client: Client, request_of_siti: Request) -> None:
    response = client.post(
        reverse("requests:decide", args=[request_of_siti.reference]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert Request.objects.get(pk=request_of_siti.pk).status == Status.SUBMITTED


def test_the_verifier_of_another_unit_cannot_decide_even_through_the_service(
    request_of_siti: Request, verifier_b: User
) -> None:
    assert not can_decide(verifier_b, request_of_siti)
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        request_decide(actor=verifier_b, request=request_of_siti, approve=True)
    assert str(refused.value) == "You cannot decide this request."
    assert Request.objects.get(pk=request_of_siti.pk).status == Status.SUBMITTED


def test_the_employee_sees_only_her_own_requests_in_her_list(
    siti: Employee, budi: Employee
) -> None:
    mine = file_request(siti, "SISTEM_ERROR", MONDAY)
    theirs = file_request(budi, "SISTEM_ERROR", TUESDAY)
    listed = client_for(account(siti)).get(reverse("requests:index")).context["requests"]
    assert [r.reference for r in listed] == [mine.reference]
    assert (
        theirs.reference
        not in client_for(account(siti)).get(reverse("requests:index")).content.decode()
    )


def test_pages_for_employees_are_not_found_for_a_user_who_is_not_one(verifier: User) -> None:
    client = client_for(verifier)
    for name in ("requests:index", "requests:new", "requests:gaps"):
        assert client.get(reverse(name)).status_code == 404


def test_the_verification_queue_is_not_found_for_anyone_but_verifiers(
    siti: Employee, outsiders: dict[str, User], verifier: User
) -> None:
    for user in [account(siti), *outsiders.values()]:
        if user.pk == outsiders["the verifier of another unit"].pk:
            continue
        assert client_for(user).get(reverse("requests:queue")).status_code == 404
    assert client_for(verifier).get(reverse("requests:queue")).status_code == 200


# ---------------------------------------------------------------- no self-approval


@pytest.fixture
def verifying_employee(org: Org, verifier: User) -> Employee:
    """The verifier of Kankemenag A is also a Pegawai there, and files her own requests."""
    employee = org.employees(org.kab_a)[0]
    employee.user = verifier
    employee.save(update_fields=["user"])
    return employee


def test_a_verifier_cannot_decide_her_own_request(
    verifying_employee: Employee, verifier: User
) -> None:
    own = file_request(verifying_employee, "SISTEM_ERROR", MONDAY)
    assert not can_decide(verifier, own)
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        approve(own, verifier)
    assert str(refused.value) == "You cannot decide this request."
    assert Request.objects.get(pk=own.pk).status == Status.SUBMITTED


def test_her_own_request_is_not_in_her_queue_and_her_page_offers_no_decision(
    verifying_employee: Employee, verifier: User, siti: Employee
) -> None:
    own = file_request(verifying_employee, "SISTEM_ERROR", MONDAY)
    others = file_request(siti, "SISTEM_ERROR", MONDAY)
    client = client_for(verifier)
    queue = client.get(reverse("requests:queue"))
    assert [item.reference for item, *_around in queue.context["items"]] == [others.reference]
    assert queue.context["total"] == 1
    page = client.get(reverse("requests:detail", args=[own.reference]))
    assert page.status_code == 200
    assert page.context["can_decide"] is False
    assert reverse("requests:decide", args=[own.reference]) not in page.content.decode()


def test_deciding_her_own_request_over_http_is_refused_and_changes_nothing(
    verifying_employee: Employee, verifier: User
) -> None:
    own = file_request(verifying_employee, "SISTEM_ERROR", MONDAY)
    client = client_for(verifier)
    response = client.post(
        reverse("requests:decide", args=[own.reference]),
        {"decision": "approve", "next": "detail"},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert "You cannot decide this request." in page_messages(response)
    bulk = client.post(
        reverse("requests:queue"), {"decision": "approve", "chosen": [own.pk]}, follow=True
    )
    assert bulk.status_code == 200
    assert Request.objects.get(pk=own.pk).status == Status.SUBMITTED


def test_another_verifier_above_her_decides_her_request(
    org: Org, verifying_employee: Employee
) -> None:
    own = file_request(verifying_employee, "SISTEM_ERROR", MONDAY)
    kanwil_verifier = user_with_role(Role.VERIFIER, org.kanwil)
    assert can_decide(kanwil_verifier, own)
    approve(own, kanwil_verifier)
    assert Request.objects.get(pk=own.pk).status == Status.APPROVED
