"""The API's OpenAPI schema (/api/v1/schema/) tells the truth: real answers on real records
validate against it, and a property-based run (schemathesis, hypothesis) over every GET
operation finds no server error and no status, media type or body the schema does not give.

Requests go through the Django WSGI application in process (schemathesis's WSGI transport),
inside the test's transaction."""

from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.curation import actions as curation
from articles.ingest.files import ingest_files
from articles.models import Article, ArticleConcept, Correction
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = (
    "pubmed20n0014_browse_52.xml.gz",
    "hawc_structured_abstract_21813367.xml",
    "hawc_book_chapter_20301382.xml",
    "hawc_book_26468569.xml",
    "hawc_collective_author_21860499.xml",
    "hawc_doi_vernacular_21813142.xml",
    "hawc_title_markup_27933116.xml",
    "hawc_utf8_23878845_16080930.xml",
)
FORMATS = ("json", "ris", "nbib", "bibtex", "csl-json", "csv")
ALL_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Invalid input is answered, with a documented status; its bodies are not all JSON (a path
# Django's URLs do not match is its own 404 page), so only statuses are checked.
STATUS_CHECKS = [not_a_server_error, status_code_conformance]


@pytest.fixture
def app(db, settings):
    """The Django WSGI application, answering inside the test's transaction: as Django's
    test client does, requests do not close the connection when they start and finish."""
    settings.API_ANON_RATE = "1000000/minute"
    cache.clear()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    cache.clear()


@pytest.fixture
def records(db):
    stats = ingest_files([FIXTURES / name for name in RECORDS])
    assert stats.failed == 0, stats.problems
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")
    curator = User.objects.create_user("cora", is_staff=True)
    # What Casebook adds, in each of its shapes: corrected text, facts and concepts, a
    # concept MeSH lacks, a decision, and a correction whose original changed.
    curation.correct(412160, "title", "Cromoglycate in five asthmatic children.", user=curator)
    curation.correct(412160, "facts:patient_count", "6", user=curator)
    curation.correct(412160, "concept:therapy:D006854", "yes", user=curator)
    ArticleConcept.objects.create(
        article_id=412160, descriptor_id="D999999", role="therapy", source="substance"
    )
    curation.correct(21813367, "abstract:0", "", user=curator)
    curation.set_status([412160], "included", user=curator)
    Correction.objects.filter(article_id=412160, field="title").update(
        needs_review=True, source_value="A new title from PubMed."
    )


@pytest.fixture
def schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)


def get_operations(schema) -> dict[str, object]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return {operation.path: operation for operation in operations if operation.method == "get"}


def test_the_schema_names_every_get_operation(schema):
    assert sorted(get_operations(schema)) == [
        "/api/v1/articles/",
        "/api/v1/articles/doi/{value}",
        "/api/v1/articles/pmcid/{value}/",
        "/api/v1/articles/{pmid}/",
        "/api/v1/mesh/",
    ]


# Real answers --------------------------------------------------------------------------------


def answer(operation, checks=ALL_CHECKS, **parts):
    case = operation.Case(**parts)
    response = case.call()
    case.validate_response(response, checks=checks)
    return response


def test_every_stored_record_validates_as_json_and_csl_json(schema, records):
    detail = get_operations(schema)["/api/v1/articles/{pmid}/"]
    pmids = list(Article.objects.order_by("pmid").values_list("pmid", flat=True))

    for pmid in pmids:
        for name in ("json", "csl-json"):
            response = answer(detail, path_parameters={"pmid": pmid}, query={"format": name})
            assert response.status_code == 200, (pmid, name)
    assert len(pmids) == 60


def test_a_record_validates_in_every_format(schema, records):
    detail = get_operations(schema)["/api/v1/articles/{pmid}/"]

    for name in FORMATS:
        response = answer(detail, path_parameters={"pmid": 412160}, query={"format": name})
        assert response.status_code == 200, name


def test_errors_validate_in_every_format(schema, records):
    detail = get_operations(schema)["/api/v1/articles/{pmid}/"]

    for name in FORMATS:
        missing = answer(detail, path_parameters={"pmid": 1}, query={"format": name})
        assert missing.status_code == 404


def test_list_pages_validate_with_every_sort_and_filter(schema, records):
    articles = get_operations(schema)["/api/v1/articles/"]
    queries = [
        {"page_size": 200},
        {"sort": "patients", "page_size": 200},
        {"sort": "relevance", "term": "asthma", "sort_order": "asc"},
        {"disease": "Asthma", "therapy": "Hydrocortisone", "patients_min": 2},
        {"sex": "male", "age": "older", "case_series": "false", "retracted": "false"},
        {"journal": "Environ Health Perspect", "year_from": 2010, "year_to": 2012},
        {"publication_type": "D016454", "has_abstract": "true", "language": "eng"},
    ]

    for query in queries:
        response = answer(articles, query=query)
        assert response.status_code == 200, query
        assert response.json()["results"], query
    assert answer(articles, query={"sort": "bogus"}).status_code == 400
    assert answer(articles, query={"cursor": "bogus"}).status_code == 404
    assert answer(articles, query={"year_from": "last year"}).status_code == 400
    # A MeSH term's text is no format string (it was a 500).
    assert answer(articles, query={"disease": "%", "therapy": "%(x)s"}).status_code == 400


def test_each_value_the_schema_lists_is_answered_alone(schema, records):
    # Every value of every parameter with listed values, alone: the fuzzing below rarely
    # sends one without another parameter that the filters refuse first.
    articles = get_operations(schema)["/api/v1/articles/"]
    listed = {
        parameter["name"]: parameter["schema"]["enum"]
        for parameter in articles.definition.raw["parameters"]
        if "enum" in parameter["schema"]
    }

    for name, values in listed.items():
        for value in values:
            assert answer(articles, query={name: value}).status_code == 200, (name, value)
    assert sorted(listed) == ["age", "sex", "sort", "sort_order", "status"]


def test_look_ups_validate(schema, records):
    operations = get_operations(schema)

    assert answer(operations["/api/v1/mesh/"], query={"q": "asthma"}).status_code == 200
    assert answer(operations["/api/v1/mesh/"], query={"q": "x" * 201}).status_code == 400
    by_doi = operations["/api/v1/articles/doi/{value}"]
    assert answer(by_doi, path_parameters={"value": "10.1289/EHP.1103729"}).status_code == 302
    assert answer(by_doi, path_parameters={"value": "10.1000/none"}).status_code == 404
    by_pmcid = operations["/api/v1/articles/pmcid/{value}/"]
    assert answer(by_pmcid, path_parameters={"value": "PMC3261988"}).status_code == 302


# Fuzzing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "checks"),
    [(GenerationMode.POSITIVE, ALL_CHECKS), (GenerationMode.NEGATIVE, STATUS_CHECKS)],
)
def test_no_request_the_schema_allows_or_refuses_is_a_server_error_or_undocumented(
    schema, records, mode, checks
):
    fuzzed = []
    for path, operation in get_operations(schema).items():
        # derandomize: the same requests on every run, so the suite cannot flake.
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            case.validate_response(case.call(), checks=checks)

        try:
            check()
        except Unsatisfiable:
            # Nothing the schema refuses can be sent: a PMC ID's only rule is that it
            # holds no "/", and a path parameter cannot hold one.
            assert (mode, path) == (GenerationMode.NEGATIVE, "/api/v1/articles/pmcid/{value}/")
            continue
        fuzzed.append(path)

    assert len(fuzzed) == 5 if mode == GenerationMode.POSITIVE else 4
