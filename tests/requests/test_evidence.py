"""Evidence letters: real PDFs of at most 300 KB without active content, stored privately.

A file is judged by its bytes, not its name, and every refusal says why in words the employee
can act on. An accepted letter is kept outside the web root under a generated name and read
back only through the access-checked view.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.constants import UserAccessPermissions
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from hadir.config.settings import base as base_settings
from hadir.config.settings import test as test_settings
from hadir.org.models import Employee
from hadir.requests.evidence import EvidenceRefused, evidence_check
from hadir.requests.models import Evidence, Request
from hadir.schedules.models import PolicyValue
from tests.clock import Clock
from tests.requests.support import (
    ELF_EXECUTABLE,
    KB,
    PNG_IMAGE,
    WINDOWS_EXECUTABLE,
    client_for,
    file_request,
    pdf_damaged,
    pdf_encrypted,
    pdf_letter,
    pdf_of_size,
    pdf_with_document_javascript,
    pdf_with_open_action,
    pdf_with_xfa_form,
    upload,
)

TOO_BIG = "ukuran 412 KB melebihi batas 300 KB"
NOT_A_PDF = "berkas bukan PDF (isinya bukan dokumen PDF)"
JAVASCRIPT = "PDF berisi konten aktif (JavaScript) yang tidak diizinkan"
LAUNCH = "PDF berisi konten aktif (perintah menjalankan program) yang tidak diizinkan"
SUBMIT = "PDF berisi konten aktif (pengiriman formulir) yang tidak diizinkan"
IMPORT = "PDF berisi konten aktif (impor data) yang tidak diizinkan"
REMOTE = "PDF berisi konten aktif (tautan ke berkas lain) yang tidak diizinkan"
EMBEDDED_LINK = "PDF berisi konten aktif (tautan ke berkas tersemat) yang tidak diizinkan"
XFA = "PDF berisi konten aktif (formulir XFA) yang tidak diizinkan"
ENCRYPTED = "PDF terkunci sandi tidak diterima"
DAMAGED = "PDF rusak atau tidak dapat dibaca"

BAD_LETTERS = [
    pytest.param(pdf_of_size(412 * KB), "surat.pdf", TOO_BIG, id="too-big"),
    pytest.param(PNG_IMAGE, "surat.png", NOT_A_PDF, id="an-image"),
    pytest.param(b"Surat tugas nomor 12/2024", "surat.pdf", NOT_A_PDF, id="text-named-pdf"),
    pytest.param(ELF_EXECUTABLE, "surat.pdf", NOT_A_PDF, id="elf-executable-named-pdf"),
    pytest.param(WINDOWS_EXECUTABLE, "surat.pdf", NOT_A_PDF, id="windows-executable-named-pdf"),
    pytest.param(pdf_with_document_javascript(), "surat.pdf", JAVASCRIPT, id="document-js"),
    pytest.param(
        pdf_with_open_action("/JavaScript", JS="app.launchURL('http://x')"),
        "surat.pdf",
        JAVASCRIPT,
        id="open-action-js",
    ),
    pytest.param(
        pdf_with_open_action("/Launch", F="C:\\Windows\\System32\\cmd.exe"),
        "surat.pdf",
        LAUNCH,
        id="launch-action",
    ),
    pytest.param(
        pdf_with_open_action("/SubmitForm", F="http://x.example/collect"),
        "surat.pdf",
        SUBMIT,
        id="submit-form-action",
    ),
    pytest.param(
        pdf_with_open_action("/ImportData", F="data.fdf"),
        "surat.pdf",
        IMPORT,
        id="import-data-action",
    ),
    pytest.param(
        pdf_with_open_action("/GoToR", F="C:\\Users\\Public\\tagihan.docm"),
        "surat.pdf",
        REMOTE,
        id="go-to-another-file",
    ),
    pytest.param(
        pdf_with_open_action("/GoToE", D="lampiran"),
        "surat.pdf",
        EMBEDDED_LINK,
        id="go-to-an-embedded-file",
    ),
    pytest.param(pdf_with_xfa_form(), "surat.pdf", XFA, id="xfa-form"),
    pytest.param(pdf_encrypted(), "surat.pdf", ENCRYPTED, id="encrypted"),
    pytest.param(pdf_damaged(), "surat.pdf", DAMAGED, id="damaged"),
]


def _send(client: Client, content: bytes, name: str = "surat.pdf") -> str:
    """Send Laporan Baru with a letter the form must refuse; the form's errors."""
    response = client.post(
        reverse("requests:new") + "?kategori=PENGADUAN",
        {
            "code": "SISTEM_ERROR",
            "start": "2024-03-04",
            "session": "PAGI",
            "reason": "Mesin sidik jari mati.",
            "letter": upload(content, name),
        },
    )
    assert response.status_code == 200, "a refused form is shown again, not redirected"
    errors = response.context["form"].errors
    return " ".join(str(message) for messages in errors.values() for message in messages)


