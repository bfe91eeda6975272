"""Property-based tests (Hypothesis): whatever a visitor types or a file holds, the query
parser, the record parser, the list page and the API answer with their own clear result,
never an unexpected exception or a 500.

The records are the bundled demo file's (articles/demo, PubMed baseline pubmed21n1298), cut
and mutated byte by byte; the list page and the API answer through Django's test client over
a few real records. Example counts stay modest so the suite stays fast; the API's schema
gets its own run in test_api_schema.py."""

import gzip
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.browse.filters import ArticleFilter
from articles.ingest.files import ingest_files
from articles.pubmed import records as r
from articles.pubmed.parser import PubmedFileError, iter_raw_records, parse
from articles.search.query import ParsedQuery
from articles.search.query import parse as parse_query

DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"
FIXTURES = Path(__file__).parent / "fixtures"
FAST = settings(max_examples=150, deadline=None)
FAST_DB = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Numbers as people and scripts mistype them: superscripts and other Unicode digits that
# pass str.isdigit, overflows, signs, exponents, NaN and infinities, decimals, empties.
JUNK_NUMBERS = [
    "²",
    "¹²",
    "٣",
    "1e999",
    "-1e999",
    "99999999999999999999",
    "9" * 5000,
    "2147483648",
    "-1",
    "0",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1.5",
    "0x10",
    "1_000",
    " 7 ",
    "\x00",
    "",
]
numbers = st.one_of(
    st.sampled_from(JUNK_NUMBERS),
    st.integers().map(str),
    st.floats().map(str),
    st.text(max_size=12),
)

# Query text: PubMed syntax mixed with anything at all.
SYNTAX = [
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    '"',
    "[",
    "]",
    "*",
    "[au]",
    "[mh]",
    "[dp]",
    "[pmid]",
    "[ti]",
    ":",
    "2005:2010",
    "lung",
    "a*",
    "19387736",
    " ",
]
query_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=8)), max_size=40).map(" ".join),
)


# The query parser --------------------------------------------------------------------------


@FAST
@given(query_text)
def test_the_query_parser_reads_any_text(text):
    parsed = parse_query(text)

    assert isinstance(parsed, ParsedQuery)
    str(parsed)  # the form the page shows
    for term in parsed.terms():
        assert term.text.strip()


# The record parser -------------------------------------------------------------------------


@cache
def demo_records() -> list[bytes]:
    """The first ten records of the demo file, each as a file of its own."""
    with gzip.open(DEMO) as stream:
        raw = [record.data for _, record in zip(range(10), iter_raw_records(stream), strict=False)]
    return [b"<PubmedArticleSet>\n" + data + b"\n</PubmedArticleSet>\n" for data in raw]


@st.composite
def mutated_records(draw) -> bytes:
    """A real record with a few bytes flipped, deleted or duplicated, or a slice of it
    repeated."""
    data = bytearray(draw(st.sampled_from(demo_records())))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "duplicate", "repeat", "digit"]))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
        elif action == "repeat":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = data[at:end] * draw(st.integers(1, 3))
        else:  # a number written in other digits or grown past any column
            data[at:at] = draw(st.sampled_from(["²", "٣", "9" * 20])).encode()
    return bytes(data)


@FAST
@given(mutated_records())
def test_the_record_parser_maps_mutated_real_records_or_names_the_problem(data):
    try:
        items = list(parse(data, name="mutated.xml"))
    except PubmedFileError as error:
        assert str(error).startswith("mutated.xml")
        return
    for item in items:
        assert isinstance(item, r.Article | r.Deletion | r.RecordProblem)
        if isinstance(item, r.RecordProblem):
            assert item.message


# The list page and the API -----------------------------------------------------------------

# Every filter of the list page (the staff-only status aside), and its paging.
LIST_PARAMETERS = [f for f in ArticleFilter.Meta.fields if f != "status"] + ["page", "per_page"]
API_PARAMETERS = [*LIST_PARAMETERS[:-2], "page_size", "cursor"]


@pytest.fixture
def fuzz_client(db, settings):
    stats = ingest_files(
        [
            FIXTURES / "hawc_structured_abstract_21813367.xml",
            FIXTURES / "hawc_collective_author_21860499.xml",
            FIXTURES / "hawc_book_chapter_20301382.xml",
        ]
    )
    assert stats.failed == 0, stats.problems
    settings.API_ANON_RATE = "1000000/minute"
    settings.CASEBOOK_LIST_RATE = "1000000/minute"
    django_cache.clear()
    yield Client(raise_request_exception=False)
    django_cache.clear()


def parameters(names: list[str]):
    """A query string's parameters: junk numbers, any text, or PubMed syntax, for a few of
    ``names`` at a time."""
    value = st.one_of(numbers, query_text)
    return st.dictionaries(st.sampled_from(names), value, min_size=1, max_size=4)


@FAST_DB
@given(query=parameters(LIST_PARAMETERS))
def test_the_list_page_answers_any_parameters_without_a_server_error(fuzz_client, query):
    response = fuzz_client.get("/", query, follow=True)

    assert response.status_code in (200, 400), (query, response.status_code)


@FAST_DB
@given(query=parameters(API_PARAMETERS))
def test_the_api_answers_any_parameters_without_a_server_error(fuzz_client, query):
    response = fuzz_client.get("/api/v1/articles/", query)

    assert response.status_code in (200, 400, 404), (query, response.status_code)
    assert response["Content-Type"] == "application/json"


@FAST_DB
@given(pmid=numbers.filter(bool), authors=numbers, style=st.text(max_size=12))
def test_the_article_page_and_record_answer_any_pmid(fuzz_client, pmid, authors, style):
    pmid = quote(pmid, safe="")
    page = fuzz_client.get(f"/{pmid}/", {"authors": authors, "style": style})
    record = fuzz_client.get(f"/api/v1/articles/{pmid}/")

    assert page.status_code in (200, 404), (pmid, page.status_code)
    assert record.status_code in (200, 404), (pmid, record.status_code)


NUMERIC_PARAMETERS = ["year_from", "year_to", "patients_min", "patients_max", "page"]


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/", [*NUMERIC_PARAMETERS, "per_page"]),
        ("/api/v1/articles/", [*NUMERIC_PARAMETERS[:-1], "page_size"]),
    ],
)
def test_every_numeric_parameter_takes_any_junk_number(fuzz_client, url, names):
    answers = {
        (name, junk): fuzz_client.get(url, {name: junk}, follow=True).status_code
        for name in names
        for junk in JUNK_NUMBERS
    }

    assert {answer for answer in answers.values()} <= {200, 400}, answers


@pytest.mark.parametrize("prefix", ["/", "/api/v1/articles/", "/api/v1/articles/pmcid/"])
def test_every_pmid_in_a_path_takes_any_junk_number(fuzz_client, prefix):
    answers = {
        junk: fuzz_client.get(f"{prefix}{quote(junk, safe='')}/").status_code
        for junk in JUNK_NUMBERS
        if junk
    }

    assert set(answers.values()) <= {200, 301, 404}, answers
