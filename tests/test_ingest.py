"""articles.ingest.files: records in, rows out, idempotent and all-or-nothing per article."""

import dataclasses
import datetime
import gc
import gzip
import itertools
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from articles import models as m
from articles.ingest import files as ingest
from articles.ingest.files import ingest_files, ingest_records
from articles.pubmed.parser import parse
from articles.pubmed.records import Article, Deletion
from articles.search.index import rebuild

FIXTURES = Path(__file__).parent / "fixtures"
HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"
EXCERPT_1298 = FIXTURES / "pubmed21n1298_excerpt_34.xml.gz"

pytestmark = pytest.mark.django_db


def records(path: Path, *pmids: int) -> list:
    items = list(parse(path))
    if pmids:
        items = [item for item in items if isinstance(item, Article) and item.pmid in pmids]
    return items


def row_counts() -> dict[str, int]:
    tables = [
        m.Article,
        m.Author,
        m.Affiliation,
        m.AbstractSection,
        m.MeshHeading,
        m.MeshHeadingQualifier,
        m.ArticlePublicationType,
        m.Substance,
        m.Keyword,
        m.Grant,
        m.ArticleId,
        m.Reference,
        m.CommentCorrection,
        m.SupplementaryConcept,
    ]
    return {model.__name__: model.objects.count() for model in tables}


def test_it_creates_every_record_of_a_file():
    stats = ingest_files([HAWC_259])

    assert stats.summary() == "created 259, updated 0, unchanged 0, deleted 0, failed 0"
    assert m.Article.objects.count() == 259


def test_it_stores_the_structured_abstract_and_affiliations_of_pmid_21813367():
    ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])

    article = m.Article.objects.get(pmid=21813367)
    assert list(article.abstract_sections.values_list("label", "nlm_category")) == [
        ("BACKGROUND", "BACKGROUND"),
        ("OBJECTIVES", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert article.has_abstract is True
    assert article.journal.key == "nlm:0330411"
    assert article.source_xml_text().startswith("<PubmedArticle>")
    assert '<PMID Version="1">21813367</PMID>' in article.source_xml_text()


def test_it_keeps_the_record_xml_compressed_apart_from_the_article_pmid_21813367():
    ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])

    xml = m.ArticleSource.objects.get(article_id=21813367).text()
    stored = len(m.ArticleSource.objects.get(article_id=21813367).xml)
    assert xml == m.Article.objects.get(pmid=21813367).source_xml_text()
    assert (len(xml.encode()), stored) == (20525, 7055)


def test_it_keeps_no_record_xml_when_told_not_to(settings):
    settings.KEEP_SOURCE_XML = False

    stats = ingest_files([HAWC_259])

    assert stats.created == 259
    assert m.ArticleSource.objects.count() == 0
    assert m.Article.objects.get(pmid=7918596).source_xml_text() == ""


def search_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, * FROM articles_search ORDER BY rowid")
        return cursor.fetchall()


def test_it_indexes_new_articles_as_a_rebuild_from_their_stored_rows_would():
    # The index rows of new articles are drafted from their records in the parser processes
    # (``ingest.search_draft``); a rebuild reads the stored rows (``index.load_documents``).
    call_command("load_mesh", str(FIXTURES / "mesh_descriptors_2024_excerpt.tsv"), verbosity=0)
    ingest_files([HAWC_259, EXCERPT_1298], workers=2)
    ingested = search_rows()

    rebuild()

    assert search_rows() == ingested
    assert len(ingested) == 293
    with_concepts = [row[0] for row in ingested if "meshd" in " ".join(map(str, row))]
    assert (len(with_concepts), with_concepts[:3]) == (276, [99598, 548985, 598790])


