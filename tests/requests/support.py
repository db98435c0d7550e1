"""Builders shared by the request tests: PDF letters good and bad, punches, filed requests.

Dates are fixed so the national calendar is known: the week of Monday 4 March 2024 is an
ordinary office week (``KANTOR_5H``: 07:30–16:00 Mon–Thu, 07:30–16:30 Fri); Saturday 9 and
Sunday 10 March are days off, Monday 11 March is Nyepi and Tuesday 12 March is cuti bersama.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from hadir.accounts.models import User
from hadir.org.models import Employee
from hadir.presence.models import Punch
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_refresh
from hadir.requests.evidence import evidence_store
from hadir.requests.models import Request
from hadir.requests.services import NewRequest, request_decide, request_submit
from tests.presence.support import punch_append

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2024, 3, 4)
TUESDAY = date(2024, 3, 5)
WEDNESDAY = date(2024, 3, 6)
THURSDAY = date(2024, 3, 7)
FRIDAY = date(2024, 3, 8)
SATURDAY = date(2024, 3, 9)
NYEPI = date(2024, 3, 11)
CUTI_BERSAMA_NYEPI = date(2024, 3, 12)
KB = 1024


def local(day: date, hhmm: str) -> datetime:
    """An aware instant: ``hhmm`` on ``day`` in WIB."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


def dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# ---------------------------------------------------------------- letters


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    return writer


def pdf_letter() -> bytes:
    """A small, honest one-page PDF, as a scanner produces (without the scan)."""
    return _written(_one_page())


def pdf_of_size(size: int) -> bytes:
    """A valid PDF padded with a trailing comment to exactly ``size`` bytes."""
    content = pdf_letter()
    return content + b"%" + b"x" * (size - len(content) - 2) + b"\n"


def pdf_with_document_javascript() -> bytes:
    """JavaScript in the document's name tree (pypdf's ``add_open_action``, once ``add_js``)."""
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert('Surat tugas');"))
    return _written(writer)


def pdf_with_open_action(action: str, **entries: str) -> bytes:
    """A PDF whose /OpenAction runs ``action`` (``/JavaScript``, ``/Launch``, …) when opened."""
    writer = _one_page()
    open_action = DictionaryObject({NameObject("/S"): NameObject(action)})
    for key, value in entries.items():
        open_action[NameObject(f"/{key}")] = TextStringObject(value)
    writer._root_object[NameObject("/OpenAction")] = open_action
    return _written(writer)


def pdf_with_xfa_form() -> bytes:
    """A PDF whose form is XFA (XML the reader renders, scripts included), not a plain AcroForm."""
    writer = _one_page()
    template = TextStringObject('<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"/>')
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): ArrayObject([TextStringObject("template"), template]),
        }
    )
    return _written(writer)


def pdf_encrypted() -> bytes:
    writer = _one_page()
    writer.encrypt(user_password="rahasia", owner_password="rahasia-pemilik")
    return _written(writer)


def pdf_damaged() -> bytes:
    """A real PDF cut in half, as an interrupted download leaves it."""
    content = pdf_letter()
    return content[: len(content) // 2]


ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 400
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 400
PNG_IMAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200


def upload(
    content: bytes, name: str = "surat.pdf", content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    """A file as the browser sends it; the name and type are whatever the user's machine says."""
    return SimpleUploadedFile(name, content, content_type=content_type)


# ---------------------------------------------------------------- punches and days


def punch(employee: Employee, day: date, hhmm: str) -> Punch:
    """A fingerprint-machine punch at ``hhmm`` on ``day`` (WIB), sealed onto the chain."""
    return punch_append(
        employee, Punch(employee=employee, at=local(day, hhmm), source=Punch.Source.MACHINE)
    )


def materialise(employee: Employee, days: list[date]) -> dict[date, EmployeeDay]:
    """Store the employee's days as check-ins and imports leave them; the rows by date."""
    days_refresh(employee=employee, dates=days)
    return stored_days(employee)


def stored_days(employee: Employee) -> dict[date, EmployeeDay]:
    return {row.date: row for row in EmployeeDay.objects.filter(employee=employee)}


# ---------------------------------------------------------------- requests


def file_request(
    employee: Employee,
    code: str = "SISTEM_ERROR",
    start: date = MONDAY,
    end: date | None = None,
    session: str | None = None,
    reason: str = "Mesin sidik jari mati pagi itu.",
) -> Request:
    """The employee files and submits a request with a letter, as the Laporan Baru form does."""
    from hadir.requests.models import WAIVER_CODES

    if session is None:
        session = "PAGI" if code in WAIVER_CODES else ""
    user = employee.user
    evidence = evidence_store(content=pdf_letter(), original_name="surat.pdf", user=user)
    return request_submit(
        actor=user,
        employee=employee,
        new=NewRequest(code=code, start=start, end=end or start, session=session, reason=reason),
        evidence=evidence,
    )


def approve(request: Request, verifier: Any) -> Request:
    return request_decide(actor=verifier, request=request, approve=True)


def reject(request: Request, verifier: Any, note: str = "Surat tidak ditandatangani.") -> Request:
    return request_decide(actor=verifier, request=request, approve=False, note=note)


def account(employee: Employee) -> User:
    """The employee's login account (the fixtures always give one)."""
    assert employee.user is not None
    return employee.user


def client_for(user: Any) -> Any:
    """A browser session (Django's test client) logged in as ``user``."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def page_messages(response: Any) -> list[str]:
    """The flash messages a followed response shows."""
    return [str(message) for message in response.context["messages"]]
