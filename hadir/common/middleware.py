"""Request hygiene every view can rely on."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, QueryDict


class NoNulFromUrls:
    """No NUL from a URL reaches a view: PostgreSQL refuses one in any query, a server error
    wherever a path part or a query parameter is looked up. A path holding one names nothing
    (not found); a query parameter loses it (a search still answers). Forms refuse their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = query.replace("%00", "").replace("\x00", "")
            request.GET = QueryDict(cleaned, encoding=request.encoding)
        return self.get_response(request)