def test_it_keeps_an_authors_affiliations_in_order_pmid_29186030():
    ingest_files([FIXTURES / "hawc_abstract_markup_29186030.xml"])

    first = m.Author.objects.get(article_id=29186030, role="author", position=0)
    assert first.last_name == "Elzaki"
    assert list(first.affiliations.values_list("text", flat=True)) == [
        "The Key Laboratory of Monitoring and Management of Plant Diseases and Insects, "
        "Department of Entomology, College of Plant Protection, Ministry of Agriculture, "
        "Nanjing Agricultural University, Nanjing 210095, China. mohammedelzaki@njau.edu.cn.",
        "College of Crop Science, Fujian Agriculture and Forestry University, Fuzhou 350002, "
        "China. mohammedelzaki@njau.edu.cn.",
    ]


def test_it_stores_mesh_qualifiers_with_their_major_flags_pmid_29186030():
    ingest_files([FIXTURES / "hawc_abstract_markup_29186030.xml"])

    heading = m.MeshHeading.objects.get(article_id=29186030, descriptor_id="D003577")
    assert heading.descriptor.name == "Cytochrome P-450 Enzyme System"
    assert heading.major is False
    assert list(heading.qualifiers.values_list("qualifier_id", "qualifier__name", "major")) == [
        ("Q000378", "metabolism", True)
    ]


def test_it_changes_nothing_when_the_same_file_is_ingested_again():
    ingest_files([HAWC_259])
    before = row_counts()
    changed_at = dict(m.Article.objects.values_list("pmid", "last_changed_at"))

    stats = ingest_files([HAWC_259])

    assert stats.summary() == "created 0, updated 0, unchanged 259, deleted 0, failed 0"
    assert row_counts() == before
    assert dict(m.Article.objects.values_list("pmid", "last_changed_at")) == changed_at


