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
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=6)
    working = models.BooleanField(_("working day"))
    datang = models.TimeField(_("datang"), null=True, blank=True)
    pulang = models.TimeField(_("pulang"), null=True, blank=True)
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
        indexes = [models.Index(fields=["date", "status"], name="employee_day_date_status")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.status}"

    @property
    def day(self) -> dt.date:
        """The date, under the name the rules library's summaries read."""
        return self.date
