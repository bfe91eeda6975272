"""The time budget of each query of a search (articles.search.budget): a query past it is
stopped, and the list page and the API say so instead of making the reader wait. A tiny
budget here, and queries slow on purpose (on either database), so nothing depends on the
machine's speed."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.expressions import RawSQL

from articles.browse import filters
from articles.ingest.files import ingest_files
from articles.models import Article
from articles.search.budget import QueryTooSlow, query_budget
from articles.search.filtering import apply

FIXTURES = Path(__file__).parent / "fixtures"
MESSAGE = (
    "This search took too long (over 50 ms) and was stopped. Narrow it: add words or filters, "
    "or give truncated words a longer stem (asthm* rather than a*)."
)

pytestmark = pytest.mark.django_db


def slow_sql(seconds: int = 30) -> str:
    """A query returning the number 1 after about ``seconds`` (or much longer)."""
    if connection.vendor == "postgresql":
        return f"SELECT 1 FROM pg_sleep({seconds})"
    # A billion rows counted: far longer than any budget.
    return (
        "SELECT 1 WHERE (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
        f"LIMIT {seconds * 30_000_000}) SELECT COUNT(*) FROM n) > 0"
    )


@pytest.fixture
def budget(settings):
    settings.QUERY_BUDGET_MS = 50
    settings.API_ANON_RATE = "1000/minute"
    cache.clear()
    yield
    cache.clear()


def test_a_query_past_the_budget_is_stopped_with_a_clear_message(budget):
    with pytest.raises(QueryTooSlow) as stopped, query_budget(), connection.cursor() as cursor:
        cursor.execute(slow_sql())

    assert str(stopped.value) == MESSAGE


def test_the_connection_goes_on_after_a_stopped_query_without_the_budget(budget):
    with pytest.raises(QueryTooSlow), query_budget(), connection.cursor() as cursor:
        cursor.execute(slow_sql())

    with connection.cursor() as cursor:
        cursor.execute(slow_sql(seconds=0) if connection.vendor == "postgresql" else "SELECT 1")
        assert cursor.fetchone() == (1,)
        if connection.vendor == "postgresql":
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("0",)


def test_queries_within_the_budget_run(budget):
    with query_budget(), connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_no_budget_when_it_is_zero(settings):
    settings.QUERY_BUDGET_MS = 0
    with query_budget(), connection.cursor() as cursor:
        cursor.execute(slow_sql(seconds=0) if connection.vendor == "postgresql" else "SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.fixture
def slow_search(monkeypatch):
    """Searches that take far longer than the budget: the real search, plus a slow
    condition."""
    stats = ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])
    assert stats.failed == 0, stats.problems

    def slow(plan, articles):
        return apply(plan, articles).filter(pk__gte=RawSQL(slow_sql(), ()))

    monkeypatch.setattr(filters, "apply", slow)


def test_the_list_page_answers_503_with_the_message_and_the_search_to_narrow(
    client, budget, slow_search
):
    response = client.get("/", {"term": "a* OR b*"})

    assert response.status_code == 503
    html = response.content.decode()
    assert "<h1>This search took too long</h1>" in html
    assert MESSAGE in html
    assert 'name="term" id="id_term" value="a* OR b*"' in html
    assert Article.objects.count() == 1  # the connection goes on


def test_the_api_answers_503_with_the_message_as_json(client, budget, slow_search):
    response = client.get("/api/v1/articles/", {"term": "a* OR b*"})

    assert response.status_code == 503
    assert response.json() == {"detail": MESSAGE}
