"""Full-text search on real records: every field tag, ranking, snippets and the index kept in
step with ingest. Runs unchanged on SQLite (FTS5) and PostgreSQL (tsvector): same hits."""

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet

from articles import models as m
from articles.curation import actions as curation
from articles.ingest.files import ingest_files, ingest_records
from articles.pubmed.parser import parse
from articles.pubmed.records import Article, Deletion
from articles.search.backends import backend_for
from articles.search.filtering import search
from articles.search.first import Scope, Search
from articles.search.highlight import snippets
from articles.search.index import refresh
from tests.search_index import empty_search_index

FIXTURES = Path(__file__).parent / "fixtures"
HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"
EXCERPT_1298 = FIXTURES / "pubmed21n1298_excerpt_34.xml.gz"
MESH = FIXTURES / "mesh_descriptors_2024_excerpt.tsv"

pytestmark = pytest.mark.django_db

# The 20 Reviews among the 293 records (hawc 259 + the 34 of the 1298 excerpt).
REVIEWS = [
    29197930, 27189171, 24180432, 22484601, 22198209, 16954067, 14727734, 12505296, 11401753,
    11246142, 11029268, 10536109, 10388618, 8817083, 6355494, 3554467, 3303447, 3303446,
    3303445, 769879,
]  # fmt: skip


def load_mesh(path: Path) -> None:
    """MeSH rows as ``load_mesh`` writes them: descriptor, tree numbers, entry terms."""
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            ui = row["descriptor_ui"]
            m.MeshDescriptor.objects.update_or_create(ui=ui, defaults={"name": row["name"]})
            for number in filter(None, row["tree_numbers"].split("|")):
                m.MeshTreeNumber.objects.create(number=number, descriptor_id=ui)
            for term in filter(None, row["entry_terms"].split("|")):
                m.MeshEntryTerm.objects.create(
                    descriptor_id=ui, term=term, normalized=term.casefold()
                )


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker):
    """Stored once for the module (each test still runs in a transaction rolled back)."""
    with django_db_blocker.unblock():
        empty_search_index()  # what modules before this one left
        stats = ingest_files([HAWC_259, EXCERPT_1298])
        assert stats.failed == 0, stats.problems
        load_mesh(MESH)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        empty_search_index()


def hits(query: str) -> list[int]:
    """PMIDs found, best first (ties: newest PMID first)."""
    result = search(m.Article.objects.visible(), query)
    return list(result.queryset.order_by("-search_rank", "-pmid").values_list("pmid", flat=True))


def asked(
    articles, text: str, *, scope: Scope = Scope.VISIBLE, filters=None
) -> tuple[QuerySet, Search]:
    """The search of ``text`` over ``articles``, and the same as the list tells it to
    ``articles.search.first``: the reader's scope and what the other filters leave."""
    result = search(articles, text)
    return result.queryset, Search(result.plan, scope, filters)


def found(query: str) -> set[int]:
    return set(hits(query))


# Text fields ---------------------------------------------------------------------------------


def test_a_word_finds_title_abstract_keywords_mesh_and_authors(records):
    assert found("micronucleus") == {39180124, 12209168}
    assert found("Shigano") == {39180124}  # an author


def test_ti_searches_titles_only(records):
    assert found("micronucleus[ti]") == {39180124}
    assert found("micronucleus[title]") == {39180124}


def test_ab_searches_abstracts_only(records):
    assert found("micronucleus[ab]") == {39180124, 12209168}


def test_tiab_searches_title_and_abstract(records):
    assert found("micronucleus[tiab]") == {39180124, 12209168}
    assert found("Shigano[tiab]") == set()


def test_au_finds_an_author_by_last_name_and_initials(records):
    assert found("Shigano M[au]") == {39180124}
    assert found("Takashima R[au]") == {39180124}  # second author
    assert found("Shigano X[au]") == set()


def test_1au_finds_the_first_author_only(records):
    assert found("Shigano M[1au]") == {39180124}
    assert found("Takashima R[1au]") == set()


def test_ad_searches_affiliations_only(records):
    assert len(found("tokyo[ad]")) == 10
    assert 39180124 in found("tokyo[ad]")
    assert found("tokyo") == set()  # untagged words do not search affiliations


def test_a_phrase_needs_its_words_in_order(records):
    assert found('"liver micronucleus assay"') == {39180124}
    assert found('"micronucleus liver assay"') == set()


def test_a_tagged_multiword_term_is_a_phrase(records):
    assert found("liver micronucleus assay[ti]") == {39180124}


def test_truncation_finds_every_ending(records):
    assert found("micronucle*") == {39180124, 12209168, 12209194}
    assert found("micronucle*[ti]") == {39180124}


def test_truncation_searches_the_first_600_variants_and_says_so(records):
    # s* has over 600 variants in these records; the 600th is "strategy". PMID 3690505's
    # only words in s are "suggesting" and "suitable", past the cap, as PubMed caps it.
    result = search(m.Article.objects.visible(), "s*")

    assert result.note == (
        "s* was limited to its first 600 variants (s to strategy), as PubMed limits "
        "it: lengthen the stem to search every word it begins."
    )
    assert 3690505 not in set(result.queryset.values_list("pmid", flat=True))
    assert 3690505 in found("sui*")  # 7 variants: not limited
    assert search(m.Article.objects.visible(), "sui*").note == ""


def test_a_capped_truncation_finds_what_its_first_600_variants_find(records):
    with connection.cursor() as cursor:
        variants = backend_for(connection.vendor).variants(cursor, "s", 601)
    assert len(variants) == 601
    first_600 = set()
    for start in range(0, 600, 40):  # a query holds 50 terms at most
        first_600 |= found(" OR ".join(variants[start : start + 40]))

    assert found("s*") == first_600
    assert found('"of s*"') <= first_600  # a phrase ending in a capped truncation


