"""Who may do what: anonymous visitors read public pages only, curators curate, only
superusers manage users; every admin and curation URL needs a login, every form CSRF."""

import importlib
import re

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLResolver, get_resolver

from articles.curation.roles import CURATOR_PERMISSIONS, CURATORS
from articles.models import Curation, ExclusionReason
from tests import factories

PMID = 21813367
# Admin URLs anyone may open: the login page itself (the admin's, and the same page behind
# the lockout of casebook.login_lockout), logout (POST only), and Django's
# "view on site" redirect, which only points to the public page.
PUBLIC_ADMIN_URLS = {"login", "admin_login", "logout", "view_on_site"}

pytestmark = pytest.mark.django_db


def routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def sample_url(route: str) -> str:
    """A concrete URL for a route: app_label "articles", every other parameter 1."""
    path = simplify_regex(route)
    path = re.sub(r"<(?:\w+:)?app_label>", "articles", path)
    return re.sub(r"<[^>]+>", "1", path)


PROTECTED = sorted(
    {
        (sample_url(route), name)
        for route, name in routes(get_resolver().url_patterns)
        if route.startswith(("admin/", "curate/")) and name not in PUBLIC_ADMIN_URLS
    }
)


@pytest.fixture
def curator():
    return factories.curator()


@pytest.fixture
def curator_client(curator):
    client = Client()
    client.force_login(curator)
    return client


def test_it_protects_admin_and_curation_urls_of_every_kind():
    urls = [url for url, _ in PROTECTED]
    assert "/admin/articles/curation/1/history/" in urls
    assert "/admin/articles/correction/add/" in urls
    assert "/admin/auth/user/1/change/" in urls
    assert "/curate/1/" in urls
    assert "/curate/filters/save/" in urls
    assert len(urls) > 150


@pytest.mark.parametrize(("url", "name"), PROTECTED, ids=[u for u, _ in PROTECTED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, url, name, method):
    response = getattr(client, method)(url)

    assert response.status_code == 302, (url, name)
    assert response["Location"].startswith("/admin/login/?next="), (url, name)


def test_the_curators_group_has_exactly_the_curation_permissions():
    group = Group.objects.get(name=CURATORS)  # made by migration 0004

    granted = sorted(group.permissions.values_list("content_type__app_label", "codename"))

    assert granted == sorted(CURATOR_PERMISSIONS)
    assert not [codename for app, codename in granted if app == "auth"]
    assert ("articles", "change_article") not in granted


def test_the_migrations_freeze_the_same_permissions():
    created = importlib.import_module("articles.migrations.0004_curation")
    added = importlib.import_module("articles.migrations.0012_exclusion_reasons")

    assert sorted(created.CURATOR_PERMISSIONS + added.ADDED_CURATOR_PERMISSIONS) == sorted(
        CURATOR_PERMISSIONS
    )


def test_a_fresh_install_has_exclusion_reasons_curators_may_extend(curator_client):
    names = list(ExclusionReason.objects.values_list("name", flat=True))

    response = curator_client.post(
        "/admin/articles/exclusionreason/add/", {"name": "Review article", "description": ""}
    )
    renamed = curator_client.post(
        f"/admin/articles/exclusionreason/{ExclusionReason.objects.get(name='Other').pk}/change/",
        {"name": "Other (see notes)", "description": "Say why in the notes."},
    )

    assert names == [
        "Duplicate",
        "No outcome reported",
        "Not a case report or series",
        "Not human",
        "Other",
        "Wrong disease",
        "Wrong therapy",
    ]
    assert (response.status_code, renamed.status_code) == (302, 302)
    assert (
        ExclusionReason.objects.filter(name__in=["Review article", "Other (see notes)"]).count()
        == 2
    )
    assert curator_client.get("/admin/articles/exclusionreason/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"]
)
def test_a_curator_cannot_see_or_add_users(curator_client, url):
    assert curator_client.get(url).status_code == 403


def test_a_curator_cannot_change_a_user(curator_client, curator):
    url = f"/admin/auth/user/{curator.pk}/change/"
    assert curator_client.get(url).status_code == 403

    response = curator_client.post(url, {"username": "cora", "is_superuser": "on"})

    assert response.status_code == 403
    curator.refresh_from_db()
    assert curator.is_superuser is False


def test_a_curator_cannot_add_a_user_by_posting(curator_client):
    response = curator_client.post(
        "/admin/auth/user/add/",
        {"username": "mallory", "password1": "x-Long-pass-9", "password2": "x-Long-pass-9"},
    )

    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_a_curator_opens_the_curation_admin_and_triage(curator_client):
    assert curator_client.get("/admin/articles/curation/").status_code == 200
    assert curator_client.get("/admin/articles/correction/add/").status_code == 200
    assert curator_client.get("/curate/").status_code == 200


@pytest.mark.parametrize("is_staff", [False, True])
def test_signed_in_users_who_are_not_curators_get_403_on_curation(is_staff):
    user = factories.user("walt", is_staff=is_staff)
    client = Client()
    client.force_login(user)

    assert client.get("/curate/").status_code == 403
    assert client.post(f"/curate/{PMID}/", {"status": "included"}).status_code == 403


def test_decisions_need_a_csrf_token(curator):
    factories.article(PMID)
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)

    response = client.post(f"/curate/{PMID}/", {"status": "included"})

    assert response.status_code == 403
    assert not Curation.objects.exists()


def test_admin_bulk_actions_need_a_csrf_token(curator):
    factories.article(PMID)
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)

    response = client.post(
        "/admin/articles/article/",
        {"action": "set_status_included", "_selected_action": [str(PMID)]},
    )

    assert response.status_code == 403
    assert not Curation.objects.exists()
