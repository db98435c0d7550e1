"""Long exports in the background: a job row with progress, a worker thread, a stored file.

The embedded default needs no queue server: the job runs in a thread of the web process and
the page polls its progress. A deployment with a task queue can call :func:`export_job_run`
from a worker instead.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections

from hadir.common.audit import audit_record
from hadir.org.models import Unit
from hadir.recap.models import ExportJob
from hadir.recap.reports import Report, render_report, report_rows
from hadir.recap.selectors import month_members

logger = logging.getLogger(__name__)

EXPORT_INLINE_LIMIT = 1000
"""Units with more employees than this export in the background."""


def export_audit(
    *,
    actor: Any,
    unit: Unit,
    month: date,
    fmt: str,
    daily: bool,
    job: ExportJob | None = None,
    action: str = "",
) -> None:
    """Record who took a unit's figures out of the system (names, NIPs, pay): a download now,
    a background job started, or its file downloaded."""
    audit_record(
        actor=actor,
        action=action or ("recap.export_download" if job is not None else "recap.export"),
        obj=job if job is not None else unit,
        summary=_what(unit, month, fmt, daily),
    )


def _what(unit: Unit, month: date, fmt: str, daily: bool) -> str:
    return f"{unit.code} {month:%Y-%m} {fmt}{' harian' if daily else ''}"


def export_job_start(*, user: Any, unit: Unit, month: date, fmt: str, daily: bool) -> ExportJob:
    job = ExportJob.objects.create(user=user, unit=unit, month=month, format=fmt, daily=daily)
    export_audit(
        actor=user,
        unit=unit,
        month=month,
        fmt=fmt,
        daily=daily,
        job=job,
        action="recap.export_job_start",
    )
    threading.Thread(target=_thread, args=(job.pk,), daemon=True, name=f"export-{job.pk}").start()
    return job


def _thread(job_id: int) -> None:
    try:
        export_job_run(job_id)
    finally:
        close_old_connections()


def export_job_run(job_id: int) -> ExportJob:
    """Compute the report, updating progress, then store the file.

    The rows are those the unit's download gives (its closings' frozen rows, nobody paid by
    another unit's signed month), so access is checked once on the unit, as the download does:
    a frozen row names the unit code of its closing, which a rename or a move may have changed.
    """
    from hadir.common.access import READ_ROLES, units_in_scope

    job = ExportJob.objects.select_related("unit", "user").get(pk=job_id)
    ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.RUNNING, progress=1)
    try:
        if not units_in_scope(job.user, READ_ROLES).filter(pk=job.unit_id).exists():
            raise PermissionError(f"{job.user} no longer reads unit {job.unit.code}")
        rows = report_rows(
            employees=month_members(job.unit, job.month),
            month=job.month,
            daily=job.daily,
            unit=job.unit,
            progress=lambda done, total: _progress(job_id, done, total),
        )
        data = render_report(
            Report(rows=rows, daily=job.daily, unit=job.unit, month=job.month), job.format
        )
        name = default_storage.save(f"exports/{uuid.uuid4().hex}.{job.format}", ContentFile(data))
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.DONE, progress=100, stored_name=name
        )
    except Exception as error:  # the job must end visibly failed, not hang "running"
        # The reason is for the admin (kept, and in the log), not for the page: it may name
        # tables, paths or other people's data.
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=str(error)[:300]
        )
        raise
    job.refresh_from_db()
    return job


def _progress(job_id: int, done: int, total: int) -> None:
    """Every 500 people, the share done (never 100 before the file is stored)."""
    if done % 500 == 0:
        ExportJob.objects.filter(pk=job_id).update(progress=min(95, 1 + done * 94 // max(1, total)))
