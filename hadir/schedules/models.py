"""Work patterns, special periods, the holiday calendar and dated policy values.

All of it is data an operator can change; the rules library (``hadir.rules``) receives it as
plain values through :mod:`hadir.schedules.selectors`.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hadir.common.i18n import rule_text

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class WorkPattern(models.Model):
    """A weekly pattern (pola kerja) such as ``KANTOR_5H``; its hours are :class:`PatternDay`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    flexible_break = models.BooleanField(_("flexible break"), default=False)

    class Meta:
        verbose_name = _("work pattern")
        verbose_name_plural = _("work patterns")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class HoursFields(models.Model):
    """Start, end and break of one working day, in the unit's local time."""

    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_start = models.TimeField(_("break start"), null=True, blank=True)
    break_end = models.TimeField(_("break end"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        """Hours the rules can read (start before end, a whole break inside them): saved
        otherwise, every schedule of the pattern or period would fail to load."""
        from hadir.rules.patterns import DayHours

        if self.start is None or self.end is None:
            return  # the fields' own errors say so
        try:
            DayHours(self.start, self.end, self.break_start, self.break_end)
        except ValueError as error:
            # Hours the wrong way round are the end's error: said once, not again by the
            # check constraint in Django's own words.
            field = "end" if self.start >= self.end else NON_FIELD_ERRORS
            raise ValidationError({field: rule_text(error)}) from None


class PatternDay(HoursFields):
    """The hours of one weekday of a pattern; a weekday without a row is a day off."""

    pattern = models.ForeignKey(WorkPattern, on_delete=models.CASCADE, related_name="days")

    class Meta:
        verbose_name = _("working day")
        verbose_name_plural = _("working days")
        ordering = ["pattern", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "weekday"], name="uniq_pattern_weekday"),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")),
                name="pattern_day_start_before_end",
                violation_error_message=_("The start must come before the end."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.pattern.code} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"
        )


