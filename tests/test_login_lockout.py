"""The admin login locks an address out after wrong passwords (casebook.login_lockout)."""

import time

import pytest
from django.contrib.auth.models import User

LOGIN_URL = "/admin/login/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(settings):
    # A fast hasher: each wrong password is checked, and the default takes a quarter second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("ada", password="right horse battery", is_staff=True)


def attempt(client, password: str, **extra):
    form = {"username": "ada", "password": password, "next": "/admin/"}  # as the form sends
    return client.post(LOGIN_URL, form, **extra)


def test_fifty_wrong_passwords_are_refused_after_the_fifth(client, admin_user, settings):
    settings.CASEBOOK_LOGIN_FAILURES = 5
    settings.CASEBOOK_LOGIN_LOCKOUT = 900

    responses = [attempt(client, f"guess {n}") for n in range(50)]

    assert [r.status_code for r in responses] == [200] * 5 + [429] * 45
    assert "Please enter the correct username and password" in responses[0].content.decode()
    assert responses[5]["Retry-After"] == "900"
    assert (
        "Too many wrong passwords have been tried from your address. Please try again in "
        "900 seconds."
    ) in responses[5].content.decode()
    # The right password too, until the lockout ends: nothing is learnt from the answer.
    assert attempt(client, "right horse battery").status_code == 429


def test_the_lockout_ends_after_its_time(client, admin_user, settings, monkeypatch):
    settings.CASEBOOK_LOGIN_FAILURES = 3
    settings.CASEBOOK_LOGIN_LOCKOUT = 900
    for n in range(3):
        attempt(client, f"guess {n}")
    assert attempt(client, "right horse battery").status_code == 429

    later = time.time() + 901
    monkeypatch.setattr(time, "time", lambda: later)

    response = attempt(client, "right horse battery")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_successful_login_forgets_earlier_failures(client, admin_user, settings):
    settings.CASEBOOK_LOGIN_FAILURES = 3
    attempt(client, "guess 1")
    attempt(client, "guess 2")
    assert attempt(client, "right horse battery").status_code == 302
    client.logout()

    statuses = [attempt(client, f"guess {n}").status_code for n in range(3, 6)]

    assert statuses == [200, 200, 200]


def test_another_address_is_not_locked_out(client, admin_user, settings):
    settings.CASEBOOK_LOGIN_FAILURES = 2
    for n in range(2):
        attempt(client, f"guess {n}", REMOTE_ADDR="192.0.2.1")

    assert attempt(client, "guess 3", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert attempt(client, "right horse battery", REMOTE_ADDR="192.0.2.2").status_code == 302


def test_forged_x_forwarded_for_does_not_reset_the_count(client, admin_user, settings):
    settings.CASEBOOK_LOGIN_FAILURES = 2

    statuses = [
        attempt(client, f"guess {n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 429, 429]


def test_the_login_form_still_shows(client, admin_user, settings):
    settings.CASEBOOK_LOGIN_FAILURES = 1
    attempt(client, "guess")

    assert client.get(LOGIN_URL).status_code == 200


def test_a_failing_cache_leaves_the_login_working(client, admin_user, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    assert attempt(client, "guess").status_code == 200
    assert attempt(client, "right horse battery").status_code == 302
    assert "Login attempt from 127.0.0.1 not checked: the cache failed" in caplog.messages
