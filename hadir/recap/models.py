"""Materialised employee-days: the rules library's verdict per employee and date, stored."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from hadir.org.models import Employee


class EmployeeDay(models.Model):
    """One employee on one date, as the rules evaluated it (unique per employee and date).

    Refreshed only for the dates a change touches (a punch, a decided request, an import), so
    recaps read stored minutes instead of re-deriving months; ``reasons`` keeps the explanation
    (reason codes and parameters) for the calendar and exports.

    Derived data, rebuilt from punches and requests at will: a month's evaluation writes three
    million rows, and a foreign-key constraint would check each of them at commit (a tenth of
    the month's time). Employees are never deleted in SQL; Django's collector still cascades.
    """

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,  # by Django's collector: no database constraint, see below
        related_name="days",
        db_constraint=False,
        db_index=False,  # the unique (employee, date) index serves every read by employee
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=6)
    working = models.BooleanField(_("working day"))
    datang = models.TimeField(_("check-in"), null=True, blank=True)
    pulang = models.TimeField(_("check-out"), null=True, blank=True)
    tl_minutes = models.PositiveSmallIntegerField(_("TL minutes"), default=0)
    psw_minutes = models.PositiveSmallIntegerField(_("PSW minutes"), default=0)
    tl_class = models.PositiveSmallIntegerField(_("TL class"), default=0)
    psw_class = models.PositiveSmallIntegerField(_("PSW class"), default=0)
    meal = models.BooleanField(_("earns uang makan"), default=False)
    reasons = models.JSONField(_("reasons"), default=list)
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now=True)

    class Meta:
        verbose_name = _("employee-day")
        verbose_name_plural = _("employee-days")
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="uniq_employee_day")
        ]
        # No other index: every read goes by employee, and each index costs every bulk write.

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.status}"

    @property
    def day(self) -> dt.date:
        """The date, under the name the rules library's summaries read."""
        return self.date


class EmployeeMonthTally(models.Model):
    """One employee's month counted from its stored days: what a recap reads instead of them.

    Rewritten with the days whenever they change, so a unit's recap reads one row per employee
    and month. ``tally`` holds the rules library's :class:`~hadir.rules.month.MonthTally` (no
    money: that is computed under the policy when read); the columns hold the month's
    discipline figures (TK days, TL + PSW minutes, the :class:`~hadir.rules.discipline.TkRuns`)
    and the year's up to this month (``ytd_*``), rewritten for the later months of the year
    whenever an earlier one changes. The masks have bit ``d - 1`` set for day ``d`` of the
    month: days evaluated (so a recap can tell which days nobody has evaluated yet), days late
    (TL), days TK (the charts).
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month (first day)"))
    tally = models.JSONField(default=dict)
    evaluated_mask = models.BigIntegerField(default=0)
    late_mask = models.BigIntegerField(default=0)
    absent_mask = models.BigIntegerField(default=0)
    tk_days = models.PositiveSmallIntegerField(default=0)
    minutes = models.PositiveIntegerField(_("TL + PSW minutes"), default=0)
    run_head = models.PositiveSmallIntegerField(default=0)
    run_longest = models.PositiveSmallIntegerField(default=0)
    run_tail = models.PositiveSmallIntegerField(default=0)
    run_broken = models.BooleanField(default=False)
    ytd_tk_days = models.PositiveSmallIntegerField(default=0)
    ytd_minutes = models.PositiveIntegerField(default=0)
    ytd_longest = models.PositiveSmallIntegerField(default=0)
    ytd_tail = models.PositiveSmallIntegerField(default=0)
    ytd_evaluated = models.PositiveSmallIntegerField(default=0)
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("employee-month tally")
        verbose_name_plural = _("employee-month tallies")
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="uniq_employee_month")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m}"


class StaleTally(models.Model):
    """An employee-month whose tally lags its stored days, until the next read recounts it.

    A check-in stores its day at once but only marks the month here: recounting the month and
    rewriting the year's figures is half the work of a day's refresh, and nobody reads a tally
    between most check-ins. Every read of tallies settles the marks of the employees it reads
    first (:func:`hadir.recap.services.tallies_settle`), under the writers' lock.
    """

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,  # by Django's collector, as for the days
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique (employee, month) index serves every read by employee
    )
    month = models.DateField(_("month (first day)"))

    class Meta:
        verbose_name = _("stale tally")
        verbose_name_plural = _("stale tallies")
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="uniq_stale_tally")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m}"


class StandingCloses(models.Manager["PeriodClose"]):
    """The closings in force: a reopened one stays, as the record of what was signed."""

    def get_queryset(self) -> models.QuerySet["PeriodClose"]:
        return super().get_queryset().filter(reopened_at__isnull=True)


class PeriodClose(models.Model):
    """A unit's month, closed by an operator after the request deadline.

    ``snapshot`` is the recap as it stood at closing (the JSON rows), ``letter`` who signed it:
    the closed month's exports are built from them, so they come out byte for byte the same
    (a new unit head or name changes the letters of open months only). Changes to a closed month need an
    admin (audited); an admin may reopen the month and an operator close it again. A reopened
    closing is kept, stamped, with the figures it froze (``PeriodClose.history``):
    ``PeriodClose.objects`` holds the closings in force.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="closed_periods", verbose_name=_("unit")
    )
    month = models.DateField(_("month (first day)"))
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    snapshot = models.JSONField(default=list, verbose_name=_("snapshot"))
    daily_snapshot = models.JSONField(default=list, verbose_name=_("daily snapshot"))
    letter = models.JSONField(default=dict, verbose_name=_("letter"))
    """By unit id, the unit's and every unit below it: their names, heads, places and offices
    as the letters of their exports said at closing."""
    reopened_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    history = models.Manager()
    objects = StandingCloses()

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        base_manager_name = "history"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=models.Q(reopened_at__isnull=True),
                name="uniq_period_close_standing",
                violation_error_message=_("This month is already closed for this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class ExportJob(models.Model):
    """A long export running in the background; the page polls ``progress`` until ``done``."""

    class State(models.TextChoices):
        QUEUED = "QUEUED", _("queued")
        RUNNING = "RUNNING", _("running")
        DONE = "DONE", _("done")
        FAILED = "FAILED", _("failed")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    format = models.CharField(max_length=4)
    daily = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stored_name = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.format} {self.state}"


