"""Re-derive the rows ingest derives from a record (ArticleConcept, CaseFacts) for articles
already stored, after the rules or the MeSH data change (``manage.py extract_facts``).

Each stored record is re-parsed from its XML as PubMed sent it (``ArticleSource``), so the
rows come out exactly as a fresh ingest would write them (``ingest.add_derived_rows``), and
are written by ingest's ``replace_derived_rows``. ``rederive`` is the one way in, for the
``extract_facts`` command and for anything else that re-derives stored articles.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from articles import curated
from articles import models as m
from articles.ingest.files import (
    DERIVED_TABLES,
    DERIVED_VERSION,
    add_derived_rows,
    replace_derived_rows,
)
from articles.pubmed import records as r
from articles.pubmed.parser import RawRecord, map_raw_record
from articles.search import index as search_index

CHUNK = 500


@dataclass
class DeriveStats:
    articles: int = 0
    concepts: int = 0
    facts: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"re-derived {self.articles} articles ({self.concepts} concepts, "
            f"{self.facts} case facts), failed {self.failed}"
        )


def outdated_pmids() -> list[int]:
    """Articles with no case facts, or facts and concepts from other rules
    (``ingest.DERIVED_VERSION``)."""
    current = m.CaseFacts.objects.filter(rules_version=DERIVED_VERSION).values("article_id")
    return list(
        m.Article.objects.exclude(pk__in=current).order_by("pmid").values_list("pmid", flat=True)
    )


def all_pmids() -> list[int]:
    return list(m.Article.objects.order_by("pmid").values_list("pmid", flat=True))


def rederive(pmids: Iterable[int], progress: Callable[[int], object] | None = None) -> DeriveStats:
    """Replace the derived rows of these articles, one transaction per chunk of 500;
    ``progress`` is told how many PMIDs each chunk took."""
    stats = DeriveStats()
    for chunk in _chunks(list(pmids)):
        tables: dict[str, list[tuple]] = {t: [] for t in DERIVED_TABLES}
        done = []
        stored = set(m.Article.objects.filter(pmid__in=chunk).values_list("pmid", flat=True))
        sources = m.ArticleSource.objects.filter(article_id__in=chunk).order_by("article_id")
        for pmid, xml in sources.values_list("article_id", "xml").iterator(chunk_size=CHUNK):
            item = map_raw_record(RawRecord(f"PMID {pmid}", 1, 1, zlib.decompress(xml)))
            if not isinstance(item, r.Article):
                stats.failed += 1
                stats.problems.append(f"PMID {pmid}: the stored XML cannot be read: {item}")
                continue
            add_derived_rows(tables, item)
            done.append(pmid)
        for pmid in sorted(set(chunk) - set(done) - {p for p in chunk if _failed(stats, p)}):
            stats.failed += 1
            stats.problems.append(
                f"PMID {pmid}: its XML was not kept (ingested with CASEBOOK_KEEP_SOURCE_XML=0); "
                "ingest its file again"
                if pmid in stored
                else f"PMID {pmid}: not stored"
            )
        with transaction.atomic():
            replace_derived_rows(done, tables)
            curated.apply(done)  # curators' fact and concept corrections, laid over again
            search_index.refresh(done)  # the index holds each article's concepts
        stats.articles += len(done)
        stats.concepts += len(tables["articleconcept"])
        stats.facts += len(tables["casefacts"])
        if progress is not None:
            progress(len(chunk))
    return stats


def _failed(stats: DeriveStats, pmid: int) -> bool:
    return any(problem.startswith(f"PMID {pmid}:") for problem in stats.problems)


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
