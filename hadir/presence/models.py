"""Punches (append-only, hash-chained), refused attempts, devices and fingerprint machines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hadir.common.tables import visible
from hadir.org.models import Employee, Location, Unit


class AppendOnlyError(RuntimeError):
    """Punches are evidence: they are never changed or deleted, only corrected by requests."""


class Punch(models.Model):
    """One recorded check-in or check-out, in server time (or machine time for imported logs).

    Append-only: :meth:`save` refuses updates and :meth:`delete` refuses always. ``hash`` chains
    each punch to the employee's previous one (``prev_hash``), so ``manage.py verify_punches``
    detects a row changed or removed behind the application's back.
    """

    class Source(models.TextChoices):
        APP = "APP", _("app")
        MACHINE = "MACHINE", _("fingerprint machine")
        IMPORT = "IMPORT", _("import")

    class Flag(models.TextChoices):
        """Why an imported punch counted for nothing when it came (in ``flags``). The day's
        evaluation judges it again as the employee's service, clock and window stand then: a
        start corrected to an earlier date makes it count."""

        OUTSIDE_WINDOW = "OUTSIDE_WINDOW", _("outside the presensi window")
        # Dated before the employee's start or after their end: a PIN reused for a newcomer
        # still holds the log of whoever had it before.
        OUTSIDE_SERVICE = "OUTSIDE_SERVICE", _("outside the employee's service period")

    # No index of its own: (employee, at, source) and (employee, id) below both lead with it.
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="punches",
        db_index=False,
        verbose_name=_("employee"),
    )
    at = models.DateTimeField(_("time"))
    # Set before the punch is sealed (the hash covers it), not when the row is written.
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    accuracy_m = models.FloatField(null=True, blank=True, verbose_name=_("accuracy (m)"))
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    device_id = models.CharField(max_length=100, blank=True, verbose_name=_("device ID"))
    idempotency_key = models.CharField(max_length=64, blank=True, verbose_name=_("idempotency key"))
    counts = models.BooleanField(_("counts"), default=True)
    flags = models.CharField(_("flags"), max_length=200, blank=True)
    machine = models.ForeignKey(
        "Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    prev_hash = models.CharField(max_length=64, blank=True, verbose_name=_("previous hash"))
    # Not unique and not indexed: nothing looks a punch up by its hash (the chain is walked by
    # (employee, id)), and an index of random 64-character keys costs every insert a random page
    # of a table-sized index.
    hash = models.CharField(max_length=64, verbose_name=_("hash"))

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        # Reads by employee and time use uniq_punch_employee_at_source (it leads with both).
        indexes = [
            # The chain's tail (the employee's last punch by id) in one index probe, however
            # long the employee's history: without it PostgreSQL reads all their punches.
            models.Index(fields=["employee", "id"], name="punch_employee_chain"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="uniq_punch_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["employee", "at", "source"], name="uniq_punch_employee_at_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.at:%Y-%m-%d %H:%M:%S} {self.source}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("punches are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("punches are append-only")


class Refusal(models.Model):
    """A check-in the server refused, kept with its data: the evidence for a complaint later."""

    class Reason(models.TextChoices):
        INACTIVE = "INACTIVE", _("account not active")
        OUTSIDE_WINDOW = "OUTSIDE_WINDOW", _("outside the presensi window")
        OUTSIDE_AREA = "OUTSIDE_AREA", _("outside every allowed location")
        POOR_ACCURACY = "POOR_ACCURACY", _("GPS accuracy too poor")
        MOCK_LOCATION = "MOCK_LOCATION", _("mock location")
        IMPOSSIBLE_TRAVEL = "IMPOSSIBLE_TRAVEL", _("impossible travel")
        UNKNOWN_DEVICE = "UNKNOWN_DEVICE", _("unknown device")
        NO_LOCATION = "NO_LOCATION", _("no location configured")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="refusals", verbose_name=_("employee")
    )
    at = models.DateTimeField(_("time"), db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.CharField(_("message"), max_length=300)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    accuracy_m = models.FloatField(null=True, blank=True, verbose_name=_("accuracy (m)"))
    device_id = models.CharField(max_length=100, blank=True, verbose_name=_("device ID"))
    idempotency_key = models.CharField(max_length=64, blank=True, verbose_name=_("idempotency key"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))

    class Meta:
        verbose_name = _("refused check-in")
        verbose_name_plural = _("refused check-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.at:%Y-%m-%d %H:%M} {self.reason}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("refusals are evidence: append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("refusals are evidence: append-only")


class ChainHead(models.Model):
    """An employee's newest punch a checked checkpoint read (:mod:`hadir.presence.chain`): a
    chain that has lost its end shows against it. ``length`` counts the chain's punches up to
    the head, so that a check from the head on sees a row inserted or deleted below it (empty
    on heads recorded before it was kept: their chains are checked whole)."""

    employee = models.OneToOneField(
        Employee, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    punch_id = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    length = models.PositiveIntegerField(null=True, blank=True)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.punch_id}"


class ChainCheckpoint(models.Model):
    """One checkpoint of every chain's head; ``digest`` covers the heads and ``previous``."""

    taken_at = models.DateTimeField()
    heads = models.PositiveIntegerField()
    previous = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("chain checkpoint")
        verbose_name_plural = _("chain checkpoints")

    def __str__(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.digest[:12]}"