class DayRefresh(models.Model):
    """Stored days a committed change still owes a refresh: a holiday, a special period, a work
    pattern's hours, a policy value, an employee's unit or pattern.

    Written in the change's own transaction (so it cannot be lost) and run once that commits,
    chunk by chunk, each chunk its own transaction: a change reaching a hundred thousand
    employees would otherwise hold one lock per employee until its commit, more than the
    database's lock table holds. A run that fails stays here for ``manage.py refresh_days``.

    ``scope`` names whose days: ``{"all": true}``, ``{"units": [ids]}`` (and every unit below),
    ``{"unit_only": [ids]}`` (not below), ``{"patterns": [ids]}`` (employees working to them)
    or ``{"employees": [ids]}``; or
    ``{"outside_period": [ids]}``: employees whose corrected start or end drops their stored
    days outside it.
    """

    scope = models.JSONField(verbose_name=_("scope"))
    start = models.DateField(verbose_name=_("start"))
    end = models.DateField(verbose_name=_("end"))
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("weekday")
    )  # 0 = Monday
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    claim = models.CharField(max_length=32, blank=True, db_index=True, verbose_name=_("claim"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    error = models.CharField(max_length=300, blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("pending day refresh")
        verbose_name_plural = _("pending day refreshes")

    def __str__(self) -> str:
        return f"{self.scope} {self.start}..{self.end}"


class SanctionDecision(models.Model):
    """A discipline sanction a person decided (the SK), as the recap applies it.

    The recap proposes a rung of the ladder from the days not at work (DOMAIN.md §5); only a
    decision makes it run. A *sedang* one adds the policy's extra TUKIN percentage to each of
    its ``months`` from ``first_month``; the others are kept on the record. Never deleted: a
    decision taken back is revoked, with who and when, as the audit trail says why.
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("employee")
    )
    sanction = models.CharField(_("sanction"), max_length=40)
    first_month = models.DateField(_("first month"))
    months = models.PositiveSmallIntegerField(_("months"))
    decree = models.CharField(_("decree (SK) number"), max_length=120)
    decided_on = models.DateField(_("decree date"))
    for_year = models.PositiveSmallIntegerField(
        _("year assessed"),
        help_text=_(
            "The year whose days not at work the decree judges (a January decree may"
            " judge the year before)."
        ),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction decision")
        verbose_name_plural = _("sanction decisions")
        ordering = ["-first_month", "-pk"]
        indexes = [models.Index(fields=["employee", "first_month"], name="sanction_employee_month")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.sanction} {self.first_month:%Y-%m} ({self.decree})"

    def last_month(self) -> dt.date | None:
        """The last month it runs, or None when it runs no month (a reprimand)."""
        if not self.months:
            return None
        index = self.first_month.year * 12 + self.first_month.month - 1 + self.months - 1
        return dt.date(index // 12, index % 12 + 1, 1)
