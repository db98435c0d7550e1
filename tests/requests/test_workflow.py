"""The request workflow: submit, approve, reject and withdraw, each legal move and every other.

The table in :mod:`hadir.requests.workflow` is the whole workflow; the services consult it and
refuse anything not in it, so a decided request can be neither withdrawn nor decided again.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee
from hadir.requests.models import Notification, Request, Status
from hadir.requests.services import (
    NewRequest,
    RequestRefused,
    leave_taken,
    request_decide,
    request_submit,
    request_withdraw,
)
from hadir.requests.workflow import IllegalTransition, next_status
from tests.clock import Clock
from tests.conftest import Org
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    account,
    approve,
    client_for,
    file_request,
    local,
    page_messages,
    pdf_letter,
    reject,
    upload,
)

ACTIONS = ("submit", "approve", "reject", "withdraw", "cancel")
LEGAL = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.SUBMITTED, "approve"): Status.APPROVED,
    (Status.SUBMITTED, "reject"): Status.REJECTED,
    (Status.DRAFT, "withdraw"): Status.WITHDRAWN,
    (Status.SUBMITTED, "withdraw"): Status.WITHDRAWN,
    (Status.APPROVED, "cancel"): Status.WITHDRAWN,
}
ILLEGAL = [
    (status, action) for status in Status for action in ACTIONS if (status, action) not in LEGAL
]


# ---------------------------------------------------------------- the table


@pytest.mark.parametrize(("current", "action"), list(LEGAL))
def test_a_legal_action_moves_the_request_as_the_table_says(current: str, action: str) -> None:
    assert next_status(current, action) == LEGAL[(Status(current), action)]


@pytest.mark.parametrize(("current", "action"), ILLEGAL)
def test_every_other_action_from_every_status_is_refused(current: str, action: str) -> None:
    with pytest.raises(IllegalTransition):
        next_status(current, action)


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="tindakan 'delete' tidak dikenal"):
        next_status(Status.SUBMITTED, "delete")


def test_the_refusal_names_the_status_and_the_action_in_plain_words() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(Status.APPROVED, "withdraw")
    assert str(refused.value) == "laporan berstatus disetujui tidak dapat ditarik"


def test_the_refusal_reads_in_english_for_an_english_speaking_user() -> None:
    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        next_status(Status.DRAFT, "approve")
    assert str(refused.value) == "a request that is a draft cannot be approved"


# ---------------------------------------------------------------- the services


def test_submitting_gives_a_submitted_request_with_its_number_and_time(
    siti: Employee, clock: Clock
) -> None:
    request = file_request(siti)
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert request.reference == "PGD-2024-000001"
    assert request.submitted_at == clock.now
    assert request.created_by == siti.user
    assert request.decided_by is None


def test_the_verifier_approves_a_submitted_request(
    siti: Employee, verifier: User, clock: Clock
) -> None:
    request = file_request(siti)
    clock.advance(hours=2)
    approve(request, verifier)
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert request.decided_by == verifier
    assert request.decided_at == clock.now


def test_the_verifier_rejects_with_a_note_saying_why(siti: Employee, verifier: User) -> None:
    request = file_request(siti)
    reject(request, verifier, note="  Surat belum ditandatangani kepala.  ")
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert request.decision_note == "Surat belum ditandatangani kepala."
    assert request.decided_by == verifier


@pytest.mark.parametrize("note", ["", "   "])
def test_a_rejection_without_a_note_is_refused_and_changes_nothing(
    siti: Employee, verifier: User, note: str
) -> None:
    request = file_request(siti)
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        request_decide(actor=verifier, request=request, approve=False, note=note)
    assert str(refused.value) == "Write a note saying why the request is rejected."
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert request.decided_by is None


def test_the_employee_withdraws_a_submitted_request(siti: Employee) -> None:
    request = file_request(siti)
    request_withdraw(actor=siti.user, request=request)
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN


def test_a_draft_can_be_withdrawn_but_not_decided(siti: Employee, verifier: User) -> None:
    draft = Request.objects.create(
        reference="PGD-2024-000099",
        employee=siti,
        category="PENGADUAN",
        code="SISTEM_ERROR",
        start=MONDAY,
        end=MONDAY,
        session="PAGI",
        reason="Belum dikirim.",
    )
    with pytest.raises(IllegalTransition):
        approve(draft, verifier)
    request_withdraw(actor=siti.user, request=draft)
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN


@pytest.mark.parametrize(
    ("decision", "refusal", "says"),
    [
        ("approve", RequestRefused, "hanya dapat dibatalkan sebelum hari pertamanya"),
        ("reject", IllegalTransition, "tidak dapat ditarik"),
    ],
)
def test_a_decided_request_cannot_be_withdrawn_once_begun(
    siti: Employee, verifier: User, decision: str, refusal: type[Exception], says: str
) -> None:
    """Monday's request, decided: an approval is on the record from its first day, and a
    rejection is final."""
    request = file_request(siti)
    approve(request, verifier) if decision == "approve" else reject(request, verifier)
    decided = Request.objects.get(pk=request.pk)
    with pytest.raises(refusal, match=says):
        request_withdraw(actor=siti.user, request=request)
    request.refresh_from_db()
    assert request.status == decided.status
    assert request.decided_at == decided.decided_at


def test_an_approved_request_cannot_be_approved_again_nor_rejected(
    siti: Employee, verifier: User, clock: Clock
) -> None:
    request = file_request(siti)
    approve(request, verifier)
    first_decision = Request.objects.get(pk=request.pk).decided_at
    clock.advance(days=1)
    with pytest.raises(IllegalTransition, match="tidak dapat disetujui"):
        approve(request, verifier)
    with pytest.raises(IllegalTransition, match="tidak dapat ditolak"):
        reject(request, verifier)
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert request.decided_at == first_decision


def test_a_rejected_request_cannot_be_approved_afterwards(siti: Employee, verifier: User) -> None:
    request = file_request(siti)
    reject(request, verifier)
    with pytest.raises(IllegalTransition, match="tidak dapat disetujui"):
        approve(request, verifier)
    assert Request.objects.get(pk=request.pk).status == Status.REJECTED


def test_a_withdrawn_request_can_be_neither_decided_nor_withdrawn_again(
    siti: Employee, verifier: User
) -> None:
    request = file_request(siti)
    request_withdraw(actor=siti.user, request=request)
    with pytest.raises(IllegalTransition):
        approve(request, verifier)
    with pytest.raises(IllegalTransition):
        reject(request, verifier)
    with pytest.raises(IllegalTransition):
        request_withdraw(actor=siti.user, request=request)
    assert Request.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_only_the_employee_who_filed_it_can_withdraw_a_request(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    request = file_request(siti)
    for someone in (verifier, budi.user):
        with translation.override("en"), pytest.raises(RequestRefused) as refused:
            request_withdraw(actor=someone, request=request)
        assert str(refused.value) == "Only the employee who filed the request can withdraw it."
    assert Request.objects.get(pk=request.pk).status == Status.SUBMITTED


# ---------------------------------------------------------------- what cannot be asked


def _submit(employee: Employee, new: NewRequest) -> Request:
    from hadir.requests.evidence import evidence_store

    evidence = evidence_store(content=pdf_letter(), original_name="surat.pdf", user=employee.user)
    return request_submit(actor=employee.user, employee=employee, new=new, evidence=evidence)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            NewRequest("SISTEM_ERROR", MONDAY, TUESDAY, "PAGI"),
            "A complaint or izin covers one date; file one per date.",
        ),
        (
            NewRequest("TUGAS_LUAR", MONDAY, MONDAY, ""),
            "Choose the session: morning, afternoon or both.",
        ),
        (
            NewRequest("IZIN", MONDAY, MONDAY, "SIANG"),
            "Choose the session: morning, afternoon or both.",
        ),
        (NewRequest("DL", MONDAY, TUESDAY, "PAGI"), "A full-day absence has no session."),
        (NewRequest("DL", TUESDAY, MONDAY, ""), "The end date is before the start date."),
        (NewRequest("LEMBUR", MONDAY, MONDAY, ""), "Unknown request type LEMBUR."),
        (
            NewRequest("CS", date(2023, 12, 28), date(2023, 12, 29), ""),
            "Attendance counts only from 01-01-2024.",
        ),
    ],
    ids=[
        "waiver-over-a-range",
        "waiver-without-session",
        "waiver-with-unknown-session",
        "full-day-with-session",
        "end-before-start",
        "unknown-code",
        "before-the-employee-started",
    ],
)
def test_a_request_that_cannot_be_asked_is_refused_with_the_reason(
    siti: Employee, new: NewRequest, message: str
) -> None:
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        _submit(siti, new)
    assert str(refused.value) == message
    assert not Request.objects.exists()


def test_an_absence_overlapping_another_pending_or_approved_absence_is_refused(
    siti: Employee, verifier: User
) -> None:
    approve(file_request(siti, "DL", MONDAY, TUESDAY), verifier)
    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        file_request(siti, "CS", TUESDAY, TUESDAY)
    assert str(refused.value) == "Another absence already covers some of these dates."


def test_a_waiver_on_a_day_of_an_absence_is_still_accepted(siti: Employee) -> None:
    file_request(siti, "DL", MONDAY, TUESDAY)
    assert file_request(siti, "SISTEM_ERROR", MONDAY, session="SORE").status == Status.SUBMITTED


def test_a_request_without_a_letter_is_refused(siti: Employee) -> None:
    with translation.override("en"), pytest.raises(RequestRefused, match="Attach the letter"):
        request_submit(
            actor=siti.user,
            employee=siti,
            new=NewRequest("SISTEM_ERROR", MONDAY, MONDAY, "PAGI"),
            evidence=None,
        )


# ---------------------------------------------------------------- reference numbers


def test_reference_numbers_count_up_per_category_within_the_year(
    siti: Employee, man_teacher: Employee
) -> None:
    references = [
        file_request(siti, "SISTEM_ERROR", MONDAY).reference,
        file_request(siti, "TUGAS_LUAR", MONDAY, session="SORE").reference,
        file_request(siti, "CT", date(2024, 3, 13)).reference,
        file_request(man_teacher, "SISTEM_ERROR", MONDAY).reference,
        file_request(siti, "IZIN", TUESDAY, session="PAGI_SORE").reference,
        file_request(man_teacher, "DL", TUESDAY, date(2024, 3, 7)).reference,
    ]
    assert references == [
        "PGD-2024-000001",
        "PGD-2024-000002",
        "KTH-2024-000001",
        "PGD-2024-000003",
        "IZN-2024-000001",
        "KTH-2024-000002",
    ]


def test_reference_numbers_start_again_at_one_in_a_new_year(siti: Employee, clock: Clock) -> None:
    assert file_request(siti, "SISTEM_ERROR", MONDAY).reference == "PGD-2024-000001"
    clock.set(local(date(2025, 1, 6), "08:00"))
    assert file_request(siti, "SISTEM_ERROR", TUESDAY).reference == "PGD-2025-000001"
    assert file_request(siti, "SISTEM_ERROR", date(2025, 1, 6)).reference == "PGD-2025-000002"


# ---------------------------------------------------------------- the audit trail


def test_submitting_deciding_and_withdrawing_each_leave_an_audit_row(
    siti: Employee, verifier: User
) -> None:
    first = file_request(siti, "SISTEM_ERROR", MONDAY)
    second = file_request(siti, "SISTEM_ERROR", TUESDAY)
    third = file_request(siti, "TUGAS_LUAR", MONDAY, session="SORE")
    approve(first, verifier)
    reject(second, verifier, note="Tidak ada surat kepala.")
    request_withdraw(actor=siti.user, request=third)

    employee = account(siti)
    rows = list(
        AuditEvent.objects.filter(action__startswith="requests.")
        .order_by("pk")
        .values_list("action", "actor", "object_id", "summary")
    )
    assert rows == [
        ("requests.submit", employee.pk, str(first.pk), first.reference),
        ("requests.submit", employee.pk, str(second.pk), second.reference),
        ("requests.submit", employee.pk, str(third.pk), third.reference),
        ("requests.approve", verifier.pk, str(first.pk), first.reference),
        ("requests.reject", verifier.pk, str(second.pk), second.reference),
        ("requests.withdraw", employee.pk, str(third.pk), third.reference),
    ]
    rejected = AuditEvent.objects.get(action="requests.reject")
    assert rejected.before is not None
    assert rejected.after is not None
    assert rejected.before["status"] == Status.SUBMITTED
    assert rejected.after["status"] == Status.REJECTED
    assert rejected.after["decision_note"] == "Tidak ada surat kepala."
    withdrawn = AuditEvent.objects.get(action="requests.withdraw")
    assert withdrawn.after == {**withdrawn.before, "status": Status.WITHDRAWN}  # type: ignore[dict-item]


def test_a_refused_decision_leaves_no_audit_row(siti: Employee, verifier: User) -> None:
    request = file_request(siti)
    with pytest.raises(RequestRefused):
        request_decide(actor=verifier, request=request, approve=False, note="")
    assert not AuditEvent.objects.filter(action__in=["requests.reject", "requests.approve"])


# ---------------------------------------------------------------- over HTTP


def test_the_employee_sends_laporan_baru_and_lands_on_the_request_with_its_number(
    siti: Employee, org: Org
) -> None:
    client = client_for(siti.user)
    response = client.post(
        reverse("requests:new") + "?kategori=PENGADUAN",
        {
            "code": "SISTEM_ERROR",
            "start": "2024-03-04",
            "session": "PAGI",
            "reason": "Aplikasi PUSAKA gagal memuat lokasi.",
            "letter": upload(pdf_letter()),
        },
        follow=True,
    )
    request = Request.objects.get()
    assert response.redirect_chain == [(reverse("requests:detail", args=[request.reference]), 302)]
    assert request.reference == "PGD-2024-000001"
    assert (request.code, request.start, request.end, request.session) == (
        "SISTEM_ERROR",
        MONDAY,
        MONDAY,
        "PAGI",
    )
    assert any("PGD-2024-000001" in message for message in page_messages(response))
    assert "PGD-2024-000001" in response.content.decode()


def test_a_full_day_absence_from_the_form_has_no_session_and_defaults_to_one_day(
    siti: Employee,
) -> None:
    client = client_for(siti.user)
    client.post(
        reverse("requests:new") + "?kategori=KETIDAKHADIRAN",
        {
            "code": "CS",
            "start": "2024-03-04",
            "session": "PAGI",
            "reason": "Sakit, surat dokter terlampir.",
            "letter": upload(pdf_letter()),
        },
    )
    request = Request.objects.get()
    assert (request.reference, request.start, request.end, request.session) == (
        "KTH-2024-000001",
        MONDAY,
        MONDAY,
        "",
    )


def test_a_complaint_over_several_days_is_refused_on_the_form_not_cut_to_its_first_day(
    siti: Employee,
) -> None:
    response = client_for(siti.user).post(
        reverse("requests:new") + "?kategori=PENGADUAN",
        {
            "code": "TUGAS_LUAR",
            "start": "2024-03-04",
            "end": "2024-03-06",
            "session": "PAGI_SORE",
            "reason": "Rapat koordinasi di Kanwil tiga hari.",
            "letter": upload(pdf_letter()),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Pengaduan atau izin berlaku untuk satu tanggal; ajukan satu per tanggal."
    ]
    assert not Request.objects.exists()


def test_withdrawing_an_approved_request_over_http_shows_the_refusal_and_keeps_it(
    siti: Employee, verifier: User
) -> None:
    request = approve(file_request(siti), verifier)
    response = client_for(siti.user).post(
        reverse("requests:withdraw", args=[request.reference]), follow=True
    )
    assert response.status_code == 200
    assert page_messages(response) == [
        "Laporan yang telah disetujui hanya dapat dibatalkan sebelum hari pertamanya."
    ]
    assert Request.objects.get(pk=request.pk).status == Status.APPROVED
    assert not AuditEvent.objects.filter(action="requests.withdraw").exists()


def test_the_detail_page_offers_withdrawal_only_before_a_decision(
    siti: Employee, verifier: User
) -> None:
    request = file_request(siti)
    client = client_for(siti.user)
    withdraw_url = reverse("requests:withdraw", args=[request.reference])
    detail_url = reverse("requests:detail", args=[request.reference])
    assert withdraw_url in client.get(detail_url).content.decode()
    approve(request, verifier)
    assert withdraw_url not in client.get(detail_url).content.decode()


def test_approving_twice_over_http_keeps_the_first_decision(
    siti: Employee, verifier: User, clock: Clock
) -> None:
    request = file_request(siti)
    client = client_for(verifier)
    url = reverse("requests:decide", args=[request.reference])
    client.post(url, {"decision": "approve", "next": "detail"})
    decided_at = Request.objects.get(pk=request.pk).decided_at
    clock.advance(minutes=5)
    response = client.post(url, {"decision": "approve", "next": "detail"}, follow=True)
    assert "laporan berstatus disetujui tidak dapat disetujui" in page_messages(response)
    assert Request.objects.get(pk=request.pk).decided_at == decided_at
    assert AuditEvent.objects.filter(action="requests.approve").count() == 1


def test_rejecting_over_http_without_a_note_shows_why_and_keeps_the_request_waiting(
    siti: Employee, verifier: User
) -> None:
    request = file_request(siti)
    response = client_for(verifier).post(
        reverse("requests:decide", args=[request.reference]),
        {"decision": "reject", "note": "", "next": "detail"},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert response.redirect_chain[-1][0] == reverse("requests:detail", args=[request.reference])
    assert "Write a note saying why the request is rejected." in page_messages(response)
    assert Request.objects.get(pk=request.pk).status == Status.SUBMITTED


# ---------------------------------------------------------------- cancelling an approved cuti

NEXT_MONDAY, NEXT_TUESDAY = date(2024, 3, 18), date(2024, 3, 19)


def test_an_approved_cuti_not_yet_begun_is_cancelled_and_its_days_are_back(
    siti: Employee, verifier: User
) -> None:
    """Siti's family trip is off: the cuti approved for next week is hers to take back, the
    two days return to her balance, and the verifier hears of it."""
    cuti = approve(
        file_request(siti, "CT", NEXT_MONDAY, NEXT_TUESDAY, reason="Acara keluarga."), verifier
    )
    assert leave_taken(siti) == {2024: 2}

    request_withdraw(actor=siti.user, request=cuti)

    cuti.refresh_from_db()
    assert cuti.status == Status.WITHDRAWN
    assert leave_taken(siti) == {}
    event = AuditEvent.objects.get(action="requests.cancel")
    assert (event.actor, event.object_id) == (siti.user, str(cuti.pk))
    [told] = Notification.objects.filter(user=verifier, text__contains="membatalkan")
    assert cuti.reference in told.text
    assert told.url == reverse("requests:detail", args=[cuti.reference])


def test_an_approved_request_that_has_begun_cannot_be_cancelled(
    siti: Employee, verifier: User, clock: Clock
) -> None:
    """From its first day it is on the record (and a month closes over it)."""
    cuti = approve(
        file_request(siti, "CT", NEXT_MONDAY, NEXT_TUESDAY, reason="Acara keluarga."), verifier
    )
    clock.set(local(NEXT_MONDAY, "06:00"))

    with translation.override("en"), pytest.raises(RequestRefused) as refused:
        request_withdraw(actor=siti.user, request=cuti)

    assert str(refused.value) == "An approved request can be cancelled only before its first day."
    cuti.refresh_from_db()
    assert cuti.status == Status.APPROVED
    assert leave_taken(siti) == {2024: 2}


def test_only_the_employee_cancels_her_approved_request(siti: Employee, verifier: User) -> None:
    cuti = approve(
        file_request(siti, "CT", NEXT_MONDAY, NEXT_TUESDAY, reason="Acara keluarga."), verifier
    )

    with pytest.raises(RequestRefused):
        request_withdraw(actor=verifier, request=cuti)

    cuti.refresh_from_db()
    assert cuti.status == Status.APPROVED


def test_the_request_page_offers_the_cancel_only_before_the_first_day(
    siti: Employee, verifier: User, clock: Clock
) -> None:
    cuti = approve(
        file_request(siti, "CT", NEXT_MONDAY, NEXT_TUESDAY, reason="Acara keluarga."), verifier
    )
    client = client_for(siti.user)
    page = reverse("requests:detail", args=[cuti.reference])
    assert client.get(page).context["can_withdraw"]
    assert "Batalkan laporan" in client.get(page).content.decode()

    sent = client.post(reverse("requests:withdraw", args=[cuti.reference]), follow=True)

    assert page_messages(sent) == ["Laporan dibatalkan: hari-harinya kembali."]
    other = approve(file_request(siti, "CT", MONDAY, MONDAY, reason="Sakit gigi."), verifier)
    assert not client.get(reverse("requests:detail", args=[other.reference])).context[
        "can_withdraw"
    ]