def test_a_query_with_punctuation_is_searched_on_its_words(records):
    assert found("e. coli") == {33970148}
    assert found("E.coli") == {33970148}
    assert found("micronucleus!!") == {39180124, 12209168}
    assert found("Genes\x00Environ[ta]") == {39180124}  # PostgreSQL refuses NUL in text


# Structured fields --------------------------------------------------------------------------


def test_mh_explodes_to_narrower_headings(records):
    assert len(found("Phthalic Acids[mh:noexp]")) == 87
    assert len(found("Diethylhexyl Phthalate[mh]")) == 201
    exploded = found("Phthalic Acids[mh]")
    assert len(exploded) == 220
    assert found("Diethylhexyl Phthalate[mh]") <= exploded
    assert len(found("Rats[mh:noexp]")) == 177
    assert len(found("Rats[mh]")) == 183  # with Rats, Inbred F344 and others below it


def test_mh_finds_a_heading_by_an_entry_term(records):
    assert found("DEHP[mh]") == found("Diethylhexyl Phthalate[mh]")
    assert found("dioctyl phthalate[MeSH Terms]") == found("Diethylhexyl Phthalate[mh]")


def test_majr_keeps_major_topics(records):
    assert len(found("Phthalic Acids[majr]")) == 176
    assert found("Phthalic Acids[majr]") < found("Phthalic Acids[mh]")


def test_an_unknown_heading_finds_nothing_and_says_so(records):
    result = search(m.Article.objects.visible(), "Unicorn Disease[mh]")

    assert result.queryset.count() == 0
    assert result.note == "No MeSH heading matches 'Unicorn Disease'."


def test_pt_finds_publication_types(records):
    assert hits("review[pt]") == sorted(REVIEWS, reverse=True)
    assert found("reviews[pt]") == set(REVIEWS)


def test_ta_finds_a_journal_by_its_abbreviation(records):
    assert found("Genes Environ[ta]") == {39180124}
    assert found("genes environ[journal]") == {39180124}


def test_la_finds_a_language_by_code_or_name(records):
    assert found("ger[la]") == {34097092}
    assert found("german[la]") == {34097092}


def test_dp_finds_a_year_or_a_range(records):
    assert found("2024[dp]") == {39180124, 38833407, 38430581, 38056127}
    assert len(found("2020:2024[dp]")) == 39
    assert found("2024/01/01:2024/12/31[dp]") == found("2024[dp]")


def test_pmid_and_doi_find_one_article(records):
    assert found("39180124[pmid]") == {39180124}
    assert found("10.1186/s41021-024-00311-x[doi]") == {39180124}
    assert found("10.1186/S41021-024-00311-X[doi]") == {39180124}


def test_a_bare_number_finds_its_pmid(records):
    result = search(m.Article.objects.visible(), "39180124")

    assert list(result.queryset.values_list("pmid", flat=True)) == [39180124]
    assert result.note == "Read as a PMID."


# Booleans ------------------------------------------------------------------------------------


def test_text_and_structured_terms_combine(records):
    assert found("rats AND 2024[dp]") == {39180124, 38056127}
    assert found("phthalate AND review[pt]") == found("phthalate") & set(REVIEWS)
    assert found("phthalate NOT review[pt]") == found("phthalate") - set(REVIEWS)
    assert found("rats OR 2024[dp]") == found("rats") | found("2024[dp]")
    assert found("(micronucleus OR 2024[dp]) NOT rats") == {38833407, 38430581}
    assert 12209168 in found("micronucleus") & found("rats")


def test_not_excludes_text(records):
    assert found("phthalate NOT rats") == found("phthalate") - found("rats")
    assert len(found("phthalate NOT rats")) == 58


def test_the_issue_example_runs(records):
    assert found("DEHP[tiab] AND Rats[mh] NOT review[pt]") == (
        found("DEHP[tiab]") & found("Rats[mh]")
    ) - set(REVIEWS)


def test_a_query_of_punctuation_finds_nothing_and_says_why(records):
    result = search(m.Article.objects.visible(), "?!...")

    assert result.queryset.count() == 0
    assert result.note == "Ignored '?!...': no letters or digits to search for."


def test_a_5000_character_query_is_searched(records):
    result = search(m.Article.objects.visible(), ("micronucleus " * 400)[:5000])

    assert set(result.queryset.values_list("pmid", flat=True)) == {39180124, 12209168}
    assert "only its first 50 terms" in result.note


def test_a_search_works_inside_another_query(records):
    # As a subquery Django renames the index table's alias (to V1 and the like), where
    # SQLite's FTS5 took the alias for a column ("no such column: V1").
    hits = search(m.Article.objects.visible(), "micronucleus").queryset

    within = m.Article.objects.filter(pk__in=hits.order_by().values("pk"))

    assert set(within.values_list("pmid", flat=True)) == {39180124, 12209168}


# Ranking and snippets ------------------------------------------------------------------------


def test_a_title_match_ranks_above_an_abstract_match(records):
    assert hits("micronucleus") == [39180124, 12209168]
    assert hits("micronucleus") == hits("micronucleus[tiab]")


def test_search_rank_is_a_float_higher_is_better(records):
    ranked = search(m.Article.objects.visible(), "micronucleus").queryset.order_by("-search_rank")
    ranks = [article.search_rank for article in ranked]

    assert all(isinstance(rank, float) for rank in ranks)
    assert ranks[0] > ranks[1] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ts_rank's phrase scoring")
