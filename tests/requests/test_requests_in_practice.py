"""Requests as people send them: damaged or crafted letters, a second tap, a day off, dates
after attendance ended or still to come, a request still pending when its month is closed or
reaching into it, a form sent again over a weak signal.

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

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.recap.periods import period_close
from hadir.requests.evidence import EvidenceRefused, evidence_check
from hadir.requests.models import Evidence, Request, Status
from hadir.requests.services import RequestRefused, request_decide, request_withdraw
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.requests.conftest import new_employee
from tests.requests.support import (
    MONDAY,
    SATURDAY,
    account,
    client_for,
    file_request,
    local,
    pdf_letter,
    stored_days,
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


def test_a_system_error_complaint_for_a_date_still_to_come_is_refused(siti: Employee) -> None:
    """A sistem error is reported after it happened (the head's letter attests it). Today is
    Wednesday 6 March; one filed for Wednesday 20 March, once approved (a verifier approving
    the queue in bulk), would waive the lateness of a day not yet lived."""
    with pytest.raises(RequestRefused, match="20-03-2024") as refused:
        file_request(siti, "SISTEM_ERROR", date(2024, 3, 20), session="PAGI_SORE")
    assert refused.value.field == "start"
    assert file_request(siti, "SISTEM_ERROR", date(2024, 3, 6)).status == Status.SUBMITTED


def test_tugas_luar_izin_and_absences_can_still_be_filed_ahead(siti: Employee) -> None:
    """A surat tugas, an alibi letter or a cuti is signed before the day it covers."""
    for code, day in (("TUGAS_LUAR", 18), ("IZIN", 19), ("DL", 20), ("CT", 21)):
        assert file_request(siti, code, date(2024, 3, day)).status == Status.SUBMITTED


def test_a_system_error_is_judged_by_the_units_own_today(
    org: Org, siti: Employee, clock: Clock
) -> None:
    """At 23:30 in Jakarta it is already the next day in Jayapura: a KUA there may report
    that day's sistem error, which a Jakarta clock would call still to come."""
    clock.set(local(date(2024, 3, 6), "23:30"))
    org.kua_a.timezone = "Asia/Jayapura"
    org.kua_a.save(update_fields=["timezone"])
    siti.refresh_from_db()
    with pytest.raises(RequestRefused, match="08-03-2024"):
        file_request(siti, "SISTEM_ERROR", date(2024, 3, 8))
    assert file_request(siti, "SISTEM_ERROR", date(2024, 3, 7)).status == Status.SUBMITTED


# ------------------------------------------------------------ stuck in a closed month


def test_a_request_left_pending_when_its_month_closed_can_still_be_rejected_or_withdrawn(
    org: Org, siti: Employee, verifier: object, clock: Clock
) -> None:
    """Rejecting or withdrawing a pending request changes no day (only approved ones count),
    so closing the month must not leave it undecidable in the verifier's queue for ever."""
    to_reject = file_request(siti, "TUGAS_LUAR", date(2024, 3, 13), session="PAGI")
    to_withdraw = file_request(siti, "TUGAS_LUAR", date(2024, 3, 14), session="SORE")
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


def test_a_dinas_luar_whose_only_days_in_a_closed_month_are_its_weekend_is_accepted(
    org: Org, siti: Employee, clock: Clock
) -> None:
    """The surat tugas runs from Saturday 30 March (the journey) to Friday 5 April; March is
    closed. On a day off an absence changes nothing (DOMAIN.md §4.5: LIBUR either way), so the
    request touches no day of March: the closed-month guard judges only the days it can
    change, and the teacher files the dates of her letter."""
    _close_march(org, clock)
    request = file_request(siti, "DL", date(2024, 3, 30), date(2024, 4, 5))
    assert request.status == Status.SUBMITTED


def _close_march(org: Org, clock: Clock) -> None:
    clock.set(local(date(2024, 4, 8), "08:00"))
    period_close(
        actor=user_with_role(Role.OPERATOR, org.kua_a), unit=org.kua_a, month=date(2024, 3, 1)
    )


def test_approving_it_leaves_the_closed_months_days_off_as_they_were_frozen(
    org: Org, siti: Employee, verifier: User, clock: Clock
) -> None:
    _close_march(org, clock)
    frozen = {day.date: day.evaluated_at for day in stored_days(siti).values()}
    request = file_request(siti, "DL", date(2024, 3, 30), date(2024, 4, 5))
    clock.advance(hours=1)
    request_decide(actor=verifier, request=request, approve=True)
    days = stored_days(siti)
    for weekend in (date(2024, 3, 30), date(2024, 3, 31)):
        assert days[weekend].evaluated_at == frozen[weekend]
    assert [days[date(2024, 4, n)].status for n in range(1, 6)] == ["DL"] * 5


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        pytest.param("DL", date(2024, 3, 28), date(2024, 4, 5), id="absence-from-a-thursday"),
        pytest.param("SISTEM_ERROR", date(2024, 3, 28), None, id="waiver-on-a-thursday"),
        pytest.param("TUGAS_LUAR", date(2024, 3, 28), None, id="tugas-luar-on-a-thursday"),
    ],
)
def test_a_request_over_a_closed_months_working_day_is_still_refused(
    org: Org, siti: Employee, clock: Clock, code: str, start: date, end: date | None
) -> None:
    _close_march(org, clock)
    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(siti, code, start, end)
    assert not Request.objects.filter(employee=siti).exists()


