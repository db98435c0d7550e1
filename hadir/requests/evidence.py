"""Checking and storing evidence letters: real PDFs only, small, without active content.

A file is judged by its bytes, not its name: it must start like a PDF, parse as one, have at
least one page, and carry no JavaScript, launch, form-submission or data-import actions, jumps
into other or embedded files, XFA forms, rich media or embedded files (a plain link, ``/URI``
to a web or mail address, is allowed: letters print web addresses in their footers, and
opening one needs the reader's consent). Embedded files are refused wherever they hang (the catalog's name tree, a page's
file-attachment annotation, PDF 2.0's associated files), and features are recognised by their
``/Type`` or ``/Subtype`` value as well as by their keys. A letter secured only against editing
(an owner password, no password to open it) is checked like any other. Refusals say exactly
why, in the employee's language, because they have to fix the file and try again.

A checked letter whose form is refused for another reason is kept a while for the form sent
again (:func:`evidence_keep`), named by a signed token only its uploader can use.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import uuid
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hadir.requests.models import Evidence, Request, Status

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
_JAVASCRIPT = gettext_lazy("JavaScript")
_EMBEDDED_FILE = gettext_lazy("embedded file")
_ATTACHED_FILE = gettext_lazy("attached file")
_RICH_MEDIA = gettext_lazy("rich media")
_3D = gettext_lazy("3D content")
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
    "/RichMedia": _RICH_MEDIA,
    "/EmbeddedFile": _EMBEDDED_FILE,
    "/EmbeddedFiles": _EMBEDDED_FILE,
    "/EF": _EMBEDDED_FILE,  # a file specification's embedded file stream
    "/AF": _ATTACHED_FILE,  # PDF 2.0's associated files, on the catalog, a page or an object
    "/OnInstantiate": _JAVASCRIPT,  # a 3D stream's script, run when the model is shown
}
FORBIDDEN_TYPES = {
    # What names itself by its /Type or /Subtype value, not by a key of its own.
    "/EmbeddedFile": _EMBEDDED_FILE,
    "/FileAttachment": _ATTACHED_FILE,
    "/RichMedia": _RICH_MEDIA,
    "/3D": _3D,
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
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        # Secured only against editing or copying (an owner password), a letter opens with an
        # empty password in every reader: pypdf too, and its content is checked like any other.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
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
        # The reader's error names nothing the teacher can act on: it is logged, she is told
        # what to do.
        log.info("unreadable letter: %s: %s", type(error).__name__, error)
        raise EvidenceRefused(
            _(
                "the PDF is damaged or unreadable: save or scan the letter again as a PDF and"
                " attach that file"
            )
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
                if (
                    name in ("/Type", "/Subtype")
                    and isinstance(kind, NameObject)
                    and kind in FORBIDDEN_TYPES
                ):
                    return str(FORBIDDEN_TYPES[kind])
                if name == "/URI" and not _web_address(kind):
                    return str(_LINK_ELSEWHERE)
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


_LINK_ELSEWHERE = gettext_lazy("link to a program or a file, not a web address")
LINK_SCHEMES = ("http://", "https://", "mailto:")
"""What a letter's link may open: a web page or a mail. ``javascript:``, ``file:`` or a
network share (``\\\\host``) would run or fetch something on the verifier's computer."""


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def _web_address(uri: Any) -> bool:
    """A web or mail address, or one without a scheme ("www.kemenag.go.id"), read as web."""
    text = (uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)).strip().lower()
    if text.startswith(LINK_SCHEMES):
        return True
    return not (text.startswith(("\\", "//")) or _SCHEME.match(text))


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


KEPT_FOR = timedelta(days=1)
"""How long a checked letter waits for its form to be sent again (a session forgotten, dates
that overlap): long enough to fix the form, short enough not to hoard orphans."""
_KEPT_SALT = "hadir.requests.kept-letter"


def evidence_keep(*, content: bytes, original_name: str, user: Any) -> Evidence:
    """Store a checked letter whose form was refused for another reason, so that the form sent
    again need not carry it (a teacher on a weak signal sends 300 KB once). Letters kept longer
    than :data:`KEPT_FOR` that no request took are removed meanwhile."""
    for stale in _untaken().filter(uploaded_at__lt=timezone.now() - KEPT_FOR)[:100]:
        evidence_release(stale)
    return evidence_store(content=content, original_name=original_name, user=user)


def evidence_token(evidence: Evidence) -> str:
    """The signed token a form carries (a hidden field) for a kept letter."""
    return signing.dumps(
        {"evidence": evidence.pk, "user": evidence.uploaded_by_id}, salt=_KEPT_SALT
    )


def evidence_kept(token: str, *, user: Any) -> Evidence | None:
    """The kept letter ``token`` names, if it is ``user``'s own, still kept and taken by no
    request but perhaps a pending one of theirs (the form that made it, sent again when its
    answer was lost: it is answered with that request); else None (the letter is then asked
    for again)."""
    try:
        signed = signing.loads(token, salt=_KEPT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(signed, dict) or signed.get("user") != getattr(user, "pk", None):
        return None
    pk = signed.get("evidence")
    if not isinstance(pk, int):
        return None
    taken = Request.objects.filter(evidence=pk).exclude(created_by=user, status=Status.SUBMITTED)
    return (
        Evidence.objects.filter(pk=pk, uploaded_by=user, uploaded_at__gte=timezone.now() - KEPT_FOR)
        .exclude(pk__in=taken.values("evidence"))
        .first()
    )


def evidence_release(evidence: Evidence) -> None:
    """Remove a kept letter, unless a request took it meanwhile (the same form sent from
    another tab): the row goes first, and only if untaken, then its file."""
    if _untaken().filter(pk=evidence.pk).delete()[0]:
        default_storage.delete(evidence.stored_name)


def _untaken() -> QuerySet[Evidence]:
    """Stored letters no request refers to."""
    return Evidence.objects.exclude(
        pk__in=Request.objects.filter(evidence__isnull=False).values("evidence")
    )
