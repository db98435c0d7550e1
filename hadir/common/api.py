"""The answers every call of the HTTP API may give besides its own, for its OpenAPI schema: a
client generated from the schema then has a type for each of them."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """401 (log in first), 403 (a POST without the CSRF token), 404 (not found, or not yours to
    see), 409 (a page opened for another account), 413 (a body too large): ``detail`` in the
    site's language."""

    detail: str


class Problem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(Schema):
    """422: what could not be read from the call, each problem where it is, ``msg`` in the
    site's language."""

    detail: list[Problem]


def refusals(*codes: int) -> dict[int, Any]:
    """The error answers ``codes`` as a ``response=`` mapping for django-ninja."""
    return {code: InvalidOut if code == 422 else ErrorOut for code in codes}