# ------------------------------------------------------------ double submission


def test_sending_the_same_complaint_twice_records_it_once_and_answers_with_its_number(
    siti: Employee,
) -> None:
    """A second tap on "Kirim Pengaduan" over a slow connection sends the form again, its first
    answer lost: the teacher is shown the request already made, with its number, not a second
    request for the verifier to decide, nor a refusal that leaves her wondering if it was sent.
    The letter uploaded twice is kept once."""
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
    second = client.post(url, {**data, "letter": upload(pdf_letter())}, follow=True)
    request = Request.objects.get(employee=siti)
    assert second.redirect_chain == [(first["Location"], 302)]
    assert f"Sudah terkirim sebelumnya. Nomor laporan Anda {request.reference}." in (
        second.content.decode()
    )
    assert Evidence.objects.count() == 1
    assert AuditEvent.objects.filter(action="requests.submit").count() == 1


def test_the_same_dates_sent_again_with_another_letter_or_reason_are_still_refused(
    siti: Employee,
) -> None:
    """Not the same form: a second complaint for a session already asked is refused (as an
    overlapping absence is), and says why."""
    client = _browser(account(siti))
    data = {"code": "SISTEM_ERROR", "start": "2024-03-04", "session": "PAGI", "reason": "Mati."}
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    assert client.post(url, {**data, "letter": upload(pdf_letter())}).status_code == 302
    again = client.post(url, {**data, "reason": "Listrik padam.", "letter": upload(pdf_letter())})
    assert again.status_code == 200
    assert Request.objects.filter(employee=siti).count() == 1


# ------------------------------------------------------------ a cheap phone, a weak signal


def _hidden_inputs(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                found[name.group(1)] = value.group(1) if value else ""
    return found


def test_resending_the_form_after_a_forgotten_session_does_not_ask_for_the_letter_again(
    siti: Employee,
) -> None:
    """The letter was uploaded and accepted, only the session was missing. The form comes back
    with the reason kept but the letter gone: the teacher must find the PDF again and send its
    300 KB again over a weak signal. The form should keep the checked letter (a hidden token)."""
    client = client_for(account(siti))
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    first = client.post(url, {**typed, "letter": upload(pdf_letter())})
    assert first.status_code == 200
    assert "session" in first.context["form"].errors
    assert "letter" not in first.context["form"].errors  # the letter itself was fine
    again = {**_hidden_inputs(first.content.decode()), **typed, "session": "PAGI"}
    second = client.post(url, again)
    assert second.status_code == 302, second.context["form"].errors
    assert Request.objects.filter(employee=siti, status=Status.SUBMITTED).count() == 1
    assert Evidence.objects.count() == 1  # the letter kept is the one the request took


def test_the_form_sent_again_with_its_kept_letter_answers_with_the_request_it_made(
    siti: Employee,
) -> None:
    """The letter was kept (the session forgotten); the form sent again made the request, but
    its answer was lost and the teacher taps "Kirim" once more. She is answered with that
    request and its number, not asked to attach the letter as if nothing had been sent."""
    client = client_for(account(siti))
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    first = client.post(url, {**typed, "letter": upload(pdf_letter())})
    assert first.status_code == 200  # no session: the letter is kept
    form = {**_hidden_inputs(first.content.decode()), **typed, "session": "PAGI"}
    sent = client.post(url, form)
    request = Request.objects.get(employee=siti)

    again = client.post(url, form, follow=True)

    assert again.redirect_chain == [(sent["Location"], 302)]
    assert f"Sudah terkirim sebelumnya. Nomor laporan Anda {request.reference}." in (
        again.content.decode()
    )
    assert Request.objects.filter(employee=siti).count() == 1
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("category", "shown", "not_shown"),
    [
        ("PENGADUAN", ["Tanggal", "Sesi"], ["Sampai"]),
        ("IZIN", ["Tanggal", "Sesi"], ["Sampai"]),
        ("KETIDAKHADIRAN", ["Tanggal (mulai)", "Sampai"], ["Sesi"]),
    ],
)
def test_the_form_asks_only_what_its_category_takes(
    siti: Employee, category: str, shown: list[str], not_shown: list[str]
) -> None:
    """A complaint or izin is one date and its session; an absence is whole days: no field
    that is then ignored."""
    page = client_for(account(siti)).get(reverse("requests:new") + f"?kategori={category}")
    labels = re.findall(r"<label[^>]*>([^<:]*)", page.content.decode())
    found = [label.strip() for label in labels]
    assert all(any(f.startswith(s) for f in found) for s in shown), found
    assert not any(f.startswith(n) for f in found for n in not_shown), found


