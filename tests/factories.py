"""Rows built straight through the ORM, for tests about what is done with stored articles
(curation, roles, the audit trail, exports of decisions), not about how PubMed's XML becomes
rows: those ingest real files (tests/fixtures).

Each article is one of the real records below, keyed by PMID, with the values ingest stores
for it (the HAWC fixtures ``hawc_*_<PMID>.xml``); a test that needs another value passes it.
Its journal, authors, comments and corrections and case facts are made too; its abstract
only when given, and no MeSH headings or concepts.
"""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth import get_user_model

from articles.curation.roles import curators_group
from articles.models import AbstractSection, Article, Author, CaseFacts, CommentCorrection, Journal
from articles.search.index import refresh as refresh_search

# A fixed time, so that nothing a test compares depends on when it ran.
INGESTED_AT = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)

JOURNALS = {
    "nlm:0330411": {
        "title": "Environmental health perspectives",
        "iso_abbreviation": "Environ Health Perspect",
        "medline_ta": "Environ Health Perspect",
        "issn_electronic": "1552-9924",
        "issn_linking": "0091-6765",
        "nlm_unique_id": "0330411",
        "country": "United States",
    },
    "nlm:101092791": {
        "title": "International journal of molecular sciences",
        "iso_abbreviation": "Int J Mol Sci",
        "medline_ta": "Int J Mol Sci",
        "issn_electronic": "1422-0067",
        "issn_linking": "1422-0067",
        "nlm_unique_id": "101092791",
        "country": "Switzerland",
    },
    "nlm:101157309": {
        "title": "Report on carcinogens : carcinogen profiles",
        "iso_abbreviation": "Rep Carcinog",
        "medline_ta": "Rep Carcinog",
        "issn_electronic": "1551-8280",
        "issn_linking": "1551-8272",
        "nlm_unique_id": "101157309",
        "country": "United States",
    },
}

# Article fields as ingest stores them, and the rows beside: authors as (last, fore,
# initials) or a collective name, comments and corrections as (type, source), and the case
# facts the rules derive from the title and abstract.
RECORDS = {
    21813367: {
        "journal": "nlm:0330411",
        "title": (
            "Retrospective exposure estimation and predicted versus observed serum "
            "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
        ),
        "volume": "119",
        "issue": "12",
        "pagination": "1760-5",
        "pub_date_raw": "2011 Dec",
        "pub_year": 2011,
        "pub_month": 12,
        "pub_date_precision": "month",
        "pub_date": dt.date(2011, 12, 1),
        "doi": "10.1289/ehp.1103729",
        "pmcid": "PMC3261988",
        "authors": [
            ("Shin", "Hyeong-Moo", "HM"),
            ("Vieira", "Verónica M", "VM"),
            ("Ryan", "P Barry", "PB"),
            ("Steenland", "Kyle", "K"),
            ("Bartell", "Scott M", "SM"),
        ],
        "comments_corrections": [("ErratumIn", "Environ Health Perspect.2013 Apr;121(4):A113")],
        "facts": {"kind": "other"},
    },
    29186030: {
        "journal": "nlm:101092791",
        "title": (
            "Buprofezin Is Metabolized by CYP353D1v2, a Cytochrome P450 Associated with "
            "Imidacloprid Resistance in Laodelphax striatellus."
        ),
        "volume": "18",
        "issue": "12",
        "pub_date_raw": "2017 Nov 29",
        "pub_year": 2017,
        "pub_month": 11,
        "pub_day": 29,
        "pub_date_precision": "day",
        "pub_date": dt.date(2017, 11, 29),
        "doi": "10.3390/ijms18122564",
        "pmcid": "PMC5751167",
        "authors": [
            ("Elzaki", "Mohammed Esmail Abdalla", "MEA"),
            ("Miah", "Mohammad Asaduzzaman", "MA"),
            ("Han", "Zhaojun", "Z"),
        ],
        "facts": {"kind": "other"},
    },
    21860499: {
        "journal": "nlm:101157309",
        "title": "Nitrofen.",
        "volume": "12",
        "pagination": "296-7",
        "pub_date_raw": "2011",
        "pub_year": 2011,
        "pub_date_precision": "year",
        "pub_date": dt.date(2011, 1, 1),
        "authors": ["National Toxicology Program"],
        "facts": {"kind": "other"},
    },
}


def user(username: str = "cora", **fields):
    """A user with no usable password: tests sign in with ``force_login``, and hashing a
    password with the production hasher takes about half a second."""
    return get_user_model().objects.create_user(username, **fields)


def curator(username: str = "cora"):
    """A staff user in the Curators group."""
    made = user(username, is_staff=True)
    made.groups.add(curators_group())
    return made


def journal(key: str) -> Journal:
    return Journal.objects.get_or_create(key=key, defaults=JOURNALS[key])[0]


def article(pmid: int = 21813367, *, abstract: Sequence[tuple[str, str]] = (), **fields) -> Article:
    """Article ``pmid`` as ingest stores it (``RECORDS``), with its journal and authors,
    ``fields`` laid over; ``abstract`` is its sections as (label, text). Indexed for search,
    as ingest does."""
    values = {**RECORDS.get(pmid, {}), **fields}
    authors = values.pop("authors", [])
    comments_corrections = values.pop("comments_corrections", [])
    facts = values.pop("facts", {})
    if isinstance(values.get("journal"), str):
        values["journal"] = journal(values["journal"])
    values.setdefault("title_html", values.get("title", ""))
    values.setdefault("languages", ["eng"])
    values.setdefault("has_abstract", bool(abstract))
    made = Article.objects.create(
        pmid=pmid,
        source_hash="",
        first_ingested_at=INGESTED_AT,
        last_changed_at=INGESTED_AT,
        **values,
    )
    Author.objects.bulk_create(
        Author(article=made, position=position, collective_name=name)
        if isinstance(name, str)
        else Author(
            article=made, position=position, last_name=name[0], fore_name=name[1], initials=name[2]
        )
        for position, name in enumerate(authors)
    )
    AbstractSection.objects.bulk_create(
        AbstractSection(article=made, position=position, label=label, html=text, text=text)
        for position, (label, text) in enumerate(abstract)
    )
    CommentCorrection.objects.bulk_create(
        CommentCorrection(article=made, position=position, ref_type=ref_type, source=source)
        for position, (ref_type, source) in enumerate(comments_corrections)
    )
    # Ingest gives every article a row, whatever the rules find.
    CaseFacts.objects.create(article=made, **facts)
    refresh_search([pmid])
    return made


def hawc_articles() -> list[Article]:
    """The three HAWC records of ``RECORDS``, as the shared ``curator`` fixture ingests them."""
    return [article(pmid) for pmid in RECORDS]