def test_it_replaces_an_older_version_with_a_newer_one():
    (v1,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    v2 = dataclasses.replace(v1, version=2, title="Revised title", xml=v1.xml + b" ")
    ingest_records([v1])

    stats = ingest_records([v2])

    assert (stats.updated, stats.created) == (1, 0)
    article = m.Article.objects.get(pmid=21860499)
    assert (article.version, article.title) == (2, "Revised title")
    assert m.Author.objects.filter(article=article).count() == len(v1.authors)


def test_it_never_lets_an_older_version_overwrite_a_newer_one():
    (v1,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    v2 = dataclasses.replace(v1, version=2, title="Revised title", xml=v1.xml + b" ")
    ingest_records([v2])

    stats = ingest_records([v1])

    assert stats.summary() == (
        "created 0, updated 0, unchanged 0, deleted 0, failed 0 (1 older versions ignored)"
    )
    assert m.Article.objects.get(pmid=21860499).title == "Revised title"


def test_it_keeps_the_highest_version_when_one_batch_repeats_a_pmid():
    (v1,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    versions = [dataclasses.replace(v1, version=n, xml=v1.xml + b" " * n) for n in (1, 3, 2)]

    stats = ingest_records(versions)

    assert (stats.created, stats.older) == (1, 2)
    assert m.Article.objects.get(pmid=21860499).version == 3


def test_it_hides_a_deleted_citation_and_keeps_its_tombstone_and_curation():
    (article,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    ingest_records([article])
    m.Curation.objects.create(article_id=21860499, status="included", notes="Key series")

    stats = ingest_records([Deletion((21860499, 99999999))])

    assert stats.deleted == 2
    assert not m.Article.objects.visible().filter(pmid=21860499).exists()
    assert m.Article.objects.get(pmid=21860499).deleted_at is not None
    assert set(m.DeletedCitation.objects.values_list("pmid", flat=True)) == {21860499, 99999999}
    assert m.Curation.objects.get(article_id=21860499).notes == "Key series"


def test_it_counts_a_repeated_deletion_once():
    ingest_records([Deletion((21860499,))])

    stats = ingest_records([Deletion((21860499,))])

    assert stats.deleted == 0
    assert m.DeletedCitation.objects.count() == 1


def test_it_records_the_20_deletions_of_the_pubmed21n1298_excerpt():
    stats = ingest_files([EXCERPT_1298])

    assert stats.deleted == 20
    assert m.DeletedCitation.objects.filter(pmid=31688362).exists()


def test_it_links_a_reference_to_an_article_ingested_later():
    # PMID 2863135 cites PMID 6872148; both are in the hawc 259-record efetch.
    ingest_records(records(HAWC_259, 2863135))
    reference = m.Reference.objects.get(article_id=2863135, cited_id=6872148)
    assert not m.Article.objects.filter(pmid=6872148).exists()

    ingest_records(records(HAWC_259, 6872148))

    reference.refresh_from_db()
    assert reference.cited.pmid == 6872148
    assert list(
        m.Article.objects.get(pmid=6872148).cited_by.values_list("article_id", flat=True)
    ) == [2863135]


def test_it_links_a_retraction_notice_both_ways_pmid_27602157():
    ingest_files([EXCERPT_1298])

    retracted = m.Article.objects.get(pmid=27602157)
    assert retracted.is_retracted is True
    notice = retracted.comments_corrections.get(ref_type="RetractionIn")
    assert notice.target.pmid == 34093767
    assert (
        m.CommentCorrection.objects.get(article_id=34093767, ref_type="RetractionOf").target_id
        == 27602157
    )


def test_it_leaves_no_half_written_article_when_a_batch_crashes(monkeypatch):
    real_insert = ingest._insert

    def crash_on_references(cursor, model, columns, rows):
        if model is m.Reference:
            raise RuntimeError("power cut")
        real_insert(cursor, model, columns, rows)

    monkeypatch.setattr(ingest, "_insert", crash_on_references)

    with pytest.raises(RuntimeError, match="power cut"):
        ingest_files([HAWC_259], batch_size=50)

    assert set(row_counts().values()) == {0}


def test_it_stores_the_rest_of_a_batch_when_the_database_refuses_one_record(monkeypatch):
    real_write = ingest.Writer._write

    def refuse_pmid(self, segment, stats, only=None):
        if 2863135 in (only or {pmid for pmid, *_ in segment.articles}):
            raise DatabaseError("value too long for type character varying(20)")
        real_write(self, segment, stats, only)

    monkeypatch.setattr(ingest.Writer, "_write", refuse_pmid)

    stats = ingest_files([HAWC_259], batch_size=100)

    assert (stats.created, stats.failed) == (258, 1)
    assert stats.problems == [
        "PMID 2863135: the database refused it: value too long for type character varying(20)"
    ]
    assert not m.Article.objects.filter(pmid=2863135).exists()
    assert not m.Author.objects.filter(article_id=2863135).exists()


def test_it_reports_records_without_a_pmid_and_stores_the_others():
    path = FIXTURES / "bad_record_missing_pmid.xml"

    stats = ingest_files([path])

    assert (stats.created, stats.failed) == (3, 2)
    assert sorted(m.Article.objects.values_list("pmid", flat=True)) == [399296, 399298, 399698]
    assert stats.problems == [
        f"{path}: record 2: has no numeric PMID (found None)",
        f"{path}: record 4: has no numeric PMID (found 'not-a-number')",
    ]


def test_it_stores_the_records_before_a_truncated_file_and_says_where_it_broke():
    stats = ingest_files([FIXTURES / "bad_truncated_pubmed20n0014_excerpt.xml"])

    assert (stats.created, stats.failed) == (5, 1)
    assert sorted(m.Article.objects.values_list("pmid", flat=True)) == [
        399296,
        399297,
        399298,
        399484,
        399698,
    ]
    assert stats.problems[0].startswith(
        str(FIXTURES / "bad_truncated_pubmed20n0014_excerpt.xml") + ":556: the file ends inside"
    )


@pytest.mark.parametrize(
    "name",
    [
        "hostile_billion_laughs.xml",
        "hostile_external_entity_passwd.xml",
        "hostile_parameter_entity_passwd.xml",
        "bad_html_error_page.xml",
        "bad_empty.xml",
    ],
)
def test_it_refuses_hostile_and_bad_files_without_storing_anything(name):
    stats = ingest_files([FIXTURES / name])

    assert stats.failed == 1
    assert stats.problems[0].startswith(str(FIXTURES / name) + ": ")
    assert "root:" not in stats.problems[0]
    assert m.Article.objects.count() == 0


def test_it_writes_nothing_in_a_dry_run_but_counts_what_it_would_do():
    stats = ingest_files([HAWC_259], dry_run=True)

    assert stats.created == 259
    assert m.Article.objects.count() == 0


def test_it_stores_the_same_rows_with_parser_processes():
    ingest_files([EXCERPT_1298], workers=0)
    serial = row_counts()
    serial_titles = dict(m.Article.objects.values_list("pmid", "title"))
    m.Article.objects.all().delete()
    assert m.Author.objects.count() == 0

    stats = ingest_files([EXCERPT_1298], workers=2, batch_size=5)

    assert stats.created == 34
    assert row_counts() == serial
    assert dict(m.Article.objects.values_list("pmid", "title")) == serial_titles


def loaded_before_any_task() -> tuple[bool, int]:
    """In a parser process: whether the vocabulary was there before it mapped anything, and
    how many objects it inherited frozen from the process it was forked from."""
    return ingest._vocabulary is not None, gc.get_freeze_count()


def test_its_parser_processes_start_with_the_vocabulary_loaded_once_for_all():
    pool = ingest.parser_pool(2)
    try:
        found = [pool.submit(loaded_before_any_task).result(timeout=120) for _ in range(2)]
    finally:
        pool.shutdown()

    assert [loaded for loaded, _ in found] == [True, True]
    assert all(frozen > 0 for _, frozen in found)


# --- one bad number costs one record ----------------------------------------------------------


def change_record(data: bytes, number: int, old: bytes, new: bytes) -> bytes:
    """``data`` with the first ``old`` at or after the start of record ``number`` replaced."""
    start = -1
    for _ in range(number):
        start = data.index(b"<PubmedArticle>", start + 1)
    at = data.index(old, start)
    return data[:at] + new + data[at + len(old) :]


@pytest.mark.parametrize("workers", [0, 2])
def test_it_skips_records_with_impossible_numbers_and_goes_on_to_the_next_file(tmp_path, workers):
    # The 2020 excerpt (23 records from PMID 399296 on), its records 2 to 5 broken as the
    # issue found them, then a DeleteCitation listing "¹²".
    data = gzip.decompress((FIXTURES / "pubmed20n0014_excerpt_23.xml.gz").read_bytes())
    data = change_record(data, 2, b">399297</PMID>", ">\u00b2</PMID>".encode())
    data = change_record(data, 3, b'Version="1"', b'Version="100000000000000000000"')
    data = change_record(data, 4, b"<Year>1980<", b"<Year>100000000000000000000<")
    data = change_record(data, 5, b">399698</PMID>", b">92233720368548</PMID>")
    data = data.replace(
        b"</PubmedArticleSet>",
        '<DeleteCitation><PMID Version="1">\u00b9\u00b2</PMID><PMID Version="1">12</PMID>'
        "</DeleteCitation></PubmedArticleSet>".encode(),
    )
    bad = tmp_path / "pubmed20n0014.xml"
    bad.write_bytes(data)
    following = FIXTURES / "hawc_collective_author_21860499.xml"

    stats = ingest_files([bad, following], batch_size=10, workers=workers)

    assert stats.summary() == "created 20, updated 0, unchanged 0, deleted 1, failed 5"
    assert stats.problems == [
        f"{bad}: record 2: has no numeric PMID (found '\u00b2')",
        f"{bad}: record 3, PMID 399298: Version '100000000000000000000' is not a number from "
        "1 to 999",
        f"{bad}: record 4, PMID 399484: Year '100000000000000000000' is not a number from "
        "1,000 to 9,999",
        f"{bad}: record 5: PMID '92233720368548' is not a number from 1 to 2,147,483,647",
        f"{bad}: record 24: DeleteCitation: not PMIDs, so not deleted: '\u00b9\u00b2'",
    ]
    assert m.Article.objects.count() == 20
    assert m.Article.objects.filter(pmid=21860499).exists()
    assert list(m.DeletedCitation.objects.values_list("pmid", flat=True)) == [12]


def test_it_refuses_records_built_with_numbers_no_column_holds():
    (good,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    too_big = dataclasses.replace(good, pmid=92_233_720_368_548)
    huge_version = dataclasses.replace(good, pmid=1, version=10**20)

    stats = ingest_records([too_big, huge_version, good, Deletion((10**20, 12))])

    assert stats.summary() == "created 1, updated 0, unchanged 0, deleted 1, failed 3"
    assert stats.problems == [
        ": PMID 92233720368548: PMID 92233720368548 version 1: out of range",
        ": PMID 1: PMID 1 version 100000000000000000000: out of range",
        ": DeleteCitation PMID 100000000000000000000: out of range",
    ]
    assert m.Article.objects.get().version == 1


def test_each_batch_is_stamped_when_it_is_written(monkeypatch):
    # Saved searches' alerts take what was stored after a time: a batch written late in a run
    # must not carry the run's start time. Nine records of pubmed21n1298 in batches of four.
    ticks = iter(range(1_000))
    start = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
    monkeypatch.setattr(
        ingest.timezone, "now", lambda: start + datetime.timedelta(minutes=next(ticks))
    )

    ingest_files([FIXTURES / "pubmed21n1298_facts_9.xml.gz"], batch_size=4)

    stamps = m.Article.objects.order_by("first_ingested_at").values_list(
        "first_ingested_at", flat=True
    )
    assert [len(list(group)) for _time, group in itertools.groupby(stamps)] == [4, 4, 1]


def test_it_orders_a_row_by_the_models_columns_whatever_order_it_is_given_in():
    reference = ingest.CHILD_TABLES["reference"]

    row = reference.row(
        cited_id=27602157, article_ids="[]", citation="Ref.", position=3, article_id=1
    )

    assert reference.columns == ("article_id", "position", "citation", "article_ids", "cited_id")
    assert row == (1, 3, "Ref.", "[]", 27602157)


def test_it_refuses_a_row_that_leaves_out_a_field_or_names_one_the_model_lacks():
    keyword = ingest.CHILD_TABLES["keyword"]

    with pytest.raises(TypeError, match="text"):
        keyword.row(article_id=1, position=0, owner="NOTNLM", major=False)
    with pytest.raises(TypeError, match="weight"):
        keyword.row(article_id=1, position=0, owner="NOTNLM", major=False, text="x", weight=1)
    with pytest.raises(ValueError, match="weight"):
        ingest.table(m.Keyword, skip=["id", "weight"])


def test_it_reads_a_records_fields_by_name_pmid_21813367():
    (article,) = records(FIXTURES / "hawc_structured_abstract_21813367.xml")
    segment = ingest.Segment()

    segment.add(article, "hawc_structured_abstract_21813367.xml", 1)

    def first(name: str) -> dict:
        return dict(zip(ingest.CHILD_TABLES[name].columns, segment.tables[name][0], strict=True))

    assert first("author") == {
        "id": 2181336700000,
        "article_id": 21813367,
        "role": "author",
        "position": 0,
        "last_name": "Shin",
        "fore_name": "Hyeong-Moo",
        "initials": "HM",
        "suffix": "",
        "collective_name": "",
        "orcid": "",
        "identifiers": "[]",
        "equal_contrib": False,
        "valid": True,
    }
    assert first("meshheadingqualifier") == {
        "heading_id": 218133670000,
        "position": 0,
        "qualifier_id": "Q000097",
        "major": True,
    }
    assert first("articleid") == {
        "article_id": 21813367,
        "position": 0,
        "id_type": "pubmed",
        "value": "21813367",
        "source": "articleid",
        "valid": True,
    }
    journal = dict(zip(ingest.JOURNAL.columns, segment.journals["nlm:0330411"], strict=True))
    assert {name: journal[name] for name in ("key", "issn_print", "issn_electronic")} == {
        "key": "nlm:0330411",
        "issn_print": "",
        "issn_electronic": "1552-9924",
    }
