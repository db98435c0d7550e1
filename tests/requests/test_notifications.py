"""Notifications: verifiers hear of a new request, the employee of the decision.

Each message is an in-app Notification row, written with the change, and an e-mail sent only
once the transaction commits (a refused action sends nothing). The row is shown in its
reader's language, whatever the language of whoever caused it; the e-mail goes in Indonesian.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, RoleAssignment
from hadir.requests.models import Notification, Request, Status
from hadir.requests.services import RequestRefused, request_decide
from tests.conftest import Org, user_with_role
from tests.requests.support import (
    MONDAY,
    account,
    approve,
    client_for,
    file_request,
    reject,
)

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def kanwil_verifier(org: Org) -> User:
    """A second verifier, over the whole province, without an e-mail address."""
    return user_with_role(Role.VERIFIER, org.kanwil)


def texts(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_submitting_notifies_every_verifier_of_the_unit_in_app_and_by_mail_after_commit(
    siti: Employee,
    verifier: User,
    kanwil_verifier: User,
    verifier_b: User,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        request = file_request(siti, "SISTEM_ERROR", MONDAY)
    dates = "04-03-2024–04-03-2024"
    expected = (
        f"Laporan baru {request.reference} dari {siti.name} (Sistem / mesin error, {dates})"
        " perlu diverifikasi."
    )
    for user in (verifier, kanwil_verifier):
        [notification] = Notification.objects.filter(user=user)
        assert notification.shown == notification.text == expected
        assert notification.params["code"] == "SISTEM_ERROR"  # kept as data, named when shown
        with translation.override("en"):
            assert notification.shown == (
                f"New request {request.reference} from {siti.name}"
                f" (System / machine error, {dates}) to verify."
            )
        assert notification.url == reverse("requests:queue")
        assert notification.read_at is None
    assert texts(verifier_b) == []
    assert texts(account(siti)) == []
    [message] = mail.outbox  # the kanwil verifier has no address
    assert message.to == [verifier.email]
    assert message.subject == f"Hadir: {expected[:100].rsplit(' ', 1)[0]}…"  # cut at a word
    assert len(expected) > 100
    assert message.body.endswith(f"\n\nhttp://127.0.0.1:8000{reverse('requests:queue')}")


def test_no_mail_leaves_before_the_transaction_commits(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_request(siti, "SISTEM_ERROR", MONDAY)
        assert Notification.objects.filter(user=verifier).count() == 1
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[verifier.email]]


def test_an_inactive_verifier_is_not_notified(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    verifier.is_active = False
    verifier.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        file_request(siti, "SISTEM_ERROR", MONDAY)
    assert texts(verifier) == []
    assert mail.outbox == []


def test_a_verifier_assigned_to_the_unit_and_a_unit_above_it_is_notified_once(
    org: Org, siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    RoleAssignment.objects.create(user=verifier, role=Role.VERIFIER, unit=org.kua_a)

    with django_capture_on_commit_callbacks(execute=True):
        file_request(siti, "SISTEM_ERROR", MONDAY)

    assert len(texts(verifier)) == 1
    assert [message.to for message in mail.outbox] == [[verifier.email]]


def test_a_verifier_filing_her_own_request_is_not_notified_of_it(
    org: Org, verifier: User, kanwil_verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    employee = org.employees(org.kab_a)[0]
    employee.user = verifier
    employee.save(update_fields=["user"])
    with django_capture_on_commit_callbacks(execute=True):
        file_request(employee, "SISTEM_ERROR", MONDAY)
    assert texts(verifier) == []
    assert len(texts(kanwil_verifier)) == 1
    assert mail.outbox == []


def test_approval_notifies_the_employee_with_a_link_to_her_request(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        approve(request, verifier)
    [notification] = Notification.objects.filter(user=account(siti))
    assert notification.shown == f"Laporan Anda {request.reference} telah disetujui."
    with translation.override("en"):
        assert notification.shown == f"Your request {request.reference} was approved."
    assert notification.url == reverse("requests:detail", args=[request.reference])
    [message] = mail.outbox
    assert message.to == ["siti@kua-a.example"]
    assert message.subject == f"Hadir: Laporan Anda {request.reference} telah disetujui."
    assert notification.url in message.body


def test_rejection_tells_the_employee_the_verifiers_note(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        reject(request, verifier, note="Surat belum ditandatangani.")
    [notification] = Notification.objects.filter(user=account(siti))
    with translation.override("en"):
        assert notification.shown == (
            f"Your request {request.reference} was rejected. Note: Surat belum ditandatangani."
        )
    assert notification.shown == (
        f"Laporan Anda {request.reference} telah ditolak. Catatan: Surat belum ditandatangani."
    )
    [message] = mail.outbox
    assert "Surat belum ditandatangani." in message.body


def test_a_rejection_note_written_on_several_lines_still_reaches_the_employee_by_mail(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    """The note is a text area (forms.DecisionForm), so a verifier writes a list on several
    lines. The note goes into the mail's subject, and a header may not hold a line break: the
    mail fails after commit (logged only) and the teacher is never told why she was refused."""
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(verifier).post(
            reverse("requests:decide", args=[request.reference]),
            {
                "decision": "reject",
                "note": "Mohon diperbaiki:\r\n1. surat belum ditandatangani",
                "next": "detail",
            },
        )
    assert Request.objects.get(pk=request.pk).status == Status.REJECTED
    assert [message.to for message in mail.outbox] == [["siti@kua-a.example"]]


def test_a_refused_decision_notifies_nobody(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RequestRefused),
    ):
        request_decide(actor=verifier, request=request, approve=False, note="")
    assert callbacks == []
    assert mail.outbox == []
    assert texts(account(siti)) == []


def test_withdrawing_sends_nothing(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    from hadir.requests.services import request_withdraw

    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        request_withdraw(actor=account(siti), request=request)
    assert Notification.objects.count() == before
    assert mail.outbox == []


def test_a_request_withdrawn_before_its_decision_no_longer_counts_as_unread_for_its_verifiers(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    """Nothing is left to verify: the badge does not call the verifier to a request that is
    gone from the queue. Another request's message stays unread."""
    from hadir.requests.services import request_withdraw

    withdrawn = file_request(siti, "SISTEM_ERROR", MONDAY)
    file_request(budi, "SISTEM_ERROR", MONDAY)
    request_withdraw(actor=account(siti), request=withdrawn)

    unread = Notification.objects.filter(user=verifier, read_at__isnull=True)
    assert [n.params["reference"] for n in unread] == [
        r.reference for r in Request.objects.filter(employee=budi)
    ]
    assert client_for(verifier).get(reverse("requests:index")).context["nav_unread"]() == 1


