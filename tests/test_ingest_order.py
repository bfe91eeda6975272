"""Files applied in any order, or by two runs at once, end as in file-name order.

The fixtures are slices of two NLM files (see tests/fixtures/README.md): the 2020 baseline
file 0014 (PMIDs 399296-399307) and the 2021 update file 1298, which repeats four of them:
399297 revised at the same version, 399298 unchanged, 399301 at version 2, and 399299 in its
DeleteCitation. It also holds 30271887 at versions 1-4 and 34017925 at versions 1 and 2.
"""

import contextlib
import gzip
import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from articles import models as m
from articles.exports.records import iter_export
from articles.ingest.files import (
    IngestStats,
    Place,
    Writer,
    ingest_files,
    ingest_records,
    map_xml,
    source_key,
    store_mapped,
)
from articles.pubmed.parser import parse
from articles.pubmed.records import Deletion

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
BASELINE = FIXTURES / "pubmed20n0014_order_12.xml.gz"
UPDATE = FIXTURES / "pubmed21n1298_order_15.xml.gz"
REVISED = 399297  # same version, DateRevised 2013-11-21 in 0014, 2021-06-07 in 1298
REPEATED = 399298  # the same XML in both files
WITHDRAWN = 399299  # in 0014, and in 1298's DeleteCitation
VERSION_2 = 399301  # version 1 in 0014, version 2 in 1298

pytestmark = pytest.mark.django_db


def ingest(*paths: Path, batch_size: int = 500) -> IngestStats:
    stats = ingest_files(list(paths), batch_size=batch_size)
    assert stats.failed == 0, stats.problems
    return stats


def exported() -> list[dict]:
    """The JSON export of every article, withdrawn ones flagged, plus where each article and
    tombstone came from (which the export leaves out)."""
    articles = list(iter_export(m.Article.objects.all(), include_deleted=True))
    sources = list(m.Article.objects.order_by("pmid").values_list("pmid", "source_file"))
    tombstones = list(m.DeletedCitation.objects.order_by("pmid").values_list("pmid", "source_file"))
    return [*articles, {"sources": sources, "tombstones": tombstones}]


def clear() -> None:
    m.Article.objects.all().delete()
    m.DeletedCitation.objects.all().delete()


def in_file_name_order() -> list[dict]:
    clear()
    ingest(BASELINE, UPDATE)
    export = exported()
    clear()
    return export


def assert_file_name_order_state() -> None:
    visible = m.Article.objects.visible()
    assert visible.count() == 18
    assert list(m.Article.objects.exclude(pk__in=visible).values_list("pmid", flat=True)) == [
        WITHDRAWN
    ]
    assert m.DeletedCitation.objects.count() == 21
    revised = m.Article.objects.get(pmid=REVISED)
    assert (revised.version, str(revised.date_revised)) == (1, "2021-06-07")
    assert revised.source_file == UPDATE.name
    assert m.Article.objects.get(pmid=REPEATED).source_file == UPDATE.name
    assert m.Article.objects.get(pmid=WITHDRAWN).source_file == BASELINE.name
    versions = dict(
        m.Article.objects.filter(pmid__in=[VERSION_2, 30271887, 34017925]).values_list(
            "pmid", "version"
        )
    )
    assert versions == {VERSION_2: 2, 30271887: 4, 34017925: 2}


def test_it_counts_what_file_name_order_does():
    first = ingest(BASELINE)
    second = ingest(UPDATE)

    assert first.summary() == "created 12, updated 0, unchanged 0, deleted 0, failed 0"
    assert second.summary() == (
        "created 7, updated 2, unchanged 1, deleted 21, failed 0 (4 older versions ignored)"
    )
    assert_file_name_order_state()


def test_the_update_file_applied_first_gives_the_same_export():
    expected = in_file_name_order()

    second = ingest(UPDATE)
    first = ingest(BASELINE)

    assert exported() == expected
    assert_file_name_order_state()
    # 399299 is created hidden: the DeleteCitation came from a later file.
    assert second.summary() == (
        "created 10, updated 0, unchanged 0, deleted 21, failed 0 (4 older versions ignored)"
    )
    assert first.summary() == (
        "created 9, updated 0, unchanged 0, deleted 0, failed 0 (3 older versions ignored)"
    )


@pytest.mark.parametrize(
    "order",
    [
        (UPDATE, BASELINE, UPDATE, BASELINE),
        (BASELINE, UPDATE, BASELINE),
        (UPDATE, UPDATE, BASELINE, BASELINE),
    ],
    ids=["alternating", "baseline-again", "each-twice"],
)
def test_files_applied_again_in_any_order_and_batching_give_the_same_export(order):
    expected = in_file_name_order()

    for path in order:
        ingest(path, batch_size=2)

    assert exported() == expected
    assert_file_name_order_state()


def test_a_record_from_a_file_after_the_deletion_brings_the_article_back(tmp_path):
    # A later update file that carries 399299 again, byte for byte as 0014 has it.
    text = gzip.decompress(BASELINE.read_bytes()).decode("utf-8")
    start = text.rindex("  <PubmedArticle>", 0, text.index('<PMID Version="1">399299<'))
    end = text.index("</PubmedArticle>\n", start) + len("</PubmedArticle>\n")
    head = text[: text.index("  <PubmedArticle>")]
    later = tmp_path / "pubmed21n1300.xml"
    later.write_text(head + text[start:end] + "</PubmedArticleSet>\n", encoding="utf-8")
    assert '<PMID Version="1">399299<' in later.read_text(encoding="utf-8")
    exports = []

    for order in itertools.permutations([BASELINE, UPDATE, later]):
        clear()
        ingest(*order)
        exports.append(exported())
        article = m.Article.objects.get(pmid=WITHDRAWN)
        assert (article.deleted_at, article.source_file) == (None, later.name), order

    assert all(export == exports[0] for export in exports)
    assert m.DeletedCitation.objects.get(pmid=WITHDRAWN).source_file == UPDATE.name


