"""articles.pubmed.client against a real HTTP server on 127.0.0.1 that misbehaves on purpose.

No database. Timeouts and backoff are tiny so that retries take milliseconds; the rate-limit
tests use the real limits and take a few seconds each.
"""

import datetime as dt
import gzip
import logging
import threading
from types import SimpleNamespace

import pytest
import requests
from lxml import etree

from articles.pubmed import client as client_module
from articles.pubmed.client import EutilsClient, EutilsError
from articles.pubmed.ratelimit import RateLimiter, shared_limiter
from tests.eutils_server import EUTILS, FIXTURES, FakeEutils, max_in_window
from tests.polling import wait_until

HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"
SEARCH_259 = EUTILS / "esearch_pubmed_complex_query_259ids.xml"
QUERY_259 = etree.parse(str(SEARCH_259)).findtext("QueryTranslation")
IDS_259 = [int(i) for i in etree.parse(str(SEARCH_259)).xpath("//IdList/Id/text()")]
LARGE_QUERY = "cancer AND case reports[pt]"


@pytest.fixture
def server():
    with FakeEutils(slow_seconds=0.5) as fake:
        fake.add_records(HAWC_259)
        fake.add_search(QUERY_259, SEARCH_259)
        yield fake


@pytest.fixture
def make_client(server):
    clients = []

    def make(**options) -> EutilsClient:
        settings = {
            "base_url": server.url,
            "tool": "casebook-tests",
            "email": "tests@example.org",
            "timeout": 0.25,
            "max_attempts": 4,
            "backoff": 0.01,
            "max_backoff": 0.02,
            "limiter": RateLimiter(100, period=1.0),
            **options,
        }
        client = EutilsClient(**settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def dated_pmids(count: int, first: dt.date, days: int) -> dict[int, dt.date]:
    """``count`` made-up PMIDs spread evenly over ``days`` days from ``first``."""
    return {50_000_000 + n: first + dt.timedelta(days=n * days // count) for n in range(count)}


# What every request carries ------------------------------------------------------------------


def test_it_sends_tool_email_and_api_key_on_every_request(server, make_client):
    client = make_client(api_key="secret-key")

    client.esearch(QUERY_259)
    history = client.epost(IDS_259[:3])
    client.efetch_history(history, retmax=3)
    client.efetch(IDS_259[:3])

    logged = server.requests()
    assert [r.endpoint for r in logged] == ["esearch", "epost", "efetch", "efetch"]
    for request in logged:
        assert request.method == "POST"
        assert request.params["tool"] == "casebook-tests"
        assert request.params["email"] == "tests@example.org"
        assert request.params["api_key"] == "secret-key"
        assert request.params["db"] == "pubmed"


def test_it_sends_no_api_key_when_there_is_none(server, make_client):
    make_client().esearch(QUERY_259)

    assert "api_key" not in server.requests()[0].params


def test_it_shares_one_limiter_per_key_across_the_process():
    without = EutilsClient(email="a@example.org")
    other = EutilsClient(email="b@example.org")
    keyed = EutilsClient(api_key="k1")

    assert without.limiter is other.limiter is shared_limiter("")
    assert without.limiter.max_requests == 3
    assert keyed.limiter is shared_limiter("k1")
    assert keyed.limiter.max_requests == 10


# ESearch -------------------------------------------------------------------------------------


def test_it_lists_every_pmid_of_a_real_esearch_response(server, make_client):
    plan = make_client().search(QUERY_259)

    assert plan.count == 259
    assert list(plan.ids) == IDS_259
    assert plan.shortfall == 0
    assert len(plan.slices) == 1
    request = server.requests("esearch")[0]
    assert request.params["usehistory"] == "y"
    assert request.params["retmax"] == "9999"
    assert request.params["term"] == QUERY_259


def test_it_searches_and_fetches_a_second_real_pair_of_responses(server, make_client):
    search = EUTILS / "esearch_pubmed_6ids_translationset.xml"
    server.add_search("breast cancer AND science[journal] AND 2008[pdat]", search)
    server.add_records(EUTILS / "hawc_6_records.xml")
    client = make_client()

    plan = client.search("breast cancer AND science[journal] AND 2008[pdat]")
    batch = client.fetch_batch(plan.ids)

    assert plan.ids == (19008416, 18927361, 18787170, 18487186, 18239126, 18239125)
    assert batch.missing == ()


def test_it_splits_a_25000_record_query_into_date_windows_and_logs_the_plan(
    server, make_client, caplog
):
    dates = dated_pmids(25_000, dt.date(2000, 1, 1), 20 * 365)
    server.add_dated_search(LARGE_QUERY, dates)

    with caplog.at_level(logging.INFO, logger="articles.pubmed.client"):
        plan = make_client().search(LARGE_QUERY)

    assert plan.count == 25_000
    assert sorted(plan.ids) == sorted(dates)
    assert len(plan.ids) == len(set(plan.ids))
    assert sum(s.count for s in plan.slices) == 25_000
    assert all(0 <= s.count <= 9_999 for s in plan.slices)
    assert [s.mindate for s in plan.slices] == sorted(s.mindate for s in plan.slices)
    for request in server.requests("esearch"):
        assert int(request.params["retstart"]) + int(request.params["retmax"]) <= 9_999
    assert "matches 25,000 records" in caplog.text
    assert f"{plan.slices[0].mindate}–{plan.slices[0].maxdate}" in caplog.text


def test_it_splits_within_the_dates_and_datetype_it_is_given(server, make_client):
    server.add_dated_search(LARGE_QUERY, dated_pmids(12_000, dt.date(2010, 1, 1), 4 * 365))

    plan = make_client().search(
        LARGE_QUERY, mindate=dt.date(2010, 1, 1), maxdate=dt.date(2013, 12, 31), datetype="edat"
    )

    assert len(plan.ids) == 12_000
    assert plan.slices[0].mindate == "2010/01/01"
    assert plan.slices[-1].maxdate == "2013/12/31"
    for request in server.requests("esearch"):
        assert request.params["datetype"] == "edat"
        assert "2010/01/01" <= request.params["mindate"] <= request.params["maxdate"]


def test_it_stops_when_one_day_holds_more_than_esearch_can_list(server, make_client):
    server.add_dated_search(LARGE_QUERY, dated_pmids(10_000, dt.date(2020, 3, 2), 1))

    with pytest.raises(EutilsError, match=r"10,000 records have the pdat date 2020/03/02"):
        make_client().search(
            LARGE_QUERY, mindate=dt.date(2020, 1, 1), maxdate=dt.date(2020, 12, 31)
        )


def test_it_reports_records_that_no_date_window_lists(server, make_client):
    dates = dated_pmids(10_100, dt.date(2001, 1, 1), 365)
    dates.update({60_000_000 + n: dt.date(1650, 1, 1) for n in range(5)})  # before 1700
    server.add_dated_search(LARGE_QUERY, dates)

    plan = make_client().search(LARGE_QUERY)

    assert plan.count == 10_105
    assert plan.shortfall == 5


def test_it_never_asks_past_the_retstart_cap(server, make_client):
    client = make_client()
    history = client.epost(IDS_259[:5])

    with pytest.raises(ValueError, match="9,999"):
        client.esearch(LARGE_QUERY, retstart=9_999, retmax=1)
    with pytest.raises(ValueError, match="9,999"):
        client.esearch(LARGE_QUERY, retmax=10_000)
    with pytest.raises(ValueError, match="9,999"):
        client.efetch_history(history, retstart=9_900, retmax=200)

    assert [r.endpoint for r in server.requests()] == ["epost"]


def test_it_faces_a_server_that_enforces_the_retstart_cap_like_pubmed(server):
    server.add_dated_search(LARGE_QUERY, dated_pmids(12_000, dt.date(2000, 1, 1), 3650))
    url = server.url + "esearch.fcgi"

    past = requests.post(url, data={"db": "pubmed", "term": LARGE_QUERY, "retstart": 10_000})
    clamped = requests.post(
        url, data={"db": "pubmed", "term": LARGE_QUERY, "retstart": 9_950, "retmax": 500}
    )

    assert past.status_code == 200
    assert b"'retstart' cannot be larger than 9998" in past.content
    assert etree.fromstring(clamped.content).findtext("RetMax") == "49"


# EFetch --------------------------------------------------------------------------------------


def test_it_posts_pmids_to_efetch_and_returns_ncbis_bytes_unchanged(server, make_client):
    body = make_client().efetch(IDS_259)

    assert body == gzip.decompress(HAWC_259.read_bytes())
    request = server.requests("efetch")[0]
    assert request.method == "POST"
    assert request.params["retmode"] == "xml"
    assert request.ids == IDS_259


def test_it_fetches_part_of_a_history_set(server, make_client):
    client = make_client()
    history = client.epost(IDS_259[:10])

    body = client.efetch_history(history, retstart=2, retmax=3)

    pmids = etree.fromstring(body).xpath("PubmedArticle/MedlineCitation/PMID/text()")
    assert sorted(map(int, pmids)) == sorted(IDS_259[2:5])
    assert server.requests("efetch")[0].params["WebEnv"] == history.webenv


def test_it_fetches_every_pmid_of_a_batch(server, make_client):
    batch = make_client().fetch_batch(IDS_259[:200], number=1, total=2)

    assert batch.missing == ()
    assert len(batch.documents) == 1
    found = etree.fromstring(batch.documents[0]).xpath("//MedlineCitation/PMID/text()")
    assert sorted(map(int, found)) == sorted(IDS_259[:200])


def test_it_asks_once_more_for_a_missing_pmid_then_reports_it_by_number(server, make_client):
    batch = make_client().fetch_batch([IDS_259[0], 99_999_999, IDS_259[1]])

    assert batch.missing == (99_999_999,)
    asked = [r.ids for r in server.requests("efetch")]
    assert asked == [[IDS_259[0], 99_999_999, IDS_259[1]], [99_999_999]]


def test_it_recovers_a_pmid_that_comes_back_on_the_second_request(server, make_client):
    server.drop_once(IDS_259[1])

    batch = make_client().fetch_batch(IDS_259[:3])

    assert batch.missing == ()
    assert len(batch.documents) == 2
    assert f'<PMID Version="1">{IDS_259[1]}</PMID>'.encode() in batch.documents[1]


def test_it_refuses_a_batch_larger_than_500(make_client):
    with pytest.raises(ValueError, match="500"):
        make_client().fetch_batch(list(range(1, 502)))
    with pytest.raises(ValueError, match="500"):
        next(make_client().iter_batches(IDS_259, batch_size=501))


# Misbehaviour --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["429", "500", "truncated", "cut", "error", "slow"])
def test_it_retries_a_failed_efetch_and_gets_the_whole_batch(server, make_client, fault):
    server.misbehave("efetch", fault, fault)

    batch = make_client().fetch_batch(IDS_259[:20])

    assert batch.missing == ()
    assert [r.fault for r in server.requests("efetch")] == [fault, fault, ""]


@pytest.mark.parametrize("fault", ["429", "500", "truncated", "error", "slow"])
def test_it_retries_a_failed_esearch(server, make_client, fault):
    server.misbehave("esearch", fault)

    plan = make_client().search(QUERY_259)

    assert len(plan.ids) == 259
    assert [r.fault for r in server.requests("esearch")] == [fault, ""]


def test_it_gives_up_after_its_attempts_and_names_the_batch(server, make_client):
    server.misbehave_for(IDS_259[200], "500", "500", "500", "500")

    with pytest.raises(EutilsError) as raised:
        make_client().fetch_batch(IDS_259[200:], number=2, total=2)

    message = str(raised.value)
    assert message.startswith(
        f"EFetch batch 2 of 2 (59 PMIDs, PMIDs {IDS_259[200]}…{IDS_259[-1]}) failed after 4 "
        "attempts: HTTP 500 Internal Server Error"
    )
    assert len(server.requests("efetch")) == 4


def test_it_reports_ncbis_own_error_message_when_it_persists(server, make_client):
    server.misbehave("esearch", "error", "error")

    with pytest.raises(EutilsError, match="Invalid db name specified: fleegle"):
        make_client(max_attempts=2).esearch(QUERY_259)


def test_it_says_which_429_body_ncbi_sent(server, make_client):
    server.misbehave("efetch", "429")

    with pytest.raises(EutilsError, match="HTTP 429.*API rate limit exceeded"):
        make_client(max_attempts=1).efetch(IDS_259[:2])


def test_it_times_out_a_response_that_does_not_come(server, make_client):
    server.misbehave("efetch", "slow")

    # The server would answer after 0.5 s: the message says the client gave up at 0.1 s.
    with pytest.raises(EutilsError, match=r"no answer within 0.1 s"):
        make_client(timeout=0.1, max_attempts=1).efetch(IDS_259[:2])


def test_it_backs_off_exponentially_with_jitter(make_client):
    client = make_client(backoff=1.0, max_backoff=8.0)

    delays = [[client._backoff(attempt) for attempt in range(1, 6)] for _ in range(50)]

    for attempt, ceiling in enumerate([1, 2, 4, 8, 8]):
        seen = [run[attempt] for run in delays]
        assert all(ceiling / 2 <= d <= ceiling for d in seen)
        assert len(set(seen)) > 1


@pytest.fixture
def waits(monkeypatch):
    """The client's sleeps between attempts, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(client_module, "time", SimpleNamespace(sleep=slept.append))
    return slept


@pytest.mark.parametrize(
    "header",
    ["nan", "-5", "inf", "1e400", "soon", "\u00b3", "Wed, 21 Oct 2015 07:28:00 GMT", ""],
)
def test_it_falls_back_to_its_backoff_when_retry_after_is_junk_or_past(
    server, make_client, waits, header
):
    server.retry_after = header
    server.misbehave("efetch", "429")

    batch = make_client(backoff=0.01, max_backoff=0.02).fetch_batch(IDS_259[:20])

    assert batch.missing == ()
    assert len(waits) == 1
    assert 0.005 <= waits[0] <= 0.01  # the first backoff: 0.01 s, less up to half as jitter


@pytest.mark.parametrize("header", ["3", "99999999999999999999", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_it_waits_as_long_as_retry_after_asks_but_never_past_its_longest_backoff(
    server, make_client, waits, header
):
    server.retry_after = header
    server.misbehave("efetch", "500")

    batch = make_client(backoff=0.01, max_backoff=0.5).fetch_batch(IDS_259[:20])

    assert batch.missing == ()
    assert waits == [0.5]


# Batches ahead, in order ---------------------------------------------------------------------


def test_it_downloads_the_next_batches_while_the_caller_stores_one(server, make_client):
    client = make_client()
    received = []
    asked_while_storing_the_first = 0

    for batch in client.iter_batches(IDS_259, batch_size=50, ahead=3):
        received.append(batch.number)
        if batch.number == 1:
            # Still "storing" batch 1: the batches after it are asked for meanwhile.
            assert wait_until(lambda: len(server.requests("efetch")) >= 3)
            asked_while_storing_the_first = len(server.requests("efetch"))

    assert received == [1, 2, 3, 4, 5, 6]
    # Three in flight at most, batch 1 among them: 2 and 3 came while it was held, 4 after.
    assert asked_while_storing_the_first == 3
    assert sorted(server.fetched_ids()) == sorted(IDS_259)


def test_it_starts_at_the_batch_it_is_told(server, make_client):
    batches = list(make_client().iter_batches(IDS_259, batch_size=100, start=1))

    assert [b.number for b in batches] == [2, 3]
    assert sorted(server.fetched_ids()) == sorted(IDS_259[100:])


def test_it_yields_the_batches_before_one_that_fails_then_raises(server, make_client):
    server.misbehave_for(IDS_259[100], "500", "500")
    received = []

    with pytest.raises(EutilsError, match="EFetch batch 2 of 3"):
        for batch in make_client(max_attempts=2).iter_batches(IDS_259, batch_size=100):
            received.append(batch.number)

    assert received == [1]


# The rate limit, measured at the server -------------------------------------------------------


def hammer(clients: list[EutilsClient], requests_each: int) -> None:
    def work(client: EutilsClient) -> None:
        for _ in range(requests_each):
            client.efetch(IDS_259[:1])

    threads = [threading.Thread(target=work, args=(c,)) for c in clients for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_it_never_sends_more_than_3_requests_in_any_second_without_a_key(server, make_client):
    limiter = RateLimiter(3)

    hammer([make_client(limiter=limiter), make_client(limiter=limiter)], requests_each=2)

    arrivals = [r.at for r in server.requests()]
    assert len(arrivals) == 8
    assert max_in_window(arrivals, 1.0) == 3


def test_it_never_sends_more_than_10_requests_in_any_second_with_a_key(server, make_client):
    limiter = RateLimiter(10)

    hammer([make_client(limiter=limiter), make_client(limiter=limiter)], requests_each=6)

    arrivals = [r.at for r in server.requests()]
    assert len(arrivals) == 24
    assert max_in_window(arrivals, 1.0) == 10


def test_it_waits_for_the_oldest_request_to_leave_the_window():
    now = [100.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(3, period=1.0, clock=lambda: now[0], sleep=sleep)
    for at in (100.0, 100.2, 100.5):
        now[0] = at
        limiter.acquire()
    now[0] = 100.6

    waited = limiter.acquire()

    assert slept == [0.4]
    assert waited == pytest.approx(0.4)
    assert now[0] == pytest.approx(101.0)
