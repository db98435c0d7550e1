"""Requests as people send them: damaged or crafted letters, a second tap, a day off, dates
after attendance ended, a request still pending when its month is closed.

The clock is the requests fixtures' one: Wednesday 6 March 2024, 10:00 WIB.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.recap.periods import period_close
from hadir.requests.evidence import EvidenceRefused, evidence_check
from hadir.requests.models import Request, Status
from hadir.requests.services import RequestRefused, request_decide, request_withdraw
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.requests.conftest import new_employee
from tests.requests.support import (
    MONDAY,
    SATURDAY,
    account,
    file_request,
    local,
    pdf_letter,
    upload,
)

DAMAGED = "PDF rusak atau tidak dapat dibaca"
LAUNCH = "perintah menjalankan program"


def _browser(user: object) -> Client:
    """A logged-in browser that gets the server's 500 page instead of the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _xref_claiming_65535_entries() -> bytes:
    """A letter whose cross-reference table header is corrupt (a damaged scan or download)."""
    return pdf_letter().replace(b"xref\n0 5\n", b"xref\n0 65535\n")


def _startxref_past_any_file() -> bytes:
    """A letter whose ``startxref`` offset is garbage digits (a corrupted tail)."""
    return re.sub(rb"startxref\n\d+", b"startxref\n29999999999999999999956", pdf_letter())


# ------------------------------------------------------------ damaged letters


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_xref_claiming_65535_entries(), id="xref-size-limit"),
        pytest.param(_startxref_past_any_file(), id="startxref-overflow"),
    ],
)
def test_a_damaged_letter_is_refused_on_the_form_not_a_server_error(
    siti: Employee, content: bytes
) -> None:
    response = _browser(account(siti)).post(
        reverse("requests:new") + "?kategori=PENGADUAN",
        {
            "code": "SISTEM_ERROR",
            "start": "2024-03-04",
            "session": "PAGI",
            "reason": "Mesin mati.",
            "letter": upload(content),
        },
    )
    assert response.status_code == 200
    assert DAMAGED in response.content.decode()
    assert not Request.objects.exists()


# ------------------------------------------------------------ active content through a reference


def _launch_action_with_indirect_type() -> bytes:
    """An /OpenAction that launches a program, its ``/S`` given as an indirect object
    (``/S 5 0 R`` with ``5 0 obj /Launch endobj``): legal PDF, resolved by readers."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    kind = writer._add_object(NameObject("/Launch"))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): kind,
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_launch_action_whose_type_is_an_indirect_object_is_refused() -> None:
    with pytest.raises(EvidenceRefused, match=LAUNCH):
        evidence_check(_launch_action_with_indirect_type(), max_kb=300)


# ------------------------------------------------------------ dates after the employee's end


def test_a_request_for_dates_after_the_employees_attendance_ended_is_refused(org: Org) -> None:
    """Attendance counted until 29 February (moved out / retired): days from March are never
    evaluated, so a cuti or complaint for them is a request about nothing, yet it lands in the
    verifier's queue (and cuti 'consumes' zero days)."""
    left = new_employee(org, end=date(2024, 2, 29))
    with pytest.raises(RequestRefused):
        file_request(left, "CT", MONDAY, date(2024, 3, 8))
    with pytest.raises(RequestRefused):
        file_request(left, "SISTEM_ERROR", MONDAY, session="PAGI")
    assert not Request.objects.filter(employee=left).exists()


# ------------------------------------------------------------ stuck in a closed month


def test_a_request_left_pending_when_its_month_closed_can_still_be_rejected_or_withdrawn(
    org: Org, siti: Employee, verifier: object, clock: Clock
) -> None:
    """Rejecting or withdrawing a pending request changes no day (only approved ones count),
    so closing the month must not leave it undecidable in the verifier's queue for ever."""
    to_reject = file_request(siti, "SISTEM_ERROR", date(2024, 3, 13), session="PAGI")
    to_withdraw = file_request(siti, "SISTEM_ERROR", date(2024, 3, 14), session="SORE")
    clock.set(local(date(2024, 4, 6), "08:00"))  # after the request deadline
    period_close(
        actor=user_with_role(Role.OPERATOR, org.kua_a), unit=org.kua_a, month=date(2024, 3, 1)
    )

    request_decide(actor=verifier, request=to_reject, approve=False, note="Surat tidak sah.")
    request_withdraw(actor=account(siti), request=to_withdraw)

    to_reject.refresh_from_db()
    to_withdraw.refresh_from_db()
    assert (to_reject.status, to_withdraw.status) == (Status.REJECTED, Status.WITHDRAWN)
    assert AuditEvent.objects.filter(action="requests.reject").count() == 1
    assert AuditEvent.objects.filter(action="requests.withdraw").count() == 1


# ------------------------------------------------------------ double submission


def test_sending_the_same_complaint_twice_records_it_once(siti: Employee) -> None:
    """A second tap on "Kirim Pengaduan" over a slow connection sends the form again: the
    same date and session already asked is refused (as an overlapping absence is), not a
    second request with its own number for the verifier to decide."""
    client = _browser(account(siti))
    data = {
        "code": "SISTEM_ERROR",
        "start": "2024-03-04",
        "session": "PAGI",
        "reason": "Mesin sidik jari mati pagi itu.",
    }
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    first = client.post(url, {**data, "letter": upload(pdf_letter())})
    assert first.status_code == 302
    second = client.post(url, {**data, "letter": upload(pdf_letter())})
    assert Request.objects.filter(employee=siti).count() == 1
    assert second.status_code == 200  # the form again, with the reason


# ------------------------------------------------------------ a waiver for a day off


def test_a_complaint_for_a_day_off_is_refused(siti: Employee) -> None:
    """Saturday is no working day for KANTOR_5H: its status is LIBUR whatever is punched or
    waived (DOMAIN.md §4.1), so a complaint for it excuses nothing. The requests import
    refuses it ("no working day in range"); the form takes it and a verifier must decide it."""
    with pytest.raises(RequestRefused):
        file_request(siti, "SISTEM_ERROR", SATURDAY, session="PAGI_SORE")
    assert not Request.objects.filter(employee=siti).exists()
