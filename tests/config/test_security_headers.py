"""Headers every page carries for the browser's own defences."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_page_forbids_scripts_from_anywhere_but_our_own_files(client: Client) -> None:
    """A name an operator typed that slips into a page as markup still cannot run."""
    policy = client.get("/akun/masuk/").headers["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