def test_a_damaged_letter_is_refused_saying_what_to_do_not_the_readers_error_name(
    siti: Employee,
) -> None:
    said = _send(client_for(siti.user), pdf_damaged())
    assert said == (
        "PDF rusak atau tidak dapat dibaca: simpan atau pindai ulang suratnya sebagai PDF lalu"
        " lampirkan berkas itu"
    )


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# ---------------------------------------------------------------- the check itself


@pytest.mark.parametrize(("content", "name", "message"), BAD_LETTERS)
def test_each_unacceptable_letter_is_refused_with_its_reason(
    content: bytes, name: str, message: str
) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        evidence_check(content, max_kb=300)
    assert message in str(refused.value)


def test_a_plain_one_page_pdf_is_accepted() -> None:
    evidence_check(pdf_letter(), max_kb=300)


@pytest.mark.parametrize("uri", ["https://kemenag.go.id", "www.kemenag.go.id", "mailto:a@b.id"])
def test_a_letter_with_a_plain_link_is_accepted(uri: str) -> None:
    """Letters print web addresses in their footers; opening one asks the reader first."""
    evidence_check(pdf_with_open_action("/URI", URI=uri), max_kb=300)


@pytest.mark.parametrize(
    "uri",
    [
        "javascript:app.alert(1)",
        "file:///C:/Windows/System32/calc.exe",
        "\\\\10.0.0.5\\share\\a.exe",
    ],
)
def test_a_letter_linking_to_a_program_or_a_file_is_refused(uri: str) -> None:
    """Some Windows readers open such a link at one click, or hand a network share the
    verifier's credentials (found by a review helper)."""
    with pytest.raises(EvidenceRefused, match="program"):
        evidence_check(pdf_with_open_action("/URI", URI=uri), max_kb=300)


def test_a_letter_of_exactly_300_kb_is_accepted_and_one_byte_more_is_refused() -> None:
    evidence_check(pdf_of_size(300 * KB), max_kb=300)
    with pytest.raises(EvidenceRefused, match="ukuran 301 KB melebihi batas 300 KB"):
        evidence_check(pdf_of_size(300 * KB + 1), max_kb=300)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EvidenceRefused, match=r"^berkas kosong$"):
        evidence_check(b"", max_kb=300)


def test_an_embedded_file_is_refused_as_active_content() -> None:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("setup.exe", WINDOWS_EXECUTABLE)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EvidenceRefused, match=r"konten aktif \(berkas tersemat\)"):
        evidence_check(buffer.getvalue(), max_kb=300)


def _letter(build: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _embedded_program(writer: PdfWriter) -> DictionaryObject:
    """A file specification carrying a Windows program as an embedded file stream."""
    stream = StreamObject()
    stream.set_data(b"MZ\x90\x00\x03\x00\x00\x00 program")
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("setup.exe"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(stream)}),
        }
    )


def _annotate(writer: PdfWriter, annotation: DictionaryObject) -> None:
    annotation[NameObject("/Type")] = NameObject("/Annot")
    annotation[NameObject("/Rect")] = ArrayObject([NumberObject(0)] * 4)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _file_attachment_annotation(writer: PdfWriter) -> None:
    """The paper-clip icon on the page: readers offer to open (run) the attached file."""
    _annotate(
        writer,
        DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/FS"): _embedded_program(writer),
            }
        ),
    )


def _associated_file(writer: PdfWriter) -> None:
    """PDF 2.0's associated files (/AF) on the catalog: an embedded file without a name tree."""
    writer._root_object[NameObject("/AF")] = ArrayObject(
        [writer._add_object(_embedded_program(writer))]
    )


