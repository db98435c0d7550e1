"""Check-in over HTTP: ``POST /api/presensi/check-in`` and ``GET /api/presensi/today``."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError

from hadir.common.api import ErrorOut, InvalidOut, refusals
from hadir.common.audit import audit_record
from hadir.common.i18n import current_lang
from hadir.org.models import Employee
from hadir.presence.selectors import allowed_areas, day_standing, refusal_text
from hadir.presence.services import CheckIn, Outcome, punch_check_in
from hadir.rules.day import DayResult
from hadir.rules.explain import Reason, render

router = Router(tags=["presensi"])


PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""Identifiers the phone makes up: no control characters (PostgreSQL's text takes no NUL)."""
KEY_MAX = 64


class CheckInIn(Schema):
    """Numbers as JSON numbers and the flag as true/false (strict): ``"latitude": true`` is no
    position, and a string is not read as one."""

    latitude: float = Field(..., ge=-90, le=90, strict=True)
    longitude: float = Field(..., ge=-180, le=180, strict=True)
    accuracy_m: float = Field(
        ..., ge=0, le=100_000, strict=True, description="GPS accuracy reported by the phone, metres"
    )
    device_id: str = Field("", max_length=100, pattern=PRINTABLE)
    mock_location: bool = Field(
        False, strict=True, description="The phone's own mock-location flag"
    )
    idempotency_key: str = Field(
        "",
        max_length=KEY_MAX,
        pattern=PRINTABLE,
        description="Same key on a retry records one punch (the phone makes one per tap)",
    )


class Standing(Schema):
    status: str | None = Field(
        description="The day's status so far (H, TK, DL, …); none outside the employee's"
        " attendance period, where the day counts for nothing"
    )
    working: bool
    datang: str | None
    pulang: str | None
    late_minutes: int
    early_minutes: int
    late_class: int
    early_class: int
    summary: list[str] = Field(description="The day so far in a line or two (what the phone shows)")
    reasons: list[str] = Field(description="The full explanation, step by step")


class CheckInOut(Schema):
    accepted: bool
    replayed: bool
    server_time: datetime
    local_time: str = Field(..., description="HH:MM:SS in the unit's time zone")
    kind: str | None = Field(
        default=None, description="DATANG, PULANG or LIBUR (a day off: kept, counts for nothing)"
    )
    reason: str | None = Field(default=None, description="Refusal reason code")
    message: str
    distance_m: int | None = None
    standing: Standing | None = None


class AreaOut(Schema):
    id: int
    name: str
    latitude: float
    longitude: float
    radius_m: float
    accuracy_tolerance_m: float
    polygon: list[list[float]]


class TodayOut(Schema):
    date: str
    timezone: str
    standing: Standing
    locations: list[AreaOut]


def standing_of(day: DayResult, *, still_open: bool = False) -> Standing:
    """The day for the phone; ``still_open`` while punches can still change it (see
    :func:`headline`): no lateness is counted yet before the first punch."""
    waiting = _not_yet(day, still_open)
    return Standing(
        status=day.status,
        working=day.working,
        datang=f"{day.datang:%H:%M}" if day.datang else None,
        pulang=f"{day.pulang:%H:%M}" if day.pulang else None,
        late_minutes=0 if waiting else day.tl_minutes,
        early_minutes=day.psw_minutes,
        late_class=0 if waiting else day.tl_class,
        early_class=day.psw_class,
        summary=render(headline(day, still_open=still_open), current_lang()),
        reasons=render(day.reasons, current_lang()),
    )


def standing_outside_period(day: DayResult) -> Standing:
    """A day outside the attendance period: neither H nor TK, whatever the timetable says."""
    said = render((Reason.of("OUTSIDE_PERIOD"),), current_lang())
    return Standing(
        status=None,
        working=day.working,
        datang=None,
        pulang=None,
        late_minutes=0,
        early_minutes=0,
        late_class=0,
        early_class=0,
        summary=said,
        reasons=said,
    )


HEADLINE_CODES = frozenset(
    {
        "DAY_OFF", "HOLIDAY", "ABSENCE", "TK",
        "ON_TIME", "LATE", "LATE_CAPPED", "WAIVED_PAGI",
        "ON_TIME_LEAVE", "EARLY", "EARLY_CAPPED", "WAIVED_SORE",
        "NO_CHECKIN",
    }
)  # fmt: skip


def headline(day: DayResult, *, still_open: bool = False) -> tuple[Reason, ...]:
    """The reasons a phone shows: arrival and departure, not the day's bookkeeping.

    A missing check-out is not news while the presensi window is ``still_open``, so it is
    left to the full list until the window closes; nor is a day without punches TK then (the
    live board says "not yet checked in" too). A missing check-in beside a punch is news at
    once: that punch came after the pivot, and no later one can be a datang.
    """
    if _not_yet(day, still_open):  # an afternoon waiver says so beside it
        return (Reason.of("NOT_YET"), *(r for r in day.reasons if r.code == "WAIVED_SORE"))
    shown = HEADLINE_CODES if still_open else HEADLINE_CODES | {"NO_CHECKOUT"}
    return tuple(reason for reason in day.reasons if reason.code in shown)


def _not_yet(day: DayResult, still_open: bool) -> bool:
    """Nothing punched yet on a working day whose window is open and whose morning no waiver
    or absence covers: the datang may still come (an afternoon waiver makes the day H, not
    late)."""
    return (
        still_open
        and day.status in ("TK", "H")
        and day.datang is None
        and day.pulang is None
        and not day.tl_waived
    )


def _employee(request: HttpRequest) -> Employee:
    """The caller's employee record with its unit and work patterns, read with the account
    (:func:`hadir.org.selectors.account_with_employee`)."""
    user = request.user
    employee: Employee | None = getattr(user, "employee", None) if user.is_authenticated else None
    if employee is None:
        raise Http404
    return employee