@pytest.mark.parametrize(
    ("language", "sessions"),
    [
        ("en", ["Morning (datang)", "Afternoon (pulang)", "Morning and afternoon"]),
        ("id", ["Pagi (datang)", "Sore (pulang)", "Pagi dan sore"]),
    ],
)
def test_the_sessions_are_named_in_the_pages_language(
    siti: Employee, language: str, sessions: list[str]
) -> None:
    page = client_for(account(siti)).get(
        reverse("requests:new") + "?kategori=PENGADUAN", headers={"Accept-Language": language}
    )
    offered = page.context["form"].fields["session"].choices
    assert [str(label) for value, label in offered if value] == sessions


def test_a_rejected_request_offers_to_send_it_again_with_its_type_and_dates_filled_in(
    siti: Employee, verifier: User
) -> None:
    """Rejected for a missing signature: the teacher mends the letter and sends again from
    the request's page, not from a blank form."""
    from tests.requests.support import reject

    rejected = reject(file_request(siti, "DL", MONDAY, date(2024, 3, 5)), verifier)
    client = client_for(account(siti))
    page = client.get(reverse("requests:detail", args=[rejected.reference])).content.decode()
    [again] = re.findall(r'<a role="button" class="secondary" href="([^"]*)">Kirim ulang', page)

    form = client.get(again.replace("&amp;", "&")).context["form"]

    assert (form["code"].value(), form["start"].value(), form["end"].value()) == (
        "DL",
        "2024-03-04",
        "2024-03-05",
    )
    other = client_for(user_with_role(Role.VERIFIER, siti.unit))
    assert (
        "Kirim ulang"
        not in other.get(reverse("requests:detail", args=[rejected.reference])).content.decode()
    )


def test_the_form_says_the_letter_is_kept_and_no_longer_requires_it(siti: Employee) -> None:
    client = client_for(account(siti))
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    page = client.post(url, {**typed, "letter": upload(pdf_letter(), "Surat Kepala.pdf")})
    html = page.content.decode()
    [letter] = re.findall(r'<input type="file"[^>]*>', html)
    assert "required" not in letter
    assert "Surat Kepala.pdf" in html
    assert "letter_token" in _hidden_inputs(html)


def test_the_kept_letters_name_is_shown_as_text(siti: Employee) -> None:
    client = client_for(account(siti))
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    page = client.post(url, {**typed, "letter": upload(pdf_letter(), "<img src=x>.pdf")})
    assert "&lt;img src=x&gt;.pdf" in page.content.decode()
    assert "<img src=x>" not in page.content.decode()


