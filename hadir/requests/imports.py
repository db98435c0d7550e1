"""Historical requests for migration: ``nip,code,start,end,session`` recorded as approved.

All or nothing: every bad line is listed as ``file:line: column: reason`` and nothing is
written. Imported requests are approved by the importing operator and audited; the days they
cover are re-evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hadir.accounts.services import normalise_nip
from hadir.common.audit import audit_record, storable
from hadir.common.locks import (
    first_line_past_limit,
    lock_employees,
    lock_months_read,
    too_many_employees,
)
from hadir.common.tables import Problem, TableRefused, read_table, table_date, unknown_nip
from hadir.org.models import Employee
from hadir.recap.periods import PeriodClosed, period_guard
from hadir.recap.services import days_refresh
from hadir.requests.models import CATEGORY_OF, WAIVER_CODES, Code, Request, Status
from hadir.requests.services import (
    NewRequest,
    RequestRefused,
    calendar_years_ready,
    reference_next,
    request_reach_problem,
    request_validate,
    request_working_days,
)

SESSIONS = {"PAGI", "SORE", "PAGI_SORE"}


@dataclass
class ExcuseImportReport:
    created: list[str] = field(default_factory=list)
    dry_run: bool = False

    def __str__(self) -> str:
        count = len(self.created)
        if self.dry_run:
            text = ngettext(
                "would record: %(count)s approved request",
                "would record: %(count)s approved requests",
                count,
            )
        else:
            text = ngettext(
                "recorded: %(count)s approved request",
                "recorded: %(count)s approved requests",
                count,
            )
        return text % {"count": count}


def excuses_import(
    *, path: Path, actor: Any | None = None, actor_label: str = "", dry_run: bool = False
) -> ExcuseImportReport:
    rows = read_table(path, required={"nip", "code", "start", "end", "session"})
    name = path.name
    problems: list[Problem] = []
    employees = {
        e.nip: e
        for e in Employee.objects.select_related("unit__default_pattern", "pattern").filter(
            nip__in={normalise_nip(r.get("nip")) for r in rows}
        )
    }
    parsed: list[tuple[int, Employee, NewRequest]] = []
    lines: dict[tuple[int, NewRequest], int] = {}
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    for row in rows:
        before = len(problems)

        def bad(column: str, reason: str, line: int = row.line) -> None:
            problems.append(Problem(name, line, column, reason))

        employee = employees.get(normalise_nip(row.get("nip")))
        if employee is None:
            problems.append(unknown_nip(name, row.line, row.get("nip")))
        elif user is not None and employee.user_id == user.pk:
            # Recorded as approved by ``actor``: nobody approves their own request.
            bad(
                "nip", _("this is the approving operator's own record: another operator imports it")
            )
        code = row.get("code").upper()
        if code not in Code.values:
            bad(
                "code",
                _("unknown code '%(code)s'; choices: %(choices)s")
                % {"code": row.get("code"), "choices": " ".join(Code.values)},
            )
        start = table_date(row.get("start"), "start", bad)
        end = table_date(row.get("end"), "end", bad)
        session = row.get("session").upper()
        if code in WAIVER_CODES and session not in SESSIONS:
            bad("session", _("session required: PAGI, SORE or PAGI_SORE for this code"))
        elif code in Code.values and code not in WAIVER_CODES and session:
            bad("session", _("must be blank for a full-day code"))
        if start and end and end < start:
            bad("end", _("end before start"))
        elif start and end and (reach := request_reach_problem(start, end)):
            bad("end", reach)
        if len(problems) == before and employee is not None and start and end:
            if code in WAIVER_CODES:
                # A waiver is one date; a range means its working days (a weekend in a Sistem
                # Error week gets none, a 6-day madrasah's Saturday does).
                working = request_working_days(employee, start, end)
                if not working:
                    bad("start", _("no working day in range"))
                wanted = [NewRequest(code, d, d, session) for d in working]
            else:
                wanted = [NewRequest(code, start, end, "")]
            for new in wanted:
                # The same request twice would be recorded twice (waivers may overlap).
                first = lines.setdefault((employee.pk, new), row.line)
                if first != row.line:
                    bad("nip", _("the same request as line %(line)s") % {"line": first})
                    break
                parsed.append((row.line, employee, new))
    past = first_line_past_limit((line, employee.pk) for line, employee, _new in parsed)
    if past is not None:
        problems.append(Problem(name, past, "nip", too_many_employees()))
    if problems:
        raise TableRefused(problems)
    report = ExcuseImportReport(dry_run=dry_run)
    for _line, _employee, new in parsed:  # before the transaction: see calendar_years_ready
        calendar_years_ready(new.start, new.end)
    with transaction.atomic():
        # Every employee's lock at once, in id order, before any reference counter: taken row
        # by row in file order, two imports naming the same people could wait for each other.
        lock_months_read(
            {pk for _line, employee, _new in parsed for pk in employee.unit.ancestor_ids}
        )
        lock_employees(employee.pk for _line, employee, _new in parsed)
        for line, employee, new in parsed:
            try:
                request_validate(employee, new)
                # The days it can change: a closed month's weekend is none of them.
                working = request_working_days(employee, new.start, new.end)
                period_guard(actor=user, employee=employee, dates=working)
            except (RequestRefused, PeriodClosed) as refused:
                field = refused.field if isinstance(refused, RequestRefused) else "start"
                problem = Problem(name, line, field, str(refused))
                if problem not in problems:  # a range's days refused alike: said once
                    problems.append(problem)
                continue
            category = CATEGORY_OF[new.code]  # type: ignore[index]
            request = Request.objects.create(
                reference=reference_next(category, new.start.year),
                employee=employee,
                category=category,
                code=new.code,
                start=new.start,
                end=new.end,
                session=new.session,
                reason=storable(f"Impor {name}"),  # a name read off a disk in another encoding
                status=Status.APPROVED,
                created_by=user,
                submitted_at=timezone.now(),
                decided_by=user,
                decided_at=timezone.now(),
                imported=True,
            )
            days_refresh(employee=employee, dates=working)
            report.created.append(request.reference)
        if problems:
            transaction.set_rollback(True)
            raise TableRefused(problems)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="requests.import",
            summary=lambda: f"{name}: {report}",
            after={"file": name, "references": report.created},
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
