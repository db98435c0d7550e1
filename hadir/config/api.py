"""The HTTP API (django-ninja): typed handlers, OpenAPI schema at ``/api/openapi.json``.

django-ninja over DRF: handlers are plain typed functions over pydantic schemas, which keeps
them as thin as our views and gives the OpenAPI schema for free, with no serializer layer to
duplicate the services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from hadir.common.access import READ_ROLES, access_unit
from hadir.common.api import refusals
from hadir.org.models import Employee, Unit
from hadir.org.selectors import employee_list, unit_list

api = NinjaAPI(title="Hadir API", version="1", auth=django_auth, urls_namespace="api")
api.add_router("/presensi", "hadir.presence.api.router")


@api.exception_handler(AuthenticationError)
def _not_logged_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Log in first.")}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def _refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    """django-ninja raises these itself, in English: for this API's cookie login, a POST
    without the CSRF token (a page open since before a new login) or a body it cannot read."""
    texts = {
        400: _("the body is not valid JSON"),
        403: _("This page is out of date (you logged in again elsewhere). Reload it."),
    }
    detail = texts.get(error.status_code, _("The API refused this call."))
    return api.create_response(request, {"detail": detail}, status=error.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    """A body past DATA_UPLOAD_MAX_MEMORY_SIZE: no call of this API needs one."""
    return api.create_response(request, {"detail": _("The request is too large.")}, status=413)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Each problem keeps its ``loc`` and ``type`` for programs, its ``msg`` in the site's
    language for people (pydantic writes English)."""
    detail = [{**item, "msg": _problem_text(item)} for item in error.errors]
    return api.create_response(request, {"detail": detail}, status=422)


def _problem_text(item: dict[str, Any]) -> str:
    texts = {
        "missing": _("required"),
        "int_parsing": _("must be a whole number"),
        "int_type": _("must be a whole number"),
        "float_parsing": _("must be a number"),
        "float_type": _("must be a number"),
        "finite_number": _("must be a finite number"),
        "string_type": _("must be text"),
        "bool_parsing": _("must be true or false"),
        "json_invalid": _("the body is not valid JSON"),
        "date_from_datetime_parsing": _("must be a date (YYYY-MM-DD)"),
        "date_parsing": _("must be a date (YYYY-MM-DD)"),
    }
    kind, limits = str(item.get("type")), item.get("ctx") or {}
    if kind == "value_error":  # our own checks speak the site's language
        return str(item.get("msg", "")).removeprefix("Value error, ")
    if kind == "greater_than_equal":
        return _("must be at least %(limit)s") % {"limit": limits.get("ge")}
    if kind == "less_than_equal":
        return _("must be at most %(limit)s") % {"limit": limits.get("le")}
    return texts.get(kind, _("invalid value"))


PAGE_SIZE = 100
PAGE_SIZE_AT_MOST = 1000
OFFSET_AT_MOST = 10_000_000
"""Past every list's length, and within what a database offset can hold (a larger number was a
server error)."""


class Pages(LimitOffsetPagination):
    """``?limit=&offset=`` over a list, answered as ``{"items": [...], "count": N}``: a Kanwil
    lists 100,000 employees, which in one answer took seconds and 17 MB."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, le=PAGE_SIZE_AT_MOST)
        offset: int = Field(0, ge=0, le=OFFSET_AT_MOST)


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    timezone: str
    parent_id: int | None


class EmployeeOut(Schema):
    id: int
    nip: str
    name: str
    kind: str
    golongan: str
    position: str
    unit_id: int
    start: date
    end: date | None


class HealthOut(Schema):
    ok: bool


@api.api_operation(
    ["GET", "HEAD"],  # probes often ask HEAD (HTTP requires it wherever GET works)
    "/health",
    auth=None,
    response={200: HealthOut},
    summary="Liveness for load balancers and probes: the app answers; the handler reads nothing",
)
def health(request: HttpRequest) -> HealthOut:
    return HealthOut(ok=True)


class MeOut(Schema):
    username: str
    employee: EmployeeOut | None


@api.get(
    "/me",
    response={200: MeOut, **refusals(401, 403)},  # 403: a password to change first
    summary="The logged-in user and their employee record",
)
def me(request: HttpRequest) -> MeOut:
    employee = getattr(request.user, "employee", None)
    return MeOut(
        username=request.user.get_username(),
        employee=EmployeeOut.from_orm(employee) if employee is not None else None,
    )


@api.get(
    "/units",
    response={200: list[UnitOut], **refusals(401, 403, 422)},
    summary="Units in the caller's scope, in tree order",
)
@paginate(Pages)
def units(request: HttpRequest) -> QuerySet[Unit]:
    return unit_list(user=request.user)


@api.get(
    "/units/{unit_id}/employees",
    response={200: list[EmployeeOut], **refusals(401, 403, 404, 422)},
    summary="Employees of a unit in scope and of the units below it, by name",
)
@paginate(Pages)
def unit_employees(request: HttpRequest, unit_id: int) -> QuerySet[Employee]:
    unit = access_unit(request.user, unit_id, READ_ROLES)
    return employee_list(user=request.user, unit=unit)