def outcome_out(outcome: Outcome) -> CheckInOut:
    if outcome.punch is not None:
        return CheckInOut(
            accepted=True,
            replayed=outcome.replayed,
            server_time=outcome.at,
            local_time=f"{outcome.local_at:%H:%M:%S}",
            kind=outcome.kind,
            message=outcome_message(outcome),
            # A check-in falls inside the presensi window: the day is still open.
            standing=standing_of(outcome.day, still_open=True) if outcome.day else None,
        )
    assert outcome.refusal is not None
    return CheckInOut(
        accepted=False,
        replayed=outcome.replayed,
        server_time=outcome.at,
        local_time=f"{outcome.local_at:%H:%M:%S}",
        reason=outcome.refusal.reason,
        message=refusal_text(outcome.refusal),
        distance_m=outcome.detail.get("distance_m"),
    )


def outcome_message(outcome: Outcome) -> str:
    from django.utils.translation import gettext as _

    time_text = f"{outcome.local_at:%H:%M}"
    if outcome.kind == "LIBUR":
        return _(
            "Recorded at %(time)s. Today is not a working day: kept as overtime information only."
        ) % {"time": time_text}
    if outcome.kind == "DATANG":
        return _("Check-in (datang) recorded at %(time)s.") % {"time": time_text}
    return _("Check-out (pulang) recorded at %(time)s.") % {"time": time_text}


@router.post(
    "/check-in",
    response={
        201: CheckInOut,
        200: CheckInOut,
        **refusals(400, 401, 403, 404, 409, 413, 429),  # 400: a body that is not JSON
        422: CheckInOut | InvalidOut,  # a refusal (kept, with its reason), or a body unread
    },
    summary="Check in or out at the server's time from the phone's position",
)
def check_in(request: HttpRequest, payload: CheckInIn) -> Status[CheckInOut | ErrorOut]:
    key = payload.idempotency_key or _header_key(request)
    employee = _employee(request)
    if request.headers.get("X-Hadir-Employee", str(employee.pk)) != str(employee.pk):
        # The page was opened for someone else (a shared phone, another account logged in on
        # another tab since): the tap is not theirs to make for whoever is logged in now.
        return Status(409, ErrorOut(detail=_("This page is for another account. Reload it.")))
    if _too_many_taps(request, employee, key):
        return Status(
            429,
            ErrorOut(
                detail=_(
                    "Too many check-in attempts in a short time: wait a few minutes, then try"
                    " again."
                )
            ),
        )
    outcome = punch_check_in(
        employee=employee,
        check_in=CheckIn(
            latitude=payload.latitude,
            longitude=payload.longitude,
            accuracy_m=payload.accuracy_m,
            device_id=payload.device_id,
            mock_location=payload.mock_location,
            idempotency_key=key,
        ),
    )
    body = outcome_out(outcome)
    if not outcome.accepted:
        return Status(422, body)
    return Status(200 if outcome.replayed else 201, body)


def _too_many_taps(request: HttpRequest, employee: Employee, key: str) -> bool:
    """Whether the account is past :setting:`HADIR_CHECKIN_RATE` attempts: far past what a
    thumb taps, even a worried one, so a script's (each refusal is kept as evidence, and would
    fill the table). A tap sent again with the key of one let through (its answer lost) is
    answered and not counted: it records nothing new. The first attempt past the rate is
    audited; those after it, in that window, not. Counted in the default cache: per worker
    unless it is a shared one."""
    let_through = f"hadir:check-in-key:{employee.pk}:{hashlib.sha256(key.encode()).hexdigest()}"
    if key and cache.get(let_through):
        return False
    usage = get_usage(
        request,
        group="presence.check-in",
        key="user",
        rate=settings.HADIR_CHECKIN_RATE,
        increment=True,
    )
    if not usage["should_limit"]:
        if key:  # until the window ends, when the count starts again
            cache.set(let_through, True, timeout=max(1, usage["time_left"]))
        return False
    if usage["count"] == usage["limit"] + 1:
        audit_record(
            actor=request.user,
            action="presence.check_in_throttled",
            obj=employee,
            summary=f"{employee.nip}: {usage['limit']} / {settings.HADIR_CHECKIN_RATE}",
        )
    return True


def _header_key(request: HttpRequest) -> str:
    """The ``Idempotency-Key`` header, held to the body field's rules: a longer key cut short
    would make two taps one."""
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > KEY_MAX or not re.fullmatch(PRINTABLE, key):
        raise ValidationError(
            [
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": _("at most %(count)s printable characters") % {"count": KEY_MAX},
                    "type": "value_error",
                }
            ]
        )
    return key


@router.get(
    "/today",
    response={200: TodayOut, **refusals(401, 403, 404)},
    summary="Today's standing and the caller's allowed locations",
)
def today(request: HttpRequest) -> TodayOut:
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    employee = _employee(request)
    now = timezone.now().astimezone(ZoneInfo(employee.unit.timezone))
    day = now.date()
    result = day_standing(employee, day)
    return TodayOut(
        date=day.isoformat(),
        timezone=employee.unit.timezone,
        standing=standing_of(result, still_open=now.time() < result.policy.window_end)
        if employee.attends_on(day)
        else standing_outside_period(result),
        locations=[
            AreaOut(
                id=a.key,
                name=a.name,
                latitude=a.centre.lat,
                longitude=a.centre.lng,
                radius_m=a.radius_m,
                accuracy_tolerance_m=a.accuracy_tolerance_m,
                polygon=[[v.lat, v.lng] for v in a.vertices],
            )
            for a in allowed_areas(employee)
        ],
    )
