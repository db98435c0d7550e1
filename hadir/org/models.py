"""Units, employees, roles with unit scopes, and work locations (DOMAIN.md §1–2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hadir.common.i18n import rule_text
from hadir.org.geofence import location_problems
from hadir.rules.golongan import parse_golongan
from hadir.rules.nip import InvalidNip, parse_nip

TIMEZONE_CHOICES = [
    ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
    ("Asia/Makassar", "WITA (Asia/Makassar)"),
    ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
]


class Unit(models.Model):
    """A node of the organisation tree: Kanwil → Kankemenag → office sections, KUA, madrasah.

    ``path`` is the chain of ancestor ids (``/1/4/9/``), kept by :mod:`hadir.org.services`, so
    "this unit and everything under it" is one indexed prefix query at any depth.
    """

    class Kind(models.TextChoices):
        KANWIL = "KANWIL", _("Kanwil (province)")
        KANKEMENAG = "KANKEMENAG", _("Kankemenag (regency/city)")
        SUBBAG = "SUBBAG", _("Subbag TU")
        SEKSI = "SEKSI", _("Seksi / Penyelenggara")
        KUA = "KUA", _("KUA")
        MADRASAH_NEGERI = "MADRASAH_NEGERI", _("State madrasah")
        MADRASAH_SWASTA = "MADRASAH_SWASTA", _("Private madrasah")
        SEKOLAH = "SEKOLAH", _("Public school (Guru PAI)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(
        max_length=255, db_index=True, editable=False, default="", verbose_name=_("path")
    )
    timezone = models.CharField(
        _("time zone"), max_length=40, choices=TIMEZONE_CHOICES, default="Asia/Jakarta"
    )
    default_pattern = models.ForeignKey(
        "schedules.WorkPattern",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default work pattern"),
    )
    pattern_since = models.DateField(
        _("on this pattern since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: since the unit's first day."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A parent is never the unit itself nor a unit under it (the tree would loop)."""
        parent = self.parent
        if self.pk is None or parent is None:
            return
        if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
            raise ValidationError(
                {"parent": _("The parent must not be this unit or a unit under it.")}
            )

    def today(self) -> date:
        """Today on the unit's clock: a WIT madrasah's day starts two hours before Jakarta's."""
        return timezone.localdate(timezone=ZoneInfo(self.timezone))

    def days_span(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The instants from ``first``'s midnight to the midnight after ``last``, on the
        unit's clock: its days, as the bounds of a query on stored instants."""
        tz = ZoneInfo(self.timezone)
        return (
            datetime.combine(first, time.min, tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
        )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit itself, read off the materialised path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


def attends_on(start: date, end: date | None, day: date) -> bool:
    """Whether ``day`` lies in an attendance period (from ``start``, until ``end`` when set):
    outside it a day counts for nothing, neither H nor TK."""
    return start <= day and not (end and day > end)


class Employee(models.Model):
    """An ASN (PNS or PPPK) whose attendance counts from ``start`` until ``end`` (if any).

    The login account (``user``) is separate: an imported employee has none until activated.
    """

    class Kind(models.TextChoices):
        PNS = "PNS", "PNS"
        PPPK = "PPPK", "PPPK"

    nip = models.CharField(_("NIP / NI PPPK"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    golongan = models.CharField(_("golongan"), max_length=8)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit")
    )
    pattern = models.ForeignKey(
        "schedules.WorkPattern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work pattern (empty = the unit's)"),
    )
    start = models.DateField(_("attendance counts from"))
    end = models.DateField(_("attendance counts until"), null=True, blank=True)
    placed_since = models.DateField(
        _("in this unit since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: since the attendance period starts."),
    )
    golongan_since = models.DateField(
        _("in this golongan since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: since the attendance period starts."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(start__lte=models.F("end")),
                name="employee_start_before_end",
                violation_error_message=_("The end of service comes before its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"

    def clean(self) -> None:
        """The NIP and the golongan as the import checks them (the admin's form comes here):
        a number that is no NIP, or a grade the rules do not know, would break every recap
        that holds the employee."""
        errors: dict[str, str] = {}
        try:
            nip = parse_nip(self.nip)
        except InvalidNip as error:
            errors["nip"] = rule_text(error)
        else:
            self.nip = nip.number
            if self.kind and nip.kind != self.kind:
                errors["kind"] = _("the NIP is %(nip_kind)s's, not %(kind)s's") % {
                    "nip_kind": nip.kind,
                    "kind": self.kind,
                }
        try:
            golongan = parse_golongan(self.golongan)
        except ValueError as error:
            errors["golongan"] = rule_text(error)
        else:
            self.golongan = golongan.text
            if self.kind and golongan.kind != self.kind:
                errors["golongan"] = _(
                    "golongan %(golongan)s is %(kind)s, but the employee is %(own)s"
                ) % {"golongan": golongan.text, "kind": golongan.kind, "own": self.kind}
        if errors:
            raise ValidationError(errors)

    def attends_on(self, day: date) -> bool:
        return attends_on(self.start, self.end, day)

    @property
    def effective_pattern_id(self) -> int:
        """The employee's own pattern, else the unit's default."""
        return self.pattern_id or self.unit.default_pattern_id

    @property
    def effective_pattern_code(self) -> str:
        """The code of the employee's own pattern, else of the unit's default (load both with
        ``select_related("pattern", "unit__default_pattern")`` when reading many)."""
        if self.pattern is not None:
            return self.pattern.code
        return self.unit.default_pattern.code


class Placement(models.Model):
    """Where an employee worked before their present unit: ``unit`` (on ``pattern``, else the
    unit's default of each date: :class:`UnitPattern`) until ``until``. A move (mutasi) is dated, so the days lived before it keep
    the calendar, hours and clock they were lived under; the present placement is the
    employee's own ``unit`` and ``pattern``, from ``placed_since``
    (:func:`hadir.org.services.employee_place` writes both)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="placements", verbose_name=_("employee")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    pattern = models.ForeignKey(
        "schedules.WorkPattern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work pattern (empty = the unit's)"),
    )
    until = models.DateField(_("until"))

    class Meta:
        verbose_name = _("earlier placement")
        verbose_name_plural = _("earlier placements")
        ordering = ["employee", "until"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "until"], name="placement_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ≤ {self.until:%d-%m-%Y}"


class UnitPattern(models.Model):
    """A default work pattern a unit had until ``until``: a unit's new pattern (a madrasah
    starting a six-day week) is dated, so the days lived before it keep the former one; the
    present pattern is the unit's ``default_pattern``, from ``pattern_since``
    (:func:`hadir.org.services.unit_pattern_change` writes both)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="earlier_patterns", verbose_name=_("unit")
    )
    pattern = models.ForeignKey(
        "schedules.WorkPattern",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work pattern"),
    )
    until = models.DateField(_("until"))

    class Meta:
        verbose_name = _("earlier unit pattern")
        verbose_name_plural = _("earlier unit patterns")
        ordering = ["unit", "until"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "until"], name="unit_pattern_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.pattern.code} ≤ {self.until:%d-%m-%Y}"


class EarlierGolongan(models.Model):
    """A golongan an employee held until ``until``: a promotion (kenaikan pangkat) is dated, so
    the months before it keep the uang makan rate and tax they were earned at; the present
    golongan is the employee's own, from ``golongan_since``
    (:func:`hadir.org.golongan.employee_promote` writes both)."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="earlier_golongan",
        verbose_name=_("employee"),
    )
    golongan = models.CharField(_("golongan"), max_length=8)
    until = models.DateField(_("until"))

    class Meta:
        verbose_name = _("earlier golongan")
        verbose_name_plural = _("earlier golongan")
        ordering = ["employee", "until"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "until"], name="golongan_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.golongan} ≤ {self.until:%d-%m-%Y}"


class Role(models.TextChoices):
    """Roles beyond Pegawai (which every employee with an account has)."""

    OPERATOR = "OPERATOR", _("Attendance officer (Pengelola Presensi)")
    VERIFIER = "VERIFIER", _("Verifier")
    LEADER = "LEADER", _("Head of unit (Pimpinan)")
    SUPERVISOR = "SUPERVISOR", _("Supervisor (Pengawas)")
    ADMIN = "ADMIN", _("Admin")


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def in_force(self) -> RoleAssignmentQuerySet:
        """Roles of people still in service: a role ends with its holder's attendance period
        (a retired operator keeps no power over the unit), not only when an admin removes it,
        at midnight on the holder's own unit's clock (Jayapura's comes two hours before
        Jakarta's). Accounts without an employee record (the ministry's admins) keep theirs."""
        now = timezone.now()
        ended = [
            models.Q(
                user__employee__unit__timezone=zone,
                user__employee__end__lt=now.astimezone(ZoneInfo(zone)).date(),
            )
            for zone, _label in TIMEZONE_CHOICES
        ]
        return self.exclude(reduce(or_, ended))


class RoleAssignment(models.Model):
    """A user holds a role over a unit and everything under it (Admin: over everything, and
    over no unit)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit (with sub-units)"),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="uniq_role_assignment"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role="ADMIN"),
                name="one_admin_role_per_user",
                violation_error_message=_("This account is already an Admin."),
            ),
            models.CheckConstraint(
                condition=models.Q(role="ADMIN", unit__isnull=True)
                | (~models.Q(role="ADMIN") & models.Q(unit__isnull=False)),
                name="admin_over_no_unit_others_over_one",
                violation_error_message=_(
                    "An Admin is over no unit; every other role is over one unit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit or '*'}"

    def clean(self) -> None:
        """An Admin is one over everything: a unit beside the role would read as a limit the
        role does not have."""
        if self.role == Role.ADMIN and self.unit_id is not None:
            raise ValidationError({"unit": _("The Admin role covers every unit: leave it empty.")})


class Location(models.Model):
    """A place where check-in is allowed (titik lokasi): a point with a radius, or a polygon.

    ``polygon`` is a list of ``[lat, lng]`` vertices; when present it defines the area and
    ``latitude``/``longitude`` is only where the map centres. ``accuracy_tolerance_m`` is the
    worst GPS accuracy accepted here (an open field can demand more than a building).
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="locations", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"))
    accuracy_tolerance_m = models.PositiveIntegerField(_("GPS accuracy tolerance (m)"))
    polygon = models.JSONField(_("polygon [[lat, lng], …]"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.code})"

    def clean(self) -> None:
        """A location every check-in can be judged against, whoever saves it (the map page,
        the admin): one that cannot be would stop check-ins until someone fixes it."""
        problems = location_problems(self)
        if problems:
            raise ValidationError(problems)


class LocationGrant(models.Model):
    """An extra location for one employee (a teacher at several madrasah, a Guru PAI at a
    sekolah umum). It counts only once an operator of the location's unit approved it."""

    class Status(models.TextChoices):
        REQUESTED = "REQUESTED", _("requested")
        APPROVED = "APPROVED", _("approved")
        REJECTED = "REJECTED", _("rejected")
        REVOKED = "REVOKED", _("revoked")
        ENDED = "ENDED", _("ended: moved to another unit")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="location_grants",
        verbose_name=_("employee"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="grants", verbose_name=_("location")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("extra location")
        verbose_name_plural = _("extra locations")
        constraints = [
            models.UniqueConstraint(fields=["employee", "location"], name="uniq_location_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.employee.nip} → {self.location.name} ({self.status})"