class SpecialPeriod(models.Model):
    """Dated override of the patterns (Ramadan, emergencies), for all units or some.

    Its hours replace a pattern's week for every date from ``start`` to ``end`` inclusive;
    a pattern without hours in the period keeps its usual week.
    """

    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    all_units = models.BooleanField(_("all units"), default=True)
    kept_hours = models.ForeignKey(
        WorkPattern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("former hours of"),
        help_text=_("Written when a pattern's hours change from a date: the hours before it."),
    )
    units = models.ManyToManyField(
        "org.Unit",
        blank=True,
        related_name="special_periods",
        verbose_name=_("units (with their sub-units)"),
    )

    class Meta:
        verbose_name = _("special period")
        verbose_name_plural = _("special periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")),
                name="special_period_start_before_end",
                violation_error_message=_("The end date comes before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


class SpecialPeriodDay(HoursFields):
    """The hours of one weekday of one pattern during a special period."""

    period = models.ForeignKey(SpecialPeriod, on_delete=models.CASCADE, related_name="days")
    pattern = models.ForeignKey(WorkPattern, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("special period hours")
        verbose_name_plural = _("special period hours")
        ordering = ["period", "pattern", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "pattern", "weekday"], name="uniq_period_pattern_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.name} {self.pattern.code} {self.get_weekday_display()}"


class HolidayYear(models.Model):
    """Marks a year whose national holidays were filled from the ``holidays`` package.

    Filling happens once; afterwards operators own the rows, so a holiday they dropped stays
    dropped.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    filled_at = models.DateTimeField(_("filled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")

    def __str__(self) -> str:
        return str(self.year)


class Holiday(models.Model):
    """A non-working date: national (``unit`` empty) or local to a unit and its sub-units.

    ``active`` off means an operator dropped it; the row stays so the package does not bring it
    back and the audit trail can show it.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("national calendar")
        OPERATOR = "operator", _("operator")

    date = models.DateField(_("date"), db_index=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("unit (empty = national)"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.OPERATOR
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "name", "unit"], name="uniq_holiday_date_name_unit"
            ),
            # The one above lets national rows (no unit) repeat, NULLs being distinct: saved
            # twice, a national holiday dropped (active off) stayed a holiday by its twin.
            models.UniqueConstraint(
                fields=["date", "name"],
                condition=models.Q(unit__isnull=True),
                name="uniq_national_holiday_date_name",
                violation_error_message=_("This national holiday is already in the calendar."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class PolicyValue(models.Model):
    """One figure of the policy (a percentage, a rate, a threshold) from a date on.

    The policy in force on a date takes, for each key, the row with the latest
    ``effective_from`` not after that date; keys without rows keep the library's default.
    """

    key = models.CharField(_("key"), max_length=80, db_index=True)
    effective_from = models.DateField(_("effective from"))
    value = models.CharField(_("value"), max_length=200)
    note = models.CharField(_("legal basis / note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="uniq_policy_key_date"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.effective_from})"

    def clean(self) -> None:
        """Refuse a value the rules library cannot read, naming the key and the reason, and a
        monthly figure taking effect on another day than the first of a month."""
        from hadir.rules.policy import PolicyError, is_monthly_key, policy_from_values

        if not self.effective_from:
            try:  # the date's own error says so; the value is read alone meanwhile
                policy_from_values({self.key: self.value})
            except PolicyError as error:
                raise ValidationError({"value": rule_text(error)}) from None
        else:
            self._clean_with_the_values_in_force()
        first_of_year = self.effective_from and (self.effective_from.month, self.effective_from.day)
        if self.effective_from and self.key.startswith("leave.") and first_of_year != (1, 1):
            # A year's leave is counted with the figures of its 1 January (requests.services.
            # year_policy): from another day the change would wait for the next year unsaid.
            raise ValidationError(
                {
                    "effective_from": _(
                        "%(key)s is a whole year's right: it takes effect from 1 January"
                        " (%(next)s)."
                    )
                    % {"key": self.key, "next": f"01-01-{self.effective_from.year + 1}"}
                }
            )
        if self.effective_from and self.effective_from.day != 1 and is_monthly_key(self.key):
            raise ValidationError(
                {
                    "effective_from": _(
                        "%(key)s is applied to a whole month's recap: it takes effect from the"
                        " first of a month (%(first)s or %(next)s)."
                    )
                    % {
                        "key": self.key,
                        "first": f"{self.effective_from.replace(day=1):%d-%m-%Y}",
                        "next": f"{_next_month(self.effective_from):%d-%m-%Y}",
                    }
                }
            )

    def _clean_with_the_values_in_force(self) -> None:
        """Refuse a value that makes the policy unreadable together with the others: from its
        date (or the date it had, moved later: the dates between lose it) and on the date of
        every later value. Teguran tertulis from 6 days is fine alone, and after pernyataan
        tidak puas from 5 the ladder is out of order: every evaluation from that date would
        fail. Read with the others, not with the defaults, a value the others make possible
        is accepted (leave.days 20 under a cap of 30)."""
        others = PolicyValue.objects.exclude(pk=self.pk) if self.pk else PolicyValue.objects.all()
        rows = [
            (row.effective_from, row.key, row.value)
            for row in others
            if (row.effective_from, row.key) != (self.effective_from, self.key)
        ]
        rows.append((self.effective_from, self.key, self.value))
        stored = PolicyValue.objects.filter(pk=self.pk).values_list("effective_from", flat=True)
        since = min([self.effective_from, *(stored if self.pk else [])])
        found = unreadable_from(rows, since)
        if found is None:
            return
        day, error = found
        if error.key == self.key:  # the value itself, read with the others
            raise ValidationError({"value": rule_text(error)})
        raise ValidationError(
            {
                "value": _("With the values in force from %(date)s: %(error)s")
                % {"date": f"{day:%d-%m-%Y}", "error": rule_text(error)}
            }
        )

    @classmethod
    def deletion_problem(cls, deleted: Iterable["PolicyValue"]) -> str | None:
        """Why deleting ``deleted`` would leave the policy unreadable from some date (the
        values left behind read together, from the earliest date deleted), if it would."""
        gone = list(deleted)
        if not gone:
            return None
        rows = list(
            cls.objects.exclude(pk__in=[v.pk for v in gone]).values_list(
                "effective_from", "key", "value"
            )
        )
        found = unreadable_from(rows, min(v.effective_from for v in gone))
        if found is None:
            return None
        day, error = found
        return _(
            "Without it, the values in force from %(date)s do not hold together: %(error)s"
        ) % {
            "date": f"{day:%d-%m-%Y}",
            "error": rule_text(error),
        }


def unreadable_from(rows: list[tuple[date, str, str]], since: date) -> tuple[date, Any] | None:
    """The first date from ``since`` (that or a later value's) on which ``rows`` (effective
    date, key, value) make no readable policy, with the rules' reason; None if every one does."""
    from hadir.rules.policy import PolicyError, policy_from_values

    for day in sorted({since} | {day for day, _key, _value in rows if day >= since}):
        values = {key: value for effective, key, value in sorted(rows) if effective <= day}
        try:
            policy_from_values(values)
        except PolicyError as error:
            return day, error
    return None


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