def store_as(name: str, path: Path) -> IngestStats:
    """Store the records of ``path`` as a source named ``name`` (an E-utilities batch)."""
    stats = IngestStats()
    xml = gzip.decompress(path.read_bytes())
    store_mapped(map_xml(xml, name), writer=Writer(), source=name, stats=stats)
    return stats


@pytest.mark.parametrize("name", ["EFetch run 1 batch 1", "my_saved_efetch.xml"])
def test_a_fetch_or_a_file_of_ones_own_applied_after_an_nlm_file_wins(name):
    ingest(UPDATE)

    refetched = store_as(name, BASELINE)

    revised = m.Article.objects.get(pmid=REVISED)
    assert (str(revised.date_revised), revised.source_file) == ("2013-11-21", name)
    assert m.Article.objects.get(pmid=VERSION_2).version == 2  # a higher version still wins
    assert m.Article.objects.get(pmid=WITHDRAWN).deleted_at is None  # a record after it
    assert refetched.summary() == (
        "created 9, updated 1, unchanged 1, deleted 0, failed 0 (1 older versions ignored)"
    )


@pytest.mark.parametrize("name", ["EFetch run 1 batch 1", "my_saved_efetch.xml"])
def test_an_nlm_file_applied_after_a_fetch_or_a_file_of_ones_own_wins(name):
    store_as(name, BASELINE)

    update = ingest(UPDATE)

    revised = m.Article.objects.get(pmid=REVISED)
    assert (str(revised.date_revised), revised.source_file) == ("2021-06-07", UPDATE.name)
    assert m.Article.objects.get(pmid=WITHDRAWN).deleted_at is not None
    assert update.summary() == (
        "created 7, updated 2, unchanged 1, deleted 21, failed 0 (4 older versions ignored)"
    )


def test_places_rank_nlm_files_by_name_and_the_rest_as_applied():
    import datetime as dt

    applied = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
    second = dt.timedelta(seconds=1)

    def place(name: str, seconds: int, position: int = 1) -> Place:
        return Place(source_key(name, applied + seconds * second), position)

    # NLM's files among themselves: by name, whenever applied.
    assert place("pubmed21n1298.xml.gz", 9) < place("pubmed21n1300.xml.gz", 0)
    assert place("pubmed21n1300.xml.gz", 0, 5) > place("pubmed21n1300.xml.gz", 9, 4)
    assert place("slices/pubmed20n0014_order_12.xml.gz", 9) < place("pubmed21n1298.xml.gz", 0)
    # Anything else, and anything against an NLM file: by when it was applied.
    assert place("delete_29186030.xml", 2) > place("hawc_abstract_markup_29186030.xml", 1)
    assert place("EFetch run 1 batch 1", 3) > place("pubmed21n1300.xml.gz", 2)
    assert place("pubmed21n1300.xml.gz", 4) > place("EFetch run 1 batch 1", 3)
    assert place("<stdin>", 5, 1) > place("<stdin>", 4, 9)
    # Rows stored before keys existed lose to everything placed.
    assert Place("", 9) < place("pubmed20n0014.xml.gz", 0, 0)
    assert source_key("data/pubmed21n1298.xml.gz", applied) == (
        "N 2026-12-07T16:00:00.000000 pubmed21n1298.xml.gz"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_give_the_same_export_as_file_name_order():
    expected = in_file_name_order()
    settings = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}"
        ),
    )

    # Each run applies both files twice, in opposite orders, a record per transaction: the
    # same PMIDs reach the database from both at once. (Whether two writes of one PMID meet
    # is down to timing here; the next test makes them meet.)
    orders = [(BASELINE, UPDATE) * 2, (UPDATE, BASELINE) * 2]
    command = [sys.executable, "manage.py", "ingest_pubmed", "--workers", "0", "--batch-size", "1"]
    runs = [
        subprocess.Popen(
            [*command, *map(str, paths)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for paths in orders
    ]
    results = [run.communicate(timeout=300) for run in runs]

    assert [(run.returncode, err) for run, (_out, err) in zip(runs, results, strict=True)] == [
        (0, b""),
        (0, b""),
    ]
    assert exported() == expected
    assert_file_name_order_state()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_record_and_its_deletion_written_at_once_take_turns(monkeypatch):
    # Each writer, once it has read what is stored, waits for the other to read too. Without
    # the PMID's lock both would read "nothing yet": the record would be stored visible and
    # the deletion would hide nothing. With it the second waits until the first commits
    # (the barrier gives up after its timeout) and then reads what the first wrote.
    (record,) = [a for a in parse(BASELINE) if a.pmid == WITHDRAWN]
    barrier = threading.Barrier(2, timeout=2)
    read = Writer._stored

    def read_then_wait(self, cursor, pmids):
        stored = read(self, cursor, pmids)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return stored

    monkeypatch.setattr(Writer, "_stored", read_then_wait)
    problems = []

    def write(item, path: Path) -> None:
        try:
            problems.extend(ingest_records([item], source=path.name).problems)
        finally:
            connection.close()

    writers = [
        threading.Thread(target=write, args=(record, BASELINE)),
        threading.Thread(target=write, args=(Deletion((WITHDRAWN,)), UPDATE)),
    ]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)

    assert problems == []
    article = m.Article.objects.get(pmid=WITHDRAWN)
    assert (article.source_file, article.deleted_at is not None) == (BASELINE.name, True)
    assert m.DeletedCitation.objects.get(pmid=WITHDRAWN).source_file == UPDATE.name
