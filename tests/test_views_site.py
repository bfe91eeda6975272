"""Site-wide pages outside the articles app: the favicon."""

from pathlib import Path

import pytest

STATIC = Path(__file__).parent.parent / "static"

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body == (STATIC / "favicon.ico").read_bytes()
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]


def test_every_page_links_the_icon(client):
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/favicon.ico" sizes="16x16 32x32">' in html


def test_the_linked_icons_are_served(client, live_server):
    import urllib.request

    for name in ("favicon.svg", "favicon.ico"):
        with urllib.request.urlopen(f"{live_server.url}/static/{name}") as response:
            assert response.status == 200
            assert response.read() == (STATIC / name).read_bytes()