def test_postgres_ranks_a_lone_phrase_by_its_words_as_it_ranks_any_query(records):
    """ts_rank scores a query whose top is a phrase by word pairs, any other by words; the
    rank's query is the words ORed, so a phrase scores each hit as its words would."""
    ranks = dict(
        search(m.Article.objects.visible(), "body weight").queryset.values_list(
            "pmid", "search_rank"
        )
    )
    phrase = search(m.Article.objects.visible(), '"body weight"').queryset

    assert hits('"body weight"')[:4] == [12209194, 22333284, 22588786, 12209168]
    assert all(rank == ranks[pmid] for pmid, rank in phrase.values_list("pmid", "search_rank"))


def test_snippets_mark_the_query_words_and_escape_the_rest(records):
    result = snippets([39180124, 12209168, 31175114, 6677511], "micronucleus liver NOT rats")

    assert set(result) == {39180124, 12209168, 31175114}  # 6677511 has no abstract
    assert "<mark>micronucleus</mark>" in result[12209168]
    assert "<mark>rats</mark>" not in result[12209168]
    assert "<mark>liver</mark>" in result[39180124]
    # No query word in the abstract: its opening, nothing marked.
    assert result[31175114].startswith("Tarsal-carpal coalition syndrome is a progressive ")
    assert result[31175114].endswith(" …")
    assert "<mark>" not in result[31175114]


def test_snippets_escape_markup_in_abstracts(records):
    v1 = next(item for item in parse(EXCERPT_1298) if isinstance(item, Article))
    section = dataclasses.replace(v1.abstract[0], text="IgG <script>alert(1)</script> & IVIG")
    ingest_records([dataclasses.replace(v1, abstract=(section,), xml=v1.xml + b" ")])

    html = snippets([v1.pmid], "IVIG")[v1.pmid]

    assert html == "IgG &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>IVIG</mark>"


def test_token_spans_give_each_written_word_and_its_token():
    from articles.search.text import token_spans

    # The title of PMID 598790 (ASCII), and accents and dots (not).
    title = "Short-term toxicity study of di-(2-ethylhexyl) phthalate in rats."

    assert token_spans(title)[5:] == [
        (29, 31, "di"), (33, 34, "2"), (35, 45, "ethylhexyl"), (47, 56, "phthalate"),
        (57, 59, "in"), (60, 64, "rats"),
    ]  # fmt: skip
    assert token_spans("Sjögren's syndrome in E. coli") == [
        (0, 7, "sjogren"), (8, 9, "s"), (10, 18, "syndrome"), (19, 21, "in"), (22, 23, "e"),
        (25, 29, "coli"),
    ]  # fmt: skip


def test_snippets_mark_every_word_of_a_phrase_and_a_truncated_word(records):
    result = snippets([39180124], '"hepatic micronuclei" OR DEHP-induced micronucle*')[39180124]

    assert "frequency of <mark>hepatic</mark> <mark>micronuclei</mark> …" in result
    assert "detect <mark>DEHP</mark>-<mark>induced</mark> <mark>micronucleus</mark>" in result


# The index stays in step ---------------------------------------------------------------------


def test_the_index_follows_a_reingested_new_version(records):
    v1 = next(a for a in parse(HAWC_259) if isinstance(a, Article) and a.pmid == 39180124)
    v2 = dataclasses.replace(v1, version=2, title="Zebrafish sonar", xml=v1.xml + b" ")

    ingest_records([v2])

    assert found("zebrafish sonar[ti]") == {39180124}
    assert found("micronucleus[ti]") == set()
    assert found("micronucleus[ab]") == {39180124, 12209168}  # the abstract did not change


def test_the_index_drops_a_deleted_article(records):
    ingest_records([Deletion(pmids=(39180124,))], source="pubmed26n0001.xml.gz")

    assert found("micronucleus") == {12209168}
    assert found("Shigano M[au]") == set()


def test_refresh_indexes_text_changed_outside_ingest(records):
    m.Article.objects.filter(pk=12209168).update(title="Corrected: zebrafish micronuclei")

    assert found("zebrafish") == set()  # not until the index is told
    refresh([12209168])

    assert found("zebrafish[ti]") == {12209168}


def test_a_curators_title_and_abstract_corrections_are_what_is_searched(records):
    # PMID 12209168, the NTP report on methyl ethyl ketone peroxide (MEKP).
    assert found("ketone[ti]") == {12209168}
    assert 12209168 in found("MEKP[ab]")

    curation.correct(12209168, "title", "Zebrafish micronuclei", user=None)
    curation.correct(12209168, "abstract:0", "Sonar pings.", user=None)

    assert found("zebrafish[ti]") == {12209168}
    assert found("ketone[ti]") == set()
    assert found("sonar[ab]") == {12209168}
    assert 12209168 not in found("MEKP[ab]")


def test_ingest_of_unchanged_records_keeps_the_index(records):
    before = found("phthalate")

    ingest_files([HAWC_259])

    assert found("phthalate") == before
    assert len(before) == 246


def test_a_dry_run_leaves_the_index_alone(records):
    v1 = next(a for a in parse(HAWC_259) if isinstance(a, Article) and a.pmid == 39180124)
    v2 = dataclasses.replace(v1, version=2, title="Zebrafish sonar", xml=v1.xml + b" ")

    ingest_records([v2], dry_run=True)

    assert found("zebrafish") == set()


def test_rebuild_search_index_reindexes_everything(records):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_search")
    assert found("micronucleus") == set()
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert out.getvalue().startswith("indexed 293 articles in ")
    assert found("micronucleus") == {39180124, 12209168}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table size")