def test_a_kept_letters_token_is_worth_nothing_to_another_employee(
    siti: Employee, budi: Employee
) -> None:
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    first = client_for(account(siti)).post(url, {**typed, "letter": upload(pdf_letter())})
    token = _hidden_inputs(first.content.decode())["letter_token"]
    stolen = client_for(account(budi)).post(
        url, {**typed, "session": "PAGI", "letter_token": token}
    )
    assert stolen.status_code == 200
    assert "letter" in stolen.context["form"].errors
    assert not Request.objects.exists()


def test_a_new_letter_sent_with_the_token_replaces_the_kept_one(siti: Employee) -> None:
    client = client_for(account(siti))
    url = reverse("requests:new") + "?kategori=PENGADUAN"
    typed = {"code": "SISTEM_ERROR", "start": "2024-03-04", "reason": "Mesin sidik jari mati."}
    first = client.post(url, {**typed, "letter": upload(pdf_letter(), "lama.pdf")})
    again = {
        **_hidden_inputs(first.content.decode()),
        **typed,
        "session": "PAGI",
        "letter": upload(pdf_letter(), "baru.pdf"),
    }
    assert client.post(url, again).status_code == 302
    [kept] = Evidence.objects.all()
    assert kept.original_name == "baru.pdf"
    assert Request.objects.get().evidence == kept


# ------------------------------------------------------------ a waiver for a day off


def test_a_complaint_for_a_day_off_is_refused(siti: Employee) -> None:
    """Saturday is no working day for KANTOR_5H: its status is LIBUR whatever is punched or
    waived (DOMAIN.md §4.1), so a complaint for it excuses nothing. The requests import
    refuses it ("no working day in range"); the form takes it and a verifier must decide it."""
    with pytest.raises(RequestRefused):
        file_request(siti, "SISTEM_ERROR", SATURDAY, session="PAGI_SORE")
    assert not Request.objects.filter(employee=siti).exists()


# ------------------------------------------------------------ a complaint is one date


def _one_date(category: str) -> dict[str, str]:
    """What the teacher fills in on a complaint or izin: all of it right (Monday 4 March, a
    working day already lived; the morning session; a reason)."""
    code = "SISTEM_ERROR" if category == "PENGADUAN" else "IZIN"
    return {"code": code, "start": "2024-03-04", "session": "PAGI", "reason": "Mesin mati pagi."}


@pytest.mark.parametrize("category", ["PENGADUAN", "IZIN"])
@pytest.mark.parametrize("end", ["garbage", "2024-03-05", "2024-03-01"])
def test_a_link_with_an_end_does_not_trap_a_complaint_or_izin_form(
    siti: Employee, category: str, end: str
) -> None:
    """A link to Laporan Baru that carries an ``end`` (mistyped, shared, an old bookmark) does
    not put it in a hidden field of a one-date form, where every sending would be refused for
    a field the teacher cannot see."""
    client = client_for(account(siti))
    url = reverse("requests:new") + f"?kategori={category}"
    page = client.get(url + f"&start=2024-03-04&end={end}")
    assert page.status_code == 200
    sent = {
        **_hidden_inputs(page.content.decode()),
        **_one_date(category),
        "letter": upload(pdf_letter()),
    }
    sent.pop("csrfmiddlewaretoken", None)

    response = client.post(url, sent)

    assert response.status_code == 302, response.context["form"].errors
    assert Request.objects.filter(employee=siti, status=Status.SUBMITTED).count() == 1


@pytest.mark.parametrize("category", ["PENGADUAN", "IZIN"])
def test_a_complaint_refused_for_its_hidden_end_can_be_mended_on_the_page_it_comes_back_on(
    siti: Employee, category: str
) -> None:
    """A complaint sent with an end (a page from before the end was hidden) is refused, and
    comes back with that end shown where it can be mended: sent again as it stands, without the
    end she now sees and clears, it is recorded."""
    client = client_for(account(siti))
    url = reverse("requests:new") + f"?kategori={category}"
    first = client.post(
        url, {**_one_date(category), "end": "2024-03-05", "letter": upload(pdf_letter())}
    )
    assert first.status_code == 200  # refused: one date only
    assert not Request.objects.exists()

    again = {**_hidden_inputs(first.content.decode()), **_one_date(category)}
    again.pop("csrfmiddlewaretoken", None)
    second = client.post(url, again)  # the kept letter travels in its token

    assert second.status_code == 302, second.context["form"].errors
    assert Request.objects.filter(employee=siti, status=Status.SUBMITTED).count() == 1
