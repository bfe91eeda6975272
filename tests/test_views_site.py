"""Site-wide pages outside the articles app: the favicon, the 404 and 500 pages."""

import logging
from pathlib import Path

import pytest
from django.test import RequestFactory

from articles.api.views import ArticleList
from articles.views import ArticleListView
from casebook import views

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


# Error pages ---------------------------------------------------------------------------------


@pytest.fixture
def failing_list(monkeypatch):
    """The article list raising, as a bug or a lost database would make it."""

    def fail(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ArticleListView, "get_queryset", fail)


@pytest.fixture
def failing_api(monkeypatch):
    def fail(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ArticleList, "get_queryset", fail)


@pytest.fixture
def request_log():
    """What the "django.request" logger writes, whatever its handlers."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_a_missing_page_is_the_sites_404(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<title>Page not found · Casebook</title>" in html
    assert '<a class="brand" href="/">Casebook</a>' in html
    assert "There is no page at this address." in html


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v2/articles/"])
def test_a_missing_api_url_answers_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_server_error_is_the_sites_500_and_is_logged_with_its_traceback(
    client, failing_list, request_log
):
    client.raise_request_exception = False

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Server error · Casebook</title>" in html
    assert '<link rel="stylesheet" href="/static/css/casebook.css">' in html
    assert "Casebook could not answer this request." in html
    [record] = request_log
    assert record.getMessage() == "Internal Server Error: /"
    assert record.exc_info[1].args == ("the database went away",)


def test_a_server_error_is_mailed_to_the_admins(client, failing_list, settings, mailoutbox):
    settings.ADMINS = [("Ann Admin", "ann@example.org")]
    client.raise_request_exception = False

    client.get("/")

    [mail] = mailoutbox
    assert mail.to == ["ann@example.org"]
    assert mail.subject == "[Django] ERROR (EXTERNAL IP): Internal Server Error: /"
    assert "RuntimeError at /\nthe database went away" in mail.body


def test_an_api_server_error_answers_json(client, failing_api, request_log):
    client.raise_request_exception = False

    response = client.get("/api/v1/articles/")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}
    assert len(request_log) == 1


def test_the_500_page_reads_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_a_500_page_that_cannot_render_falls_back_to_plain_html(settings, tmp_path):
    # DEBUG off before collectstatic has run: every {% static %} raises, the 500 page's too.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert b"<h1>Server error</h1>" in response.content
