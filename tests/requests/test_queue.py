"""Verifikasi: the verifier's queue, oldest first, only their units, decided one by one or in bulk.

A bulk decision decides each request on its own: one refused (a rejection without a note, a
cuti over the balance) is reported by reference and the others are still decided.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from hadir.requests.models import Request, Status
from hadir.requests.selectors import verification_queue
from hadir.requests.services import requests_decide_bulk
from hadir.schedules import cache
from hadir.schedules.models import PolicyValue
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    approve,
    client_for,
    file_request,
    local,
    page_messages,
)

QUEUE = reverse("requests:queue")


def queued(client: Client) -> list[str]:
    return [item.reference for item, *_around in client.get(QUEUE).context["items"]]


@pytest.fixture
def three_waiting(
    siti: Employee, budi: Employee, man_teacher: Employee, clock: Clock
) -> list[Request]:
    """Filed in the order Siti, Budi, the teacher but sent 09:00, 07:00, 08:00 (by the clock)."""
    filed = []
    for employee, sent in ((siti, "09:00"), (budi, "07:00"), (man_teacher, "08:00")):
        clock.set(local(MONDAY, sent))
        filed.append(file_request(employee, "SISTEM_ERROR", MONDAY))
    return filed


def test_the_queue_lists_the_oldest_submission_first(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, budi, teacher = three_waiting
    client = client_for(verifier)
    assert queued(client) == [budi.reference, teacher.reference, siti.reference]
    page = client.get(QUEUE).content.decode()
    positions = [page.index(r.reference) for r in (budi, teacher, siti)]
    assert positions == sorted(positions)


def test_the_queue_holds_only_the_verifiers_units_and_only_waiting_requests(
    three_waiting: list[Request],
    kua_b_employee: Employee,
    verifier: User,
    verifier_b: User,
    org: Org,
    clock: Clock,
) -> None:
    clock.set(local(TUESDAY, "10:00"))
    elsewhere = file_request(kua_b_employee, "SISTEM_ERROR", TUESDAY)
    siti, budi, teacher = three_waiting
    approve(budi, verifier)
    assert queued(client_for(verifier)) == [teacher.reference, siti.reference]
    assert queued(client_for(verifier_b)) == [elsewhere.reference]
    kua_a_only = user_with_role(Role.VERIFIER, org.kua_a)
    assert queued(client_for(kua_a_only)) == [siti.reference]
    admin = user_with_role(Role.ADMIN, None)
    assert [r.reference for r in verification_queue(user=admin)] == [
        teacher.reference,
        siti.reference,
        elsewhere.reference,
    ]


def test_each_letter_in_the_queue_has_a_link_that_opens_it_where_a_frame_cannot(
    three_waiting: list[Request], verifier: User
) -> None:
    """Android's browser shows no PDF inside a page: a verifier on a phone opens the letter by
    its link instead of seeing an empty frame."""
    page = client_for(verifier).get(QUEUE).content.decode()
    for request in three_waiting:
        letter = reverse("requests:evidence", args=[request.reference])
        assert f'<a href="{letter}" target="_blank" rel="noopener">Buka surat (PDF)</a>' in page


def test_the_queue_shows_the_count_waiting(three_waiting: list[Request], verifier: User) -> None:
    assert client_for(verifier).get(QUEUE).context["total"] == 3


def test_bulk_approval_decides_the_chosen_ones(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, budi, teacher = three_waiting
    response = client_for(verifier).post(
        QUEUE,
        {"decision": "approve", "chosen": [siti.pk, teacher.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert page_messages(response) == ["2 requests decided."]
    statuses = dict(Request.objects.values_list("pk", "status"))
    assert statuses == {
        siti.pk: Status.APPROVED,
        budi.pk: Status.SUBMITTED,
        teacher.pk: Status.APPROVED,
    }
    assert set(Request.objects.filter(status="APPROVED").values_list("decided_by", flat=True)) == {
        verifier.pk
    }


def test_a_bulk_choice_that_is_no_id_is_left_out_not_an_error(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, _budi, _teacher = three_waiting

    response = client_for(verifier).post(
        QUEUE, {"decision": "approve", "chosen": [siti.pk, "²", "x"]}, follow=True
    )

    assert response.status_code == 200
    assert Request.objects.get(pk=siti.pk).status == Status.APPROVED
    assert Request.objects.filter(status=Status.SUBMITTED).count() == 2


def test_bulk_rejection_without_a_note_rejects_nothing_and_says_why_for_each(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, budi, _teacher = three_waiting
    response = client_for(verifier).post(
        QUEUE,
        {"decision": "reject", "note": " ", "chosen": [siti.pk, budi.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    reason = "Write a note saying why the request is rejected."
    assert sorted(page_messages(response)) == sorted(
        [f"{siti.reference}: {reason}", f"{budi.reference}: {reason}"]
    )
    assert set(Request.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_bulk_rejection_with_a_note_rejects_each_with_that_note(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, budi, teacher = three_waiting
    client_for(verifier).post(
        QUEUE,
        {"decision": "reject", "note": "Surat tidak dilampirkan.", "chosen": [siti.pk, budi.pk]},
    )
    rejected = Request.objects.filter(status=Status.REJECTED)
    assert set(rejected.values_list("pk", flat=True)) == {siti.pk, budi.pk}
    assert set(rejected.values_list("decision_note", flat=True)) == {"Surat tidak dilampirkan."}
    assert Request.objects.get(pk=teacher.pk).status == Status.SUBMITTED


def test_a_request_refused_in_bulk_is_reported_and_the_others_are_still_decided(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    """Leave was cut to 8 days after Siti filed 10: her cuti is refused, Budi's complaint is not."""
    cuti = file_request(siti, "CT", date(2024, 3, 13), date(2024, 3, 26), reason="Cuti.")
    complaint = file_request(budi, "SISTEM_ERROR", MONDAY)
    PolicyValue.objects.create(key="leave.days", effective_from=date(2024, 1, 1), value="8")
    cache.clear()
    response = client_for(verifier).post(
        QUEUE,
        {"decision": "approve", "chosen": [cuti.pk, complaint.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert page_messages(response) == [
        "1 requests decided.",
        f"{cuti.reference}: Cuti tahunan 2024: 10 working days asked, 8 of 8 left.",
    ]
    assert Request.objects.get(pk=cuti.pk).status == Status.SUBMITTED
    assert Request.objects.get(pk=complaint.pk).status == Status.APPROVED


def test_the_bulk_service_reports_a_request_decided_meanwhile_and_decides_the_rest(
    three_waiting: list[Request], verifier: User
) -> None:
    siti, budi, teacher = three_waiting
    approve(budi, verifier)  # by another tab, a moment earlier
    done, refused = requests_decide_bulk(
        actor=verifier, requests=[siti, budi, teacher], approve=True
    )
    assert [r.pk for r in done] == [siti.pk, teacher.pk]
    assert [(r.pk, "tidak dapat disetujui" in reason) for r, reason in refused] == [(budi.pk, True)]


def test_bulk_decisions_ignore_requests_outside_the_verifiers_units(
    three_waiting: list[Request], kua_b_employee: Employee, verifier: User
) -> None:
    elsewhere = file_request(kua_b_employee, "SISTEM_ERROR", MONDAY)  # the clock's day
    siti = three_waiting[0]
    client_for(verifier).post(QUEUE, {"decision": "approve", "chosen": [elsewhere.pk, siti.pk]})
    assert Request.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED
    assert Request.objects.get(pk=siti.pk).status == Status.APPROVED


def test_deciding_from_the_queue_returns_to_the_queue(
    three_waiting: list[Request], verifier: User
) -> None:
    siti = three_waiting[0]
    response = client_for(verifier).post(
        reverse("requests:decide", args=[siti.reference]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert Request.objects.get(pk=siti.pk).status == Status.APPROVED


def test_a_malformed_choice_in_a_bulk_decision_is_ignored_not_an_error(
    three_waiting: list[Request], verifier: User
) -> None:
    siti = three_waiting[0]
    response = client_for(verifier).post(
        QUEUE, {"decision": "approve", "chosen": ["PGD-2024-000002", "1 OR 1=1", str(siti.pk)]}
    )
    assert response.status_code == 302
    assert list(Request.objects.filter(status=Status.APPROVED)) == [siti]


def test_the_queue_costs_the_same_number_of_queries_for_two_or_six_requests(
    siti: Employee, budi: Employee, man_teacher: Employee, verifier: User, clock: Clock
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(verifier)
    for day in (MONDAY, TUESDAY):
        file_request(siti, "SISTEM_ERROR", day)
    client.get(QUEUE)  # first view stores the days around; count the steady state
    with CaptureQueriesContext(connection) as two:
        assert len(queued(client)) == 2
    for employee in (budi, man_teacher):
        for day in (MONDAY, TUESDAY):
            file_request(employee, "SISTEM_ERROR", day)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as six:
        assert len(queued(client)) == 6
    assert len(six.captured_queries) == len(two.captured_queries)
