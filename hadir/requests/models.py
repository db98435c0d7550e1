"""Requests (laporan): pengaduan, ketidakhadiran and izin, with their evidence letters."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hadir.org.models import Employee

logger = logging.getLogger(__name__)


class Category(models.TextChoices):
    """The menu entries of "Laporan" (DOMAIN.md §7)."""

    PENGADUAN = "PENGADUAN", _("Complaint")
    KETIDAKHADIRAN = "KETIDAKHADIRAN", _("Absence")
    IZIN = "IZIN", _("Permit (izin)")


class Code(models.TextChoices):
    """What is requested; the full-day codes are the rules library's absences."""

    TUGAS_LUAR = "TUGAS_LUAR", _("Duty outside the office")
    SISTEM_ERROR = "SISTEM_ERROR", _("System / machine error")
    IZIN = "IZIN", _("Permit (alibi letter)")
    DL = "DL", _("Official travel (DL)")
    CT = "CT", _("Annual leave (CT)")
    CB = "CB", _("Long leave (CB)")
    CS = "CS", _("Sick leave (CS)")
    CM = "CM", _("Maternity leave (CM)")
    CAP = "CAP", _("Leave for important reasons (CAP)")
    CLTN = "CLTN", _("Unpaid leave (CLTN)")
    TB = "TB", _("Study assignment (TB)")


WAIVER_CODES = frozenset({Code.TUGAS_LUAR, Code.SISTEM_ERROR, Code.IZIN})
CATEGORY_OF = {
    Code.TUGAS_LUAR: Category.PENGADUAN,
    Code.SISTEM_ERROR: Category.PENGADUAN,
    Code.IZIN: Category.IZIN,
    **{code: Category.KETIDAKHADIRAN for code in Code if code not in WAIVER_CODES},
}
REFERENCE_PREFIX = {Category.PENGADUAN: "PGD", Category.KETIDAKHADIRAN: "KTH", Category.IZIN: "IZN"}


class Session(models.TextChoices):
    PAGI = "PAGI", _("Morning (datang)")
    SORE = "SORE", _("Afternoon (pulang)")
    PAGI_SORE = "PAGI_SORE", _("Morning and afternoon")


class Status(models.TextChoices):
    DRAFT = "DRAFT", _("draft")
    SUBMITTED = "SUBMITTED", _("submitted")
    APPROVED = "APPROVED", _("approved")
    REJECTED = "REJECTED", _("rejected")
    WITHDRAWN = "WITHDRAWN", _("withdrawn")


class Evidence(models.Model):
    """An uploaded letter (PDF), checked by content, stored outside the web root.

    ``stored_name`` is generated; the original name is kept only to show it.
    """

    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class Request(models.Model):
    """One request with its workflow status; only ``APPROVED`` ones excuse anything."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="requests", verbose_name=_("employee")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    code = models.CharField(_("type"), max_length=14, choices=Code.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    session = models.CharField(_("session"), max_length=10, choices=Session.choices, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.CharField(_("verifier's note"), max_length=500, blank=True)
    imported = models.BooleanField(default=False, verbose_name=_("imported"))

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["employee", "status", "start"], name="request_employee_status"),
            models.Index(fields=["status", "submitted_at"], name="request_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")),
                name="request_start_before_end",
                violation_error_message=_("The end date comes before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.code} {self.start}–{self.end}"

    @property
    def is_waiver(self) -> bool:
        return self.code in WAIVER_CODES


class ReferenceCounter(models.Model):
    """The last number issued per prefix and year (``PGD-2024-000123``)."""

    prefix = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="uniq_reference_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Notification(models.Model):
    """An in-app message (a request submitted to verify, a decision taken).

    Kept as its message (the source text, marked for translation) and parameters, and shown
    in the reader's language (:attr:`shown`): a verifier working in English must not leave an
    English message to a teacher reading in Indonesian. ``text`` is the message in the
    site's language (Indonesian), as e-mailed; rows from before ``message`` show it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.TextField()  # whole: a verifier's note of 500 characters is its reason
    message = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> str:
        """The message in the active language; ``text`` in the site's own (what was written
        then), and for a row whose message can no longer be filled (logged)."""
        if not self.message or translation.get_language() == settings.LANGUAGE_CODE:
            return self.text
        try:
            return notice_text(self.message, self.params)
        except (KeyError, ValueError, TypeError):
            logger.warning("notification %s: message not renderable", self.pk, exc_info=True)
            return self.text


def notice_text(message: str, params: dict[str, str]) -> str:
    """``message`` translated into the active language, filled with ``params`` (kept as codes
    and ISO dates: a request's status and type named in that language, dates as the pages
    write them, 04-03-2024)."""
    values: dict[str, object] = dict(params)
    if "status" in params:
        values["status"] = Status(params["status"]).label
    if "code" in params:
        values["code"] = Code(params["code"]).label
    for key in ("start", "end"):
        if key in params:
            values[key] = f"{date.fromisoformat(params[key]):%d-%m-%Y}"
    return gettext(message) % values