class Device(models.Model):
    """A device an employee checks in from; with device binding on, only active ones may.

    A deactivated phone stays refused. Until an operator resets the account's phones it also
    stops any new phone registering itself (a friend's phone after the own one was blocked);
    the reset stamps ``reset_at`` on it, so it is still refused but no longer on record.
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="devices", verbose_name=_("employee")
    )
    device_id = models.CharField(max_length=100, verbose_name=_("device ID"))
    first_seen = models.DateTimeField(auto_now_add=True, verbose_name=_("first seen"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    reset_at = models.DateTimeField(_("kept blocked by a reset at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["employee", "device_id"], name="uniq_employee_device")
        ]
        # Whose phone is this: asked when an account registers its first phone.
        indexes = [models.Index(fields=["device_id"], name="device_id_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.device_id}"


class Machine(models.Model):
    """A fingerprint machine (mesin absensi) whose logs operators import."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="machines", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=120)
    serial = models.CharField(_("serial number"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("fingerprint machine")
        verbose_name_plural = _("fingerprint machines")

    def __str__(self) -> str:
        return f"{self.name} ({self.serial})"

    def clean(self) -> None:
        """The admin's form stores the serial as the machine form does."""
        self.serial = Machine.serial_as_printed(self.serial)

    @staticmethod
    def serial_as_printed(typed: str) -> str:
        """A serial number as the machine prints it: "zk-0042" and "ZK-0042" are one machine,
        and an invisible character pasted with it does not make another."""
        return visible(typed).strip().upper()


class MachinePinQuerySet(models.QuerySet["MachinePin"]):
    def mapped(self) -> MachinePinQuerySet:
        """The PINs on the map (not taken off it)."""
        return self.filter(unmapped_at=None)

    def unmapped(self) -> MachinePinQuerySet:
        return self.exclude(unmapped_at=None)


class MachinePin(models.Model):
    """Which employee a machine's user PIN belongs to, and since when.

    A machine's log keeps every punch since it was last cleared, so a PIN given to someone else
    still carries its previous holder's punches: those before ``since`` are not the holder's
    (empty: the PIN has been theirs as far back as the log goes). A PIN taken off the map keeps
    its row, ``unmapped_at`` set: its punches count for nobody; given back to the same holder
    it is theirs as before, given to someone else it is theirs from then on.
    """

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="pins")
    pin = models.CharField(_("PIN"), max_length=20)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(_("holder since"), null=True, blank=True)
    unmapped_at = models.DateTimeField(_("taken off the map at"), null=True, blank=True)

    objects = MachinePinQuerySet.as_manager()

    class Meta:
        verbose_name = _("machine PIN")
        verbose_name_plural = _("machine PINs")
        constraints = [models.UniqueConstraint(fields=["machine", "pin"], name="uniq_machine_pin")]

    def __str__(self) -> str:
        return f"{self.machine.serial}:{self.pin} → {self.employee_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A PIN handed to another employee (in the admin) is theirs from now on."""
        if self.pk is not None:
            held = list(MachinePin.objects.filter(pk=self.pk).values_list("employee_id", flat=True))
            if held and held[0] != self.employee_id:
                self.since, self.unmapped_at = timezone.now(), None
        super().save(*args, **kwargs)
