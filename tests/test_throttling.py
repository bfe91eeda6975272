"""Rate limits on the HTML list and exports for anonymous clients (articles.throttling)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from articles import throttling
from articles.throttling import client_address, hit, parse_rate
from tests import factories

# 2026-12-01 12:00:30 UTC: the minute's window has 30 seconds left.
NOON_AND_30_SECONDS = 1_796_126_430.0


@pytest.fixture
def frozen(monkeypatch):
    """The limiter's clock stopped at NOON_AND_30_SECONDS."""
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: NOON_AND_30_SECONDS))


def request(remote_addr="198.51.100.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# The client's address ------------------------------------------------------------------------


def test_with_no_trusted_proxy_the_address_is_remote_addr_whatever_the_header_says():
    assert client_address(request(forwarded="203.0.113.1"), 0) == "198.51.100.9"


def test_behind_one_proxy_the_address_is_the_last_one_it_appended():
    forged_then_real = request("10.0.0.2", "203.0.113.1, 192.0.2.44")

    assert client_address(forged_then_real, 1) == "192.0.2.44"


def test_behind_two_proxies_the_address_is_the_second_from_the_end():
    assert client_address(request("10.0.0.2", "203.0.113.1, 192.0.2.44, 10.0.0.1"), 2) == (
        "192.0.2.44"
    )


def test_a_header_shorter_than_the_proxy_chain_gives_its_first_address():
    assert client_address(request("10.0.0.2", "192.0.2.44"), 2) == "192.0.2.44"


def test_a_proxy_that_sent_no_header_leaves_remote_addr():
    assert client_address(request("10.0.0.2"), 1) == "10.0.0.2"


def test_the_number_of_proxies_comes_from_settings(settings):
    settings.CASEBOOK_NUM_PROXIES = 1

    assert client_address(request("10.0.0.2", "192.0.2.44")) == "192.0.2.44"


# Rates and counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, expected",
    [("120/minute", (120, 60)), ("10/m", (10, 60)), ("5/hour", (5, 3600)), ("1/day", (1, 86400))],
)
def test_it_reads_drf_style_rates(rate, expected):
    assert parse_rate(rate) == expected


def test_an_empty_rate_is_no_limit():
    assert parse_rate("") is None


@pytest.mark.parametrize("rate", ["120", "many/minute", "10/fortnight"])
def test_a_malformed_rate_is_named(rate):
    with pytest.raises(ValueError, match=f"Not a rate: '{rate}'"):
        parse_rate(rate)


def test_it_counts_in_windows_of_the_clock():
    answers = [hit("k", 3, 60, now=NOON_AND_30_SECONDS + n) for n in range(5)]
    # Three allowed, then wait until the minute ends: 27 seconds at 12:00:33, 26 at 12:00:34.
    assert answers == [0, 0, 0, 27, 26]
    assert hit("k", 3, 60, now=NOON_AND_30_SECONDS + 30) == 0  # the next minute


def test_keys_count_apart():
    for _ in range(3):
        hit("a", 3, 60, now=NOON_AND_30_SECONDS)

    assert hit("b", 3, 60, now=NOON_AND_30_SECONDS) == 0
    assert hit("a", 3, 60, now=NOON_AND_30_SECONDS) == 30


# The views -----------------------------------------------------------------------------------


@pytest.fixture
def article(db):
    return factories.article(21813367)


def test_the_list_answers_429_with_retry_after_past_its_rate(client, settings, article, frozen):
    settings.CASEBOOK_LIST_RATE = "3/minute"

    responses = [client.get("/") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[3]["Retry-After"] == "30"
    assert (
        "Your address has asked for more than 3 list pages in a minute; signed-in users have "
        "no limit. Please try again in 30 seconds."
    ) in responses[3].content.decode()


def test_rotating_x_forwarded_for_does_not_reset_the_list_limit(client, settings, article):
    settings.CASEBOOK_LIST_RATE = "20/day"

    statuses = [
        client.get("/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(25)
    ]

    assert statuses == [200] * 20 + [429] * 5


def test_each_client_behind_a_trusted_proxy_has_its_own_limit(client, settings, article):
    settings.CASEBOOK_NUM_PROXIES = 1
    settings.CASEBOOK_LIST_RATE = "2/day"

    def status(client_ip: str) -> int:
        return client.get("/", HTTP_X_FORWARDED_FOR=f"203.0.113.9, {client_ip}").status_code

    assert [status("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert status("192.0.2.2") == 200


def test_list_exports_and_basket_exports_share_the_export_limit(client, settings, article):
    settings.CASEBOOK_EXPORT_RATE = "2/day"

    statuses = [
        client.get("/export/ris/").status_code,
        client.get("/basket/export/ris/").status_code,
        client.get("/export/csv/").status_code,
    ]

    assert statuses == [200, 200, 429]
    # One article's file is not limited: it costs what its page does.
    assert client.get("/21813367/export/ris/").status_code == 200


def test_the_export_limit_is_not_the_list_limit(client, settings, article):
    settings.CASEBOOK_EXPORT_RATE = "1/day"
    settings.CASEBOOK_LIST_RATE = "1/day"

    assert client.get("/export/ris/").status_code == 200
    assert client.get("/").status_code == 200


def test_signed_in_users_are_not_limited(client, settings, article):
    settings.CASEBOOK_LIST_RATE = "1/day"
    settings.CASEBOOK_EXPORT_RATE = "1/day"
    client.force_login(User.objects.create_user("reader"))

    statuses = {client.get(url).status_code for url in ["/", "/export/ris/"] * 3}

    assert statuses == {200}


def test_an_empty_rate_turns_the_limit_off(client, settings, article):
    settings.CASEBOOK_LIST_RATE = ""

    assert {client.get("/").status_code for _ in range(5)} == {200}


def test_a_failing_cache_lets_requests_through_and_says_so(client, settings, article, caplog):
    # Redis down: the limit is not applied rather than every page failing.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    settings.CASEBOOK_LIST_RATE = "1/day"

    statuses = [client.get("/").status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert caplog.messages[-1] == "Request not counted under 'list:127.0.0.1': the cache failed"