def test_the_notifications_page_lists_her_own_and_marks_them_read(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    approve(file_request(siti, "SISTEM_ERROR", MONDAY), verifier)
    client = client_for(account(siti))
    home = client.get(reverse("requests:index"))
    assert home.context["nav_unread"]() == 1
    page = client.get(reverse("requests:notifications"))
    assert [n.shown for n in page.context["items"]] == texts(account(siti))
    assert "telah disetujui" in page.content.decode()
    in_english = client.get(reverse("requests:notifications"), HTTP_ACCEPT_LANGUAGE="en")
    assert "was approved" in in_english.content.decode()
    assert "telah disetujui" not in in_english.content.decode()
    assert not Notification.objects.filter(user=account(siti), read_at__isnull=True).exists()
    assert client.get(reverse("requests:index")).context["nav_unread"]() == 0
    others = client_for(account(budi)).get(reverse("requests:notifications"))
    assert list(others.context["items"]) == []


def test_a_probe_or_a_prefetch_of_the_notifications_page_leaves_them_unread(
    siti: Employee, verifier: User
) -> None:
    """Only a person opening the page has read them: not a HEAD, nor the browser fetching the
    page ahead of a click."""
    approve(file_request(siti, "SISTEM_ERROR", MONDAY), verifier)
    client = client_for(account(siti))

    assert client.head(reverse("requests:notifications")).status_code == 200
    client.get(reverse("requests:notifications"), HTTP_SEC_PURPOSE="prefetch")

    assert Notification.objects.filter(user=account(siti), read_at__isnull=True).count() == 1


def test_a_mail_server_failure_is_logged_and_undoes_nothing(
    siti: Employee,
    verifier: User,
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import smtplib

    def refuse(*args: object, **kwargs: object) -> int:
        raise smtplib.SMTPServerDisconnected("mail.kemenag.go.id closed the connection")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    request = file_request(siti, "SISTEM_ERROR", MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        approve(request, verifier)
    assert Notification.objects.filter(user=account(siti)).count() == 1
    request.refresh_from_db()
    assert request.status == "APPROVED"
    assert "closed the connection" in caplog.text


def test_a_message_that_can_no_longer_be_filled_shows_its_stored_text(
    siti: Employee, caplog: pytest.LogCaptureFixture
) -> None:
    """A status since renamed, a parameter since dropped: the reader gets what was written."""
    row = Notification.objects.create(
        user=account(siti),
        text="Laporan Anda PGD-2024-000009 telah dibatalkan.",
        message="Your request %(reference)s was %(status)s.",
        params={"reference": "PGD-2024-000009", "status": "CANCELLED"},
    )
    with translation.override("en"):
        assert row.shown == "Laporan Anda PGD-2024-000009 telah dibatalkan."
    assert "not renderable" in caplog.text
    page = client_for(account(siti)).get(
        reverse("requests:notifications"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