def test_rebuild_search_index_leaves_the_table_its_size(records):
    """A new table, not the old one emptied: deleting its rows within the rebuild left their
    space unused, and the rows written again went after it."""

    def size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('articles_search')")
            return cursor.fetchone()[0]

    call_command("rebuild_search_index", stdout=io.StringIO())
    once = size()

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert size() == once
    assert found("micronucleus") == {39180124, 12209168}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own table")
def test_rebuild_search_index_lets_searches_run_meanwhile(records, monkeypatch):
    """A new table is filled beside the live one: another connection's search, made while
    the rebuild is writing, finds the live rows without waiting."""
    import psycopg

    from articles.search import index

    seen = []
    load = index.load_documents

    def load_and_search(cursor, pmids):
        if not seen:
            with psycopg.connect(**connection.get_connection_params()) as other:
                other.execute("SET lock_timeout = '2s'")
                query = "SELECT rowid FROM articles_search WHERE document @@ 'micronucleus'"
                seen.append(sorted(row[0] for row in other.execute(query)))
        return load(cursor, pmids)

    monkeypatch.setattr(index, "load_documents", load_and_search)

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert seen == [[12209168, 39180124]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'articles_search%%' "
            "ORDER BY indexname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "articles_search_aff_gin",
            "articles_search_date",
            "articles_search_doc_gin",
            "articles_search_pkey",
        ]
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'articles_search'::regclass")
        assert cursor.fetchone()[0] == ["toast_tuple_target=8160"]
    assert found("micronucleus") == {39180124, 12209168}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="FTS5 keeps its own storage")
def test_postgresql_keeps_the_tsvectors_in_their_rows(db):
    """Migrations 0007 and 0009: a hit is tested and ranked without a TOAST lookup, and
    unpacked only when its row outgrew a page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage, attcompression FROM pg_attribute "
            "WHERE attrelid = 'articles_search'::regclass AND attname IN "
            "('document', 'affiliations') ORDER BY attname"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        lz4 = "l" if "lz4" in cursor.fetchone()[0] else ""  # servers built without lz4: pglz
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'articles_search'::regclass")
        options = cursor.fetchone()[0]
    assert rows == [("affiliations", "m", lz4), ("document", "m", lz4)]
    assert options == ["toast_tuple_target=8160"]


def _stored_document(pmid: int) -> tuple[int, str | None]:
    """The stored size in bytes of an index row's tsvector, and its compression (None)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(document), pg_column_compression(document) "
            "FROM articles_search WHERE rowid = %s",
            [pmid],
        )
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="FTS5 keeps its own storage")
def test_postgresql_compresses_only_a_tsvector_past_a_page(records):
    """PMID 12748680's abstract and concepts make a 6,096-byte tsvector, which the default 2 kB
    threshold compressed; PMID 27454254's (hundreds of authors) outgrows a page, so it is
    still compressed."""
    assert _stored_document(12748680) == (6096, None)
    assert _stored_document(27454254)[1] in ("lz4", "pglz")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE pg_column_size(document) > 2048), "
            "ARRAY_AGG(rowid ORDER BY rowid) FILTER "
            "(WHERE pg_column_compression(document) IS NOT NULL) FROM articles_search"
        )
        # Of the 293 rows, 237 hold over 2 kB of words and concepts; two hold over a page.
        assert cursor.fetchone() == (237, [12209194, 27454254])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_migration_0009_unpacks_the_rows_compressed_before_it(records):
    import importlib

    migration = importlib.import_module("articles.migrations.0009_search_uncompressed")
    with connection.cursor() as cursor:  # as before 0009: compressed past 2 kB
        cursor.execute("ALTER TABLE articles_search RESET (toast_tuple_target)")
        cursor.execute(
            "UPDATE articles_search SET document = document || ''::tsvector WHERE rowid = 12748680"
        )
    packed = _stored_document(12748680)
    with connection.schema_editor() as editor:
        migration.uncompress(None, editor)

    assert packed[1] is not None and packed[0] < 6096
    assert _stored_document(12748680) == (6096, None)
    assert found("micronucleus") == {39180124, 12209168}  # the indexes built again


def test_the_largest_window_is_that_of_the_fewest_hits_bounded():
    from articles.search.backends import largest_window

    # 1.1 * sqrt(10,001 * 1,000,000 / 0.08) + 1% of the rows.
    assert largest_window(1_000_000, 10_001) == pytest.approx(398_928.17, abs=0.01)
    assert largest_window(293, 10_001) == pytest.approx(6_660.31, abs=0.01)


def test_the_recent_index_is_sized_for_the_matches_the_list_reads():
    from articles.browse.facets import CAP
    from articles.search.backends import RANK_LIMIT

    # The list ranks its first CAP + 1 matches; a recent index sized for fewer would miss
    # the older end of the window, and one sized for more would be larger than it needs.
    assert RANK_LIMIT == CAP + 1 == 10_001


def _recent_start() -> int | None:
    from articles.search.backends import PostgresBackend

    with connection.cursor() as cursor:
        return PostgresBackend().recent_start(cursor)