def _rich_media_annotation(writer: PdfWriter) -> None:
    """A RichMedia (Flash/video) annotation: its name is a /Subtype, never a key."""
    _annotate(
        writer,
        DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/RichMedia"),
                NameObject("/RichMediaContent"): DictionaryObject(),
            }
        ),
    )


def _3d_annotation_with_javascript(writer: PdfWriter) -> None:
    """A 3D annotation whose stream runs JavaScript when instantiated (/OnInstantiate)."""
    script = StreamObject()
    script.set_data(b"app.alert('3D');")
    model = StreamObject()
    model.set_data(b"U3D\x00")
    model[NameObject("/Type")] = NameObject("/3D")
    model[NameObject("/Subtype")] = NameObject("/U3D")
    model[NameObject("/OnInstantiate")] = writer._add_object(script)
    _annotate(
        writer,
        DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/3D"),
                NameObject("/3DD"): writer._add_object(model),
            }
        ),
    )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_file_attachment_annotation, id="file-attachment-annotation"),
        pytest.param(_associated_file, id="associated-file"),
    ],
)
def test_a_letter_carrying_an_embedded_program_outside_the_name_tree_is_refused(
    build: Callable[[PdfWriter], None],
) -> None:
    """README: letters with "embedded files" are refused. Only the catalog's /EmbeddedFiles
    name tree is caught: an embedded file stream names itself by its /Type value, which the
    check never reads, so a program attached to the page is accepted."""
    with pytest.raises(EvidenceRefused):
        evidence_check(_letter(build), max_kb=300)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_rich_media_annotation, id="rich-media-annotation"),
        pytest.param(_3d_annotation_with_javascript, id="3d-javascript"),
    ],
)
def test_a_letter_with_rich_media_or_a_3d_script_is_refused(
    build: Callable[[PdfWriter], None],
) -> None:
    """evidence.py promises no rich media and no JavaScript; a RichMedia annotation (its name is
    a /Subtype value) and a 3D stream's /OnInstantiate script both pass."""
    with pytest.raises(EvidenceRefused):
        evidence_check(_letter(build), max_kb=300)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_letter_that_opens_without_a_password_is_accepted_though_editing_is_restricted(
    algorithm: str,
) -> None:
    """Letters from e-office systems often come "secured" against editing or copying (an owner
    password) with an empty user password: every reader opens them without asking. They are
    decrypted with "" and checked like any other, AES ones too (pypdf reads AES with the
    cryptography package)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(
        user_password="",
        owner_password="sekretariat",
        permissions_flag=UserAccessPermissions.PRINT,
        algorithm=algorithm,
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    evidence_check(buffer.getvalue(), max_kb=300)


def test_a_letter_that_needs_a_password_to_open_is_refused_with_the_reason() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="buka", owner_password="sekretariat", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EvidenceRefused, match=r"sandi|password"):
        evidence_check(buffer.getvalue(), max_kb=300)


def test_a_letter_secured_only_against_editing_is_still_checked_for_active_content() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('Surat tugas');"))
    writer.encrypt(user_password="", owner_password="sekretariat")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EvidenceRefused, match=re.escape(JAVASCRIPT)):
        evidence_check(buffer.getvalue(), max_kb=300)


# ---------------------------------------------------------------- through Laporan Baru


@pytest.mark.parametrize(("content", "name", "message"), BAD_LETTERS)
def test_laporan_baru_shows_the_refusal_and_keeps_nothing(
    siti: Employee, private_media: Path, content: bytes, name: str, message: str
) -> None:
    errors = _send(client_for(siti.user), content, name)
    assert message in errors
    assert not Request.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(private_media) == []


def test_the_size_limit_is_policy_and_the_message_follows_it(siti: Employee) -> None:
    PolicyValue.objects.create(
        key="requests.evidence_max_kb", effective_from=date(2024, 3, 5), value="100"
    )
    errors = _send(client_for(siti.user), pdf_of_size(150 * KB))
    assert "ukuran 150 KB melebihi batas 100 KB" in errors


def test_the_form_tells_the_limit_before_the_upload(siti: Employee) -> None:
    page = client_for(siti.user).get(reverse("requests:new") + "?kategori=PENGADUAN")
    assert page.context["form"].fields["letter"].help_text.endswith("300 KB.")
    assert 'accept="application/pdf"' in page.content.decode()


# ---------------------------------------------------------------- storage


def test_an_accepted_letter_is_stored_privately_under_a_generated_name(
    siti: Employee, private_media: Path
) -> None:
    content = pdf_letter()
    response = client_for(siti.user).post(
        reverse("requests:new") + "?kategori=PENGADUAN",
        {
            "code": "SISTEM_ERROR",
            "start": "2024-03-04",
            "session": "PAGI",
            "reason": "Mesin sidik jari mati.",
            "letter": upload(content, "Surat Keterangan Kepala KUA.pdf"),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert Request.objects.get().evidence == evidence
    assert re.fullmatch(r"evidence/2024/03/[0-9a-f]{32}\.pdf", evidence.stored_name)
    assert evidence.original_name == "Surat Keterangan Kepala KUA.pdf"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == siti.user
    [stored] = stored_files(private_media)
    assert stored == private_media / evidence.stored_name
    assert stored.read_bytes() == content


def test_two_letters_with_the_same_name_never_overwrite_each_other(
    siti: Employee, private_media: Path
) -> None:
    file_request(siti, start=date(2024, 3, 4))
    file_request(siti, start=date(2024, 3, 5))
    names = set(Evidence.objects.values_list("stored_name", flat=True))
    assert len(names) == 2
    assert len(stored_files(private_media)) == 2


def test_evidence_lives_under_var_outside_every_directory_the_web_server_serves() -> None:
    static_roots = [Path(base_settings.STATIC_ROOT)] + [
        Path(str(entry[1] if isinstance(entry, tuple) else entry))
        for entry in base_settings.STATICFILES_DIRS
    ]
    # Production takes MEDIA_ROOT from base (and HADIR_VAR_DIR); tests use their own.
    for settings_module in (base_settings, test_settings):
        media_root = Path(settings_module.MEDIA_ROOT)
        assert media_root.is_relative_to(base_settings.VAR_DIR)
        assert not any(media_root.is_relative_to(root) for root in static_roots)
    assert not getattr(base_settings, "MEDIA_URL", "")


def test_no_url_serves_the_private_directory(siti: Employee) -> None:
    request = file_request(siti)
    assert request.evidence is not None
    stored = request.evidence.stored_name
    client = client_for(siti.user)
    for url in (f"/{stored}", f"/media/{stored}", f"/static/{stored}", f"/private/{stored}"):
        with pytest.raises(Resolver404):
            resolve(url)
        assert client.get(url).status_code == 404


def test_the_letter_is_served_as_a_pdf_only_through_the_request_page(siti: Employee) -> None:
    request = file_request(siti)
    response = client_for(siti.user).get(reverse("requests:evidence", args=[request.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{request.reference}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == pdf_letter()


def test_a_letter_missing_from_the_disk_is_not_found_rather_than_an_error(
    siti: Employee, private_media: Path
) -> None:
    request = file_request(siti)
    for path in stored_files(private_media):
        path.unlink()
    response = client_for(siti.user).get(reverse("requests:evidence", args=[request.reference]))
    assert response.status_code == 404


def test_a_refused_request_keeps_its_letter_only_for_the_form_sent_again(
    siti: Employee, private_media: Path, clock: Clock
) -> None:
    """The letter is checked and stored before the request. Refused (dates that overlap), the
    form keeps it for a day, so that it is not sent again (test_requests_in_practice's forgotten session);
    a letter no request took is then removed, its file too, and never orphaned for good."""
    file_request(siti, "DL", date(2024, 3, 4), date(2024, 3, 5))
    taken = set(Evidence.objects.values_list("pk", flat=True))
    files_taken = stored_files(private_media)

    def send() -> Any:
        response = client_for(siti.user).post(
            reverse("requests:new") + "?kategori=KETIDAKHADIRAN",
            {
                "code": "CS",
                "start": "2024-03-05",
                "end": "2024-03-06",
                "reason": "Sakit.",
                "letter": upload(pdf_letter()),
            },
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert Request.objects.count() == 1
        return response

    first = send().context["form"].kept
    assert first.uploaded_by == siti.user
    assert set(Evidence.objects.values_list("pk", flat=True)) == taken | {first.pk}
    assert len(stored_files(private_media)) == len(files_taken) + 1
    clock.advance(days=1, minutes=1)
    second = send().context["form"].kept
    assert set(Evidence.objects.values_list("pk", flat=True)) == taken | {second.pk}
    assert len(stored_files(private_media)) == len(files_taken) + 1
    assert not (private_media / first.stored_name).exists()
