"""Checking and storing evidence letters: real PDFs only, small, without active content.

A file is judged by its bytes, not its name: it must start like a PDF, parse as one, have at
least one page, and carry no JavaScript, launch, form-submission or data-import actions, jumps
into other or embedded files, XFA forms, rich media or embedded files (a plain link, ``/URI``,
is allowed: letters print web addresses in their footers, and opening one needs the reader's
consent). Refusals say exactly why, in the employee's language, because they have to fix the
file and try again.
"""

from __future__ import annotations

import hashlib
import io
import math
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hadir.requests.models import Evidence

PDF_MAGIC = b"%PDF-"
_JAVASCRIPT = gettext_lazy("JavaScript")
_EMBEDDED_FILE = gettext_lazy("embedded file")
FORBIDDEN_KEYS = {
    "/JavaScript": _JAVASCRIPT,
    "/JS": _JAVASCRIPT,
    "/Launch": gettext_lazy("launch action"),
    "/SubmitForm": gettext_lazy("form submission"),
    "/ImportData": gettext_lazy("data import"),
    # A jump into another file (which may be a program's document) or into an embedded one.
    "/GoToR": gettext_lazy("link into another file"),
    "/GoToE": gettext_lazy("link into an embedded file"),
    # XML forms carry their own scripts, which some readers run.
    "/XFA": gettext_lazy("XFA form"),
    "/RichMedia": gettext_lazy("rich media"),
    "/EmbeddedFile": _EMBEDDED_FILE,
    "/EmbeddedFiles": _EMBEDDED_FILE,
}


class EvidenceRefused(ValueError):
    """The file is not acceptable; ``str()`` is the message for the user."""


def evidence_check(content: bytes, *, max_kb: int) -> None:
    """Raise :class:`EvidenceRefused` unless ``content`` is an acceptable PDF letter."""
    size_kb = math.ceil(len(content) / 1024)
    if len(content) > max_kb * 1024:
        raise EvidenceRefused(too_big(size_kb, max_kb))
    if not content:
        raise EvidenceRefused(_("the file is empty"))
    if not content[:1024].lstrip().startswith(PDF_MAGIC):
        raise EvidenceRefused(_("the file is not a PDF (its content is not a PDF document)"))
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise EvidenceRefused(_("password-protected PDFs are not accepted"))
        if len(reader.pages) == 0:
            raise EvidenceRefused(_("the PDF has no pages"))
        found = _active_content(reader.trailer)
    except EvidenceRefused:
        raise
    except (
        PyPdfError,  # a damaged cross-reference table is a LimitReachedError, no PdfReadError
        ArithmeticError,  # a startxref of twenty digits overflows
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        OSError,
    ) as error:
        raise EvidenceRefused(
            _("the PDF is damaged or unreadable (%(error)s)") % {"error": type(error).__name__}
        ) from None
    if found:
        raise EvidenceRefused(
            _("the PDF contains active content (%(found)s), which is not allowed")
            % {"found": found}
        )


def too_big(size_kb: int, max_kb: int) -> str:
    """Why a letter of ``size_kb`` KB, past the limit of ``max_kb`` KB, is refused."""
    return _("size %(size)s KB exceeds the %(limit)s KB limit") % {"size": size_kb, "limit": max_kb}


def _active_content(root: Any) -> str | None:
    """Walk every object reachable from the trailer; name the first forbidden feature found."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        visited += 1
        if visited > 200_000:  # a 300 KB file cannot hold this many objects honestly
            return _("too many objects")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in FORBIDDEN_KEYS:
                    return str(FORBIDDEN_KEYS[name])
                # An action's type may be an object of its own (/S 5 0 R): readers resolve it.
                kind = value.get_object() if isinstance(value, IndirectObject) else value
                if name == "/S" and isinstance(kind, NameObject) and kind in FORBIDDEN_KEYS:
                    return str(FORBIDDEN_KEYS[kind])
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def evidence_store(*, content: bytes, original_name: str, user: Any) -> Evidence:
    """Store checked ``content`` under a generated name in private storage."""
    stored = f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"
    stored = default_storage.save(stored, ContentFile(content))
    return Evidence.objects.create(
        stored_name=stored,
        original_name=original_name[:200],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )


def evidence_discard(evidence: Evidence) -> None:
    """Remove a stored letter no request took (the request was refused after the upload)."""
    default_storage.delete(evidence.stored_name)
    evidence.delete()