def _newest_rowid(rank: int) -> int:
    """The PMID of the ``rank``-th newest index row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM articles_search ORDER BY rowid DESC OFFSET %s LIMIT 1", [rank - 1]
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_a_small_index_has_no_index_of_its_newest_rows(records):
    from articles.search.backends import PostgresBackend

    backend = PostgresBackend()

    assert backend.recent_rows(1_000_000) == 398_929
    # From 630,010 rows the largest window is at most half of them.
    assert backend.recent_rows(630_010) == 315_005
    assert backend.recent_rows(630_009) is None
    assert backend.recent_rows(293) is None
    assert _recent_start() is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_the_recent_index_starts_at_the_newest_rows_the_largest_window_holds(records, monkeypatch):
    from articles.browse.sorting import SORTS
    from articles.search.first import _window_hits, best_first_pks

    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 200)
    _hits, rats = asked(m.Article.objects.visible(), "rats")
    order = SORTS["relevance"].keys
    before = best_first_pks(rats, order, 5)
    monkeypatch.setattr(
        "articles.search.backends.PostgresBackend.recent_rows", lambda self, indexed: 100
    )

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert _recent_start() == _newest_rowid(100) == 16326050
    with connection.cursor() as cursor:
        # On 293 analyzed rows any index serves a window as well as another, so the others
        # are dropped (rolled back with the test): what is shown is that the window's
        # condition lets the planner use the recent index (at 1,000,000 it chooses it).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("DROP INDEX articles_search_doc_gin")
        cursor.execute("ALTER TABLE articles_search DROP CONSTRAINT articles_search_pkey")
        window = _window_hits(rats.plan.match, _newest_rowid(50))
        cursor.execute("EXPLAIN " + str(window.values("pk").query))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "articles_search_recent_gin" in plan
    assert best_first_pks(rats, order, 5) == before  # the same newest hits, ranked alike
    assert before == ([33166671, 39180124, 35810816, 38056127, 32540476], True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_keep_recent_moves_the_index_once_it_holds_over_twice_its_rows(records, monkeypatch):
    from articles.search.backends import PostgresBackend
    from articles.search.index import keep_recent

    wanted = {"rows": 100}
    monkeypatch.setattr(
        "articles.search.backends.PostgresBackend.recent_rows",
        lambda self, indexed: wanted["rows"],
    )
    with connection.cursor() as cursor:
        PostgresBackend().place_recent(cursor)
    assert _recent_start() == _newest_rowid(100)

    wanted["rows"] = 50  # the index holds 100, not over twice 50
    assert keep_recent() is None
    wanted["rows"] = 49
    moved = keep_recent()

    assert _recent_start() == _newest_rowid(49) == 29474903
    assert re.fullmatch(
        r"search index: the recent index holds the newest 49 of 293 rows, from PMID 29474903 "
        r"\(\d+\.\d s\)",
        moved,
    )
    wanted["rows"] = None  # the index shrank below wanting one
    assert keep_recent().startswith("search index: dropped the recent index (293 rows)")
    assert _recent_start() is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_migration_0010_builds_the_recent_index_and_its_reverse_drops_it(records, monkeypatch):
    import importlib

    migration = importlib.import_module("articles.migrations.0010_search_recent_index")
    # Its own frozen sizing, not the search code's: 293 rows want no index of their own.
    assert migration.recent_rows(293) is None
    assert migration.recent_rows(1_000_000) == 398_929
    monkeypatch.setattr(migration, "recent_rows", lambda indexed: 100)

    with connection.schema_editor() as editor:
        migration.place(None, editor)
    assert _recent_start() == 16326050
    with connection.schema_editor() as editor:
        migration.drop(None, editor)
    assert _recent_start() is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite never asks the planner")
def test_estimated_rows_is_the_planners_guess_at_the_match_count(records):
    from articles.search.first import estimated_rows

    hits = search(m.Article.objects.visible(), "micronucleus").queryset

    assert hits.count() == 2  # PMIDs 39180124 and 12209168
    assert 1 <= estimated_rows(hits) < 293


@pytest.mark.parametrize(
    ("query", "trusted"),
    [
        ("micronucleus", True),
        ('"liver micronucleus" OR rats[tiab]', True),
        ("micronucleus[ti]", False),  # the estimate counts the word anywhere
        ("Suzuki Y[au]", False),
        ("micronucleus AND review[pt]", False),  # structured tags: guessed at, often 50%
        ("micronucleus NOT 1990:2000[dp]", False),
    ],
)
def test_only_searches_of_plain_words_act_on_the_planners_estimate(records, query, trusted):
    assert search(m.Article.objects.visible(), query).plan.trust_estimate is trusted


def test_newest_first_sorts_a_title_search_as_the_list_does(records):
    from articles.browse.facets import NEWEST_FIRST
    from articles.search.first import newest_first

    result = search(m.Article.objects.visible(), "rats[ti]")
    hits = result.queryset
    order = newest_first(result.plan, NEWEST_FIRST)
    pmids = list(hits.order_by(*order).values_list("pmid", flat=True))

    assert len(pmids) > 5
    assert pmids == list(hits.order_by(*NEWEST_FIRST).values_list("pmid", flat=True))
    # On PostgreSQL by an expression the date index cannot give (the estimate of a title
    # word is the word's anywhere); on SQLite as it was.
    assert (order == NEWEST_FIRST) is (connection.vendor == "sqlite")


def test_newest_first_leaves_a_plain_word_to_the_planner(records):
    from articles.browse.facets import NEWEST_FIRST
    from articles.search.first import newest_first

    plan = search(m.Article.objects.visible(), "rats").plan

    assert newest_first(plan, NEWEST_FIRST) == NEWEST_FIRST


def test_newest_pks_of_a_title_search_come_from_its_hits_on_postgresql(records):
    from articles.browse.facets import NEWEST_FIRST
    from articles.search.first import newest_pks

    _hits, titled = asked(m.Article.objects.visible(), "rats[ti]")
    _hits, tagged = asked(m.Article.objects.visible(), "rats AND review[pt]")

    pmids = newest_pks(titled, NEWEST_FIRST, 5)

    if connection.vendor == "sqlite":  # left to its planner, which sorts the hits
        assert pmids is None
    else:  # 70 titles with "rats"; the five newest
        assert pmids == [39180124, 35810816, 33166671, 31262386, 30826316]
    assert newest_pks(tagged, NEWEST_FIRST, 5) is None  # left to the planner


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite never asks the planner")
def test_bounding_asks_the_planner_unless_a_word_is_for_titles_or_authors(
    records, django_assert_num_queries
):
    from articles.search.first import bounding_estimate

    _hits, titled = asked(m.Article.objects.visible(), "micronucleus[ti]")
    _hits, plain = asked(m.Article.objects.visible(), "micronucleus")
    _hits, tagged = asked(m.Article.objects.visible(), "micronucleus AND review[pt]")

    with django_assert_num_queries(0):
        assert bounding_estimate(titled, 5) is None
    with django_assert_num_queries(1):  # its EXPLAIN: a few rows, fewer than 10,001
        assert bounding_estimate(plain, 10_001) is None
    with django_assert_num_queries(1):
        assert bounding_estimate(tagged, 10_001) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite never asks the planner")
def test_a_plain_search_is_estimated_over_the_index_rows_alone(records, monkeypatch):
    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    explained = []

    def estimate(queryset):
        explained.append(str(queryset.query))
        return 2

    monkeypatch.setattr("articles.search.first.estimated_rows", estimate)
    order = SORTS["relevance"].keys
    _hits, plain = asked(m.Article.objects.visible().public(), "micronucleus", scope=Scope.PUBLIC)
    since_1900 = m.Article.objects.visible().filter(pub_year__gte=1900)
    _hits, dated = asked(since_1900, "micronucleus", filters=since_1900)

    assert best_first_pks(plain, order, 5) == ([39180124, 12209168], False)
    assert best_first_pks(dated, order, 5) == ([39180124, 12209168], False)
    assert ["articles_article" in sql for sql in explained] == [False, True]
    assert "articles_curation" not in explained[0]  # nor the public list's exclusions


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_a_window_far_short_of_the_estimate_gives_up_and_ranks_every_match(records, monkeypatch):
    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    # The planner expects 1,000 matches of 293 rows, so the first window is the newest 7 or
    # so; none of the ten newest is a rats review.
    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 1000)
    order = SORTS["relevance"].keys
    hits, reviews = asked(m.Article.objects.visible(), "rats AND review[pt]")
    newest = m.SearchDocument.objects.order_by("-pk").values_list("pk", flat=True)[:10]
    assert not hits.filter(pk__in=list(newest)).exists()

    pmids, bounded = best_first_pks(reviews, order, 5)

    # 17 reviews mention rats: a window grown to hold five would have said "bounded".
    assert hits.count() == 17
    assert bounded is False
    assert pmids == list(hits.order_by(*order).values_list("pk", flat=True)[:5])
    assert set(pmids) <= set(REVIEWS)


def test_stopwords_among_other_words_are_not_searched(records):
    # PMID 598790 has no abstract, and its title ("Short-term toxicity study of
    # di-(2-ethylhexyl) phthalate in rats.") no "the": searching "the" would lose it.
    expected = {598790, 1473784, 3303446, 12209194}

    assert found("short-term toxicity study of the rats") == expected
    assert found("short-term toxicity study rats") == expected


def test_past_the_limit_best_match_ranks_the_newest_matches_that_pass_the_filters(
    records, monkeypatch
):
    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    # PostgreSQL bounds when its planner expects many more matches than the limit; with 293
    # records it expects a few (estimated_rows has its own test).
    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 1000)
    order = SORTS["relevance"].keys
    since_2000 = m.Article.objects.visible().filter(pub_year__gte=2000)
    hits, rats = asked(since_2000, "rats", filters=since_2000)

    pmids, bounded = best_first_pks(rats, order, 5)

    # "rats" since 2000: 72 of its 201 matches; the five most recently added to PubMed.
    newest = {39180124, 38056127, 35810816, 33166671, 32540476}
    assert hits.count() == 72
    assert bounded is True
    assert set(pmids) == newest
    assert pmids == list(hits.filter(pk__in=newest).order_by(*order).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_bounded_best_match_leaves_index_scans_enabled(records, monkeypatch):
    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 1000)
    _hits, rats = asked(m.Article.objects.visible(), "rats")

    assert best_first_pks(rats, SORTS["relevance"].keys, 5)[1] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_window_start_holds_at_least_the_newest_rows_asked_for(records):
    from articles.search.first import _window_start

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_search")  # the histogram of PMIDs it reads
    indexed = m.SearchDocument.objects.count()

    start = _window_start(146, indexed)

    assert indexed == 293
    # A PMID boundary per 1% of the rows, taken on the wide side: 146 to 149 rows.
    assert 146 <= m.SearchDocument.objects.filter(pk__gte=start).count() <= 149
    assert _window_start(293, indexed) is None  # the whole index


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_window_start_before_any_analyze_counts_the_newest_rows(records, monkeypatch):
    from articles.search.first import _window_start

    monkeypatch.setattr("articles.search.first._pmid_histogram", lambda: [])

    start = _window_start(146, 293)

    assert m.SearchDocument.objects.filter(pk__gte=start).count() == 147
    assert _window_start(292, 293) == 99598  # the oldest: PMID 99598 is the 293rd newest


def test_without_the_text_match_a_search_keeps_its_other_conditions(records):
    since_2000 = m.Article.objects.visible().filter(pub_year__gte=2000)
    hits, rats = asked(since_2000, "rats", filters=since_2000)
    _hits, reviews = asked(since_2000, "rats AND review[pt]", filters=since_2000)

    assert rats.others.count() == 143  # every article since 2000, with "rats" or not
    assert "articles_search" not in str(rats.others.query)
    assert hits.count() == rats.hits.count() == 72
    # The reviews since 2000, with "rats" or not: the query's own condition is kept.
    reviewed = since_2000.filter(article_publication_types__publication_type__name="Review")
    assert reviews.others.count() == reviewed.count() == 11


def test_rows_sorted_as_sql_put_nulls_last_ascending_and_first_descending():
    from operator import itemgetter

    from articles.search.first import _sorted_as_sql

    rows = [(1, None), (2, 5), (3, 3), (4, None), (5, 5)]

    assert _sorted_as_sql(rows, itemgetter(1), descending=False) == [
        (3, 3),
        (2, 5),
        (5, 5),
        (1, None),
        (4, None),
    ]
    assert _sorted_as_sql(rows, itemgetter(1), descending=True) == [
        (1, None),
        (4, None),
        (2, 5),
        (5, 5),
        (3, 3),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_each_index_row_carries_its_articles_publication_date(records):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(s.pub_date), "
            "COUNT(*) FILTER (WHERE s.pub_date IS DISTINCT FROM a.pub_date) "
            "FROM articles_search s JOIN articles_article a ON a.pmid = s.rowid"
        )
        rows, dated, differing = cursor.fetchone()
        cursor.execute("SELECT pub_date FROM articles_search WHERE rowid = 39180124")
        (date,) = cursor.fetchone()

    assert (rows, differing) == (293, 0)
    assert dated == m.Article.objects.visible().exclude(pub_date=None).count()
    assert date == m.Article.objects.get(pk=39180124).pub_date


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL's index rows")
def test_migration_0008_dates_the_rows_indexed_before_it(records):
    import importlib

    migration = importlib.import_module("articles.migrations.0008_search_pub_date")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_search SET pub_date = NULL")
    with connection.schema_editor() as editor:
        migration.add_pub_date(None, editor)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pub_date FROM articles_search WHERE rowid = 39180124")
        assert cursor.fetchone()[0] == m.Article.objects.get(pk=39180124).pub_date


def test_only_visible_or_public_articles_are_answered_from_the_index_rows(records):
    everything = m.SearchDocument.objects.count()
    public = Scope.PUBLIC.index_rows()
    m.Curation.objects.create(article_id=39180124, status=m.Curation.Status.EXCLUDED)
    m.BlockedPMID.objects.create(pmid=38056127)
    since_2000 = m.Article.objects.visible().filter(pub_year__gte=2000)

    assert Scope.VISIBLE.index_rows().count() == everything == 293
    assert public.count() == 291  # less the excluded and the blocklisted article
    assert not public.filter(pk__in=[39180124, 38056127]).exists()
    assert asked(m.Article.objects.visible(), "rats")[1].rows.count() == 293
    # A filter, or a condition of the query's own, asks what the index rows cannot say.
    assert asked(since_2000, "rats", filters=since_2000)[1].rows is None
    assert asked(m.Article.objects.visible(), "rats AND review[pt]")[1].rows is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
@pytest.mark.parametrize("order_name", ["relevance", "pubdate"])
@pytest.mark.parametrize("estimate", [150, 0])  # a window of recent rows; every hit
def test_the_public_lists_search_leaves_out_excluded_and_blocklisted_articles(
    records, monkeypatch, order_name, estimate
):
    from django.test.utils import CaptureQueriesContext

    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks, newest_pks

    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: estimate)
    m.Curation.objects.create(article_id=39180124, status=m.Curation.Status.EXCLUDED)
    m.BlockedPMID.objects.create(pmid=35810816)
    order = SORTS[order_name].keys
    hits, rats = asked(m.Article.objects.visible().public(), "rats", scope=Scope.PUBLIC)

    with CaptureQueriesContext(connection) as queries:
        if order_name == "relevance":
            pmids, bounded = best_first_pks(rats, order, 20)
        else:
            pmids, bounded = newest_pks(rats, order, 20), False

    # 199 of the 201 "rats" are public; bounded, best match ranks the newest 20 of them.
    assert hits.count() == 199
    assert bounded is (estimate > 0 and order_name == "relevance")
    newest = list(hits.order_by("-pk").values_list("pk", flat=True)[:20])
    within = hits.filter(pk__in=newest) if bounded else hits
    assert pmids == list(within.order_by(*order).values_list("pk", flat=True)[:20])
    assert not {39180124, 35810816} & set(pmids)
    assert not any("articles_article" in query["sql"] for query in queries.captured_queries)
    reads = [query["sql"] for query in queries.captured_queries if "@@" in query["sql"]]
    assert all("articles_curation" in sql and "articles_blockedpmid" in sql for sql in reads)


@pytest.mark.parametrize("query", ["rats", '"drinking water"', "rats NOT mice", "rat*"])
def test_best_match_without_filters_is_the_order_of_the_articles_own_query(records, query):
    from django.test.utils import CaptureQueriesContext

    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    order = SORTS["relevance"].keys
    hits, searched = asked(m.Article.objects.visible(), query)
    expected = list(hits.order_by(*order).values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        pmids, bounded = best_first_pks(searched, order, 10_001)

    assert (pmids, bounded) == (expected, False)
    ranking = queries.captured_queries[-1]["sql"]
    # PostgreSQL ranks and sorts the index rows alone; SQLite joins its FTS5 table.
    assert ("articles_article" in ranking) is (connection.vendor == "sqlite")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_bounded_best_match_without_filters_reads_no_article(records, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from articles.browse.sorting import SORTS
    from articles.search.first import best_first_pks

    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 1000)
    order = SORTS["relevance"].keys
    hits, rats = asked(m.Article.objects.visible(), "rats")

    with CaptureQueriesContext(connection) as queries:
        pmids, bounded = best_first_pks(rats, order, 5)

    # "rats": 201 matches; the five most recently added to PubMed, in the articles' order.
    newest = [39180124, 38056127, 35810816, 33166671, 32540476]
    assert hits.count() == 201
    assert bounded is True
    assert pmids == list(hits.filter(pk__in=newest).order_by(*order).values_list("pk", flat=True))
    assert not any("articles_article" in query["sql"] for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_a_window_of_index_rows_too_small_grows_to_the_newest_matches(records, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from articles.browse.sorting import SORTS
    from articles.search import first
    from articles.search.first import best_first_pks

    order = SORTS["relevance"].keys
    hits, rats = asked(m.Article.objects.visible(), "rats")
    newest = list(hits.order_by("-pk").values_list("pk", flat=True)[:20])
    # A first window holding the newest 10 "rats" of the 20 asked for (more than a quarter:
    # it grows rather than gives up); the windows after it start where the histogram says.
    starts = iter([newest[9]])
    window_start = first._window_start
    monkeypatch.setattr(
        first, "_window_start", lambda *args: next(starts, None) or window_start(*args)
    )
    monkeypatch.setattr(first, "estimated_rows", lambda queryset: 1000)

    with CaptureQueriesContext(connection) as queries:
        pmids, bounded = best_first_pks(rats, order, 20)

    windows = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    starts = [int(re.search(r'"rowid" >= (\d+)', sql).group(1)) for sql in windows]
    # Each window is read whole, from a lower PMID, until one holds 20.
    assert starts == sorted(starts, reverse=True) and len(set(starts)) == len(starts) >= 2
    assert starts[0] == newest[9]
    assert not any('"rowid" <' in sql for sql in windows)
    assert bounded is True
    assert pmids == list(hits.filter(pk__in=newest).order_by(*order).values_list("pk", flat=True))
    assert newest[:3] == [39180124, 38056127, 35810816]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_a_first_window_of_index_rows_far_too_small_ranks_every_match(records, monkeypatch):
    from articles.browse.sorting import SORTS
    from articles.search import first
    from articles.search.first import best_first_pks

    order = SORTS["relevance"].keys
    hits, rats = asked(m.Article.objects.visible(), "rats")
    newest = list(hits.order_by("-pk").values_list("pk", flat=True)[:3])
    monkeypatch.setattr(first, "_window_start", lambda *args: newest[2])  # 3 of 20
    monkeypatch.setattr(first, "estimated_rows", lambda queryset: 1000)

    pmids, bounded = best_first_pks(rats, order, 20)

    assert bounded is False
    assert pmids == list(hits.order_by(*order).values_list("pk", flat=True)[:20])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_newest_first_without_filters_comes_from_a_window_of_recent_index_rows(
    records, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    from articles.browse.facets import NEWEST_FIRST
    from articles.search.first import newest_pks

    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_search")
    hits, rats = asked(m.Article.objects.visible(), "rats")

    with CaptureQueriesContext(connection) as queries:
        pmids = newest_pks(rats, NEWEST_FIRST, 20)

    assert pmids == list(hits.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:20])
    assert pmids[:3] == [39180124, 38056127, 35810816]
    windows = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    # Sized for 20 of 60 expected among 293 rows: the 107 most recent, which hold them.
    assert len(windows) == 1 and "pub_date >= '" in windows[0]
    assert not any("articles_article" in query["sql"] for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_date_window_start_holds_at_least_the_most_recent_rows_asked_for(records, monkeypatch):
    from articles.search import first

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_search")

    def recent(start) -> int:
        where = "pub_date >= %s OR pub_date IS NULL"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM articles_search WHERE {where}", [start])
            return cursor.fetchone()[0]

    # From the most common dates and the histogram of the others: 146 rows from 1999-11-01.
    assert 146 <= recent(first._date_window_start(146, 293)) <= 149
    assert 60 <= recent(first._date_window_start(60, 293)) <= 66
    assert first._date_window_start(293, 293) is None  # the whole index
    # Before any ANALYZE, the date index is read: the 147th most recent date and every tie.
    monkeypatch.setattr(first, "_date_stats", lambda: None)
    assert 147 <= recent(first._date_window_start(146, 293)) <= 149


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
@pytest.mark.parametrize(
    ("first_start", "grown"),
    [
        ("2019-05-01", True),  # 10 "rats" of the 20 asked for: a larger window
        ("2022-11-01", False),  # 3: far too few, so every hit is sorted
    ],
)
def test_a_date_window_too_small_grows_or_gives_way_to_every_hit(
    records, monkeypatch, first_start, grown
):
    from datetime import date

    from django.test.utils import CaptureQueriesContext

    from articles.browse.facets import NEWEST_FIRST
    from articles.search import first
    from articles.search.first import newest_pks

    starts = iter([date.fromisoformat(first_start)])
    window_start = first._date_window_start
    monkeypatch.setattr(
        first, "_date_window_start", lambda *args: next(starts, None) or window_start(*args)
    )
    monkeypatch.setattr(first, "estimated_rows", lambda queryset: 60)
    hits, rats = asked(m.Article.objects.visible(), "rats")

    with CaptureQueriesContext(connection) as queries:
        pmids = newest_pks(rats, NEWEST_FIRST, 20)

    assert pmids == list(hits.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:20])
    read = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    assert len(read) == 2
    assert f"pub_date >= '{first_start}'" in read[0]
    assert ("pub_date >= " in read[1]) is grown
