"""Turn parsed PubMed records into rows: the one place that knows records and models.

Idempotent upsert keyed on PMID:

- a record whose stored copy has a higher ``Version`` is ignored (update files repeat a PMID
  with versions 1..4; an older one never overwrites a newer one);
- a record with the same or a higher version replaces the stored source rows wholesale, unless
  its XML is byte-identical to what is stored ("unchanged");
- ``DeleteCitation`` hides the article (``deleted_at``) and leaves a tombstone; curation stays.

Every stored article and tombstone records where it came from (``source_key``, the record's
position in its file), so the outcome does not depend on the order files are applied in, or
on two runs applying files at the same time: see ``source_key`` and ``Writer``.

Rows are written in one transaction per batch, so a crash leaves no half-written article: on
PostgreSQL by COPY, and through staging tables where a row may be stored already
(``articles.bulk``), elsewhere by ``executemany``. A batch the database refuses is retried
record by record so one bad record is reported by PMID and the rest are stored. Curator-owned
tables are never written.

Parsing and mapping take most of the CPU, so ``ingest_files(..., workers=2)`` parses in
spawned worker processes (``map_records`` is pure: it builds the final row tuples, with child
ids derived from the PMID) while this process only writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from articles import bulk
from articles import models as m
from articles.curation import actions as curation
from articles.ingest import workers as worker_processes
from articles.pubmed import records as r
from articles.pubmed.parser import (
    MAX_VERSION,
    PubmedFileError,
    RawRecord,
    iter_raw_records,
    map_raw_items,
)
from articles.search import index as search_index
from articles.search.index import author_name, empty_draft
from articles.text import facts as case_facts
from articles.text.classify import article_concepts
from articles.text.recognise.recogniser import VERSION as RECOGNISER_VERSION
from articles.text.recognise.recogniser import recognise
from articles.text.recognise.vocabulary import Vocabulary

RETRACTED_PUBLICATION_UI = "D016441"
RETRACTION_NOTICE_TYPES = frozenset({"RetractionIn"})


@dataclass
class IngestStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # ignored: what is stored outranks it (a newer version, a later file)
    deleted: int = 0
    failed: int = 0
    records: int = 0
    skipped: int = 0  # E-utilities runs: already stored, so not fetched
    blocked: int = 0  # on the curators' blocklist: neither fetched nor written
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, failed {self.failed}"
        )
        if self.blocked:
            text += f", blocked {self.blocked}"
        if self.older:
            text += f" ({self.older} older versions ignored)"
        if self.skipped:
            text += f" ({self.skipped} already stored, not fetched)"
        return text

    def add(self, other: IngestStats) -> None:
        for counter in fields(self):
            if counter.name != "problems":
                setattr(
                    self, counter.name, getattr(self, counter.name) + getattr(other, counter.name)
                )
        self.problems.extend(other.problems)


# Surrogate keys derived from the natural ones, so a parser process can write final rows and
# a re-ingested article gets the same ids again: author = PMID * 100,000 + its index,
# MeSH heading = PMID * 10,000 + its position.
AUTHOR_ID_FACTOR = 100_000
HEADING_ID_FACTOR = 10_000


@dataclass
class Segment:
    """Rows for a run of articles, one list of row tuples per table, ready to write.

    Every row of every table leads with the article's PMID (or an id that encodes it), so rows
    of articles that turn out to be unchanged can be dropped without rebuilding anything.
    """

    # pmid, version, hash, position of the record in its file
    articles: list[tuple[int, int, str, int]] = field(default_factory=list)
    article_rows: list[list] = field(default_factory=list)  # ARTICLE's; journal as its key
    journals: dict[str, tuple] = field(default_factory=dict)  # key -> JOURNAL's row
    vocabulary: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"descriptors": {}, "qualifiers": {}, "publication_types": {}}
    )
    tables: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in CHILD_TABLES})
    # pmid -> what the search index will hold for it (``search_draft``)
    drafts: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    older: int = 0
    unchanged: int = 0
    source_file: str = ""

    def add(self, article: r.Article, source_file: str, position: int = 0) -> None:
        add_article_rows(self, article, source_file, position)


def add_article_rows(
    segment: Segment, article: r.Article, source_file: str = "", position: int = 0
) -> None:
    """Append one article's rows to a segment (pure Python; runs in parser processes).
    ``position`` is the record's place in its file (1-based), 0 when unknown."""
    if len(article.authors) >= AUTHOR_ID_FACTOR or len(article.mesh_headings) >= HEADING_ID_FACTOR:
        raise ValueError(f"PMID {article.pmid}: too many authors or MeSH headings to store")
    if not (1 <= article.pmid <= r.MAX_PMID and 1 <= article.version <= MAX_VERSION):
        # The parser refuses these; records built in Python get the same check.
        raise ValueError(f"PMID {article.pmid} version {article.version}: out of range")
    pmid = article.pmid
    pub = article.pub_date
    epub = next((d for d in article.article_dates if d.kind == "Electronic"), None)
    if epub is None and article.article_dates:
        epub = article.article_dates[0]
    is_retracted = any(
        pt.ui == RETRACTED_PUBLICATION_UI for pt in article.publication_types
    ) or any(c.ref_type in RETRACTION_NOTICE_TYPES for c in article.comments_corrections)
    journal = article.journal
    journal_key = journal.key if journal is not None and journal.key else None
    xml_hash = hashlib.blake2b(article.xml, digest_size=16).hexdigest()
    article_row = ARTICLE.row(
        pmid=article.pmid,
        version=article.version,
        kind=article.kind,
        title_html=article.title_html,
        title=article.title,
        vernacular_title=article.vernacular_title,
        journal_id=journal_key,  # the writer puts the journal's id in its place
        volume=article.volume,
        issue=article.issue,
        pagination=article.pagination,
        start_page=article.start_page,
        end_page=article.end_page,
        pub_date_raw=pub.raw,
        pub_year=pub.year,
        pub_month=pub.month,
        pub_day=pub.day,
        pub_date_precision=pub.precision,
        pub_date=_first_day(pub.year, pub.month, pub.day),
        epub_date=_first_day(epub.year, epub.month, epub.day) if epub and epub.day else None,
        citation_status=article.citation_status,
        citation_owner=article.citation_owner,
        publication_status=article.publication_status,
        languages=json.dumps(list(article.languages)),
        has_abstract=bool(article.abstract),
        abstract_copyright=article.abstract_copyright,
        other_abstracts=json.dumps([_other_abstract(o) for o in article.other_abstracts]),
        book=json.dumps(_book(article.book)) if article.book else None,
        authors_complete=article.authors_complete,
        article_dates=json.dumps([_partial(d) for d in article.article_dates]),
        history=json.dumps([_partial(d) for d in article.history]),
        date_completed=_complete_date(article.date_completed),
        date_revised=_complete_date(article.date_revised),
        citation_subsets=json.dumps(list(article.citation_subsets)),
        coi_statement=article.coi_statement,
        is_retracted=is_retracted,
        doi=article.id_of("doi"),
        pmcid=article.id_of("pmc"),
        source_hash=xml_hash,
        source_file=source_file,
        source_key="",  # the writer's to fill in: a fetch is placed by when it is stored
        source_position=position,
    )
    segment.articles.append((pmid, article.version, xml_hash, position))
    if journal is not None and journal_key:
        # The record's Journal has an attribute of each of the model's fields.
        journal_row = JOURNAL_ROW(journal, key=journal_key)
        known = segment.journals.get(journal_key)
        if known is not None:
            # Fill in, as the database upsert does: one article gives the print ISSN,
            # another the electronic one.
            journal_row = tuple(new or old for new, old in zip(journal_row, known, strict=True))
        segment.journals[journal_key] = journal_row
    segment.article_rows.append(list(article_row))
    tables = segment.tables
    if settings.KEEP_SOURCE_XML:
        # Level 1: 3.6 times smaller at a third of the CPU of the default level.
        tables["articlesource"].append(
            CHILD_TABLES["articlesource"].row(article_id=pmid, xml=zlib.compress(article.xml, 1))
        )

    vocabulary = segment.vocabulary
    authors, affiliations = tables["author"], tables["affiliation"]
    index = 0
    for role in ("author", "editor", "investigator"):
        position = 0
        for author in article.authors:
            if author.role != role:
                continue
            author_id = pmid * AUTHOR_ID_FACTOR + index
            index += 1
            authors.append(
                AUTHOR_ROW(
                    author,
                    id=author_id,
                    article_id=pmid,
                    position=position,
                    identifiers=_identifiers_json(author.identifiers),
                )
            )
            affiliations.extend(
                AFFILIATION_ROW(
                    affiliation,
                    author_id=author_id,
                    position=n,
                    identifiers=_identifiers_json(affiliation.identifiers),
                )
                for n, affiliation in enumerate(author.affiliations)
            )
            position += 1
    headings, qualifiers = tables["meshheading"], tables["meshheadingqualifier"]
    descriptors = vocabulary["descriptors"]
    qualifier_names = vocabulary["qualifiers"]
    position = 0
    for heading in article.mesh_headings:
        if not heading.ui:
            continue
        heading_id = pmid * HEADING_ID_FACTOR + position
        descriptors[heading.ui] = heading.name
        headings.append(
            HEADING_ROW(
                heading, id=heading_id, article_id=pmid, position=position, descriptor_id=heading.ui
            )
        )
        for k, qualifier in enumerate(q for q in heading.qualifiers if q.ui):
            qualifier_names[qualifier.ui] = qualifier.name
            qualifiers.append(
                QUALIFIER_ROW(
                    qualifier, heading_id=heading_id, position=k, qualifier_id=qualifier.ui
                )
            )
        position += 1
    types = vocabulary["publication_types"]
    type_row = CHILD_TABLES["articlepublicationtype"].row
    position = 0
    for publication_type in article.publication_types:
        if publication_type.ui:
            types[publication_type.ui] = publication_type.name
            tables["articlepublicationtype"].append(
                type_row(
                    article_id=pmid, position=position, publication_type_id=publication_type.ui
                )
            )
            position += 1
    # Rows that are the record's list items as they are, in order.
    for name, items in (
        ("abstractsection", article.abstract),
        ("supplementaryconcept", article.supplementary_concepts),
        ("substance", article.chemicals),
        ("keyword", article.keywords),
        ("grant", article.grants),
        ("articleid", article.article_ids),
    ):
        if items:
            row = LIST_ITEM_ROWS[name]
            tables[name].extend(
                row(item, article_id=pmid, position=n) for n, item in enumerate(items)
            )
    tables["reference"].extend(
        REFERENCE_ROW(
            ref,
            article_id=pmid,
            position=n,
            article_ids=_ids_json(ref.article_ids),
            cited_id=ref.pmid,
        )
        for n, ref in enumerate(article.references)
    )
    tables["commentcorrection"].extend(
        COMMENT_ROW(c, article_id=pmid, position=n, target_id=c.pmid)
        for n, c in enumerate(article.comments_corrections)
    )
    first_concept = len(tables["articleconcept"])
    add_derived_rows(tables, article)
    descriptor = CHILD_TABLES["articleconcept"].columns.index("descriptor_id")
    segment.drafts[pmid] = search_draft(
        article, [row[descriptor] for row in tables["articleconcept"][first_concept:]]
    )


def search_draft(article: r.Article, concepts: list[str]) -> dict[str, list[str]]:
    """What the search index holds for a new article, from its record rather than from the
    rows just written (``search.index.load_documents`` reads the same from them, for stored
    articles, with curators' changes): made here, in the parser processes, it takes no time
    from the writer."""
    draft = empty_draft()
    draft["title"].extend(t for t in (article.title, article.vernacular_title) if t)
    draft["abstract"].extend(s.text for s in article.abstract if s.text)
    draft["terms"].extend(k.text for k in article.keywords if k.text)
    draft["terms"].extend(c.name for c in article.chemicals if c.name)
    authors = [a for a in article.authors if a.role == "author"]
    draft["affiliations"].extend(f.text for a in authors for f in a.affiliations if f.text)
    draft["authors"].extend(
        name for a in authors if (name := author_name(a.last_name, a.initials, a.collective_name))
    )
    draft["headings"].extend(h.ui for h in article.mesh_headings if h.ui)
    draft["concepts"].extend(concepts)
    return draft


# What derived rows were made by: stored in CaseFacts.rules_version, so that ``extract_facts``
# re-derives the articles whose facts rules or text recogniser have changed since.
DERIVED_VERSION = f"{case_facts.RULES_VERSION}|{RECOGNISER_VERSION}"


# ``json.dumps(value, ensure_ascii=False)``, the same text, without making an encoder for each
# row (``dumps`` keeps one only for its default arguments).
_json = json.JSONEncoder(ensure_ascii=False).encode


def concept_rows(article: r.Article, abstract: str) -> dict[tuple[str, str], tuple]:
    """(ui, role) -> (source, major, prior, evidence JSON) of the article's concepts: its MeSH
    headings and substances (``articles.text.classify``) and what its title, abstract and author
    keywords name (``articles.text.recognise``). A concept both give keeps MeSH as its source and
    the text's spans as its evidence; negated mentions are not the patients' concepts."""
    rows = {(c.ui, c.role): [c.source, c.major, False, "[]"] for c in article_concepts(article)}
    found = recognise(
        article.title,
        abstract,
        [k.text for k in article.keywords],
        vocabulary=text_vocabulary(),
    )
    for concept in found:
        if concept.negated:
            continue
        evidence = _json(
            [
                {"source": e.source, "start": e.start, "end": e.end, "text": e.text}
                for e in concept.evidence
            ]
        )
        row = rows.setdefault((concept.ui, concept.role), [m.ArticleConcept.Source.TEXT, False])
        row[2:] = [concept.prior, evidence]
    return {key: tuple(row) for key, row in rows.items()}


def text_vocabulary() -> Vocabulary:
    """The recogniser's vocabulary, built once into ``settings.RECOGNISE_CACHE_DIR`` and then
    loaded from there, once per process."""
    global _vocabulary
    if _vocabulary is None:
        _vocabulary = Vocabulary.cached(settings.RECOGNISE_CACHE_DIR)
    return _vocabulary


_vocabulary: Vocabulary | None = None


def add_derived_rows(tables: dict[str, list[tuple]], article: r.Article) -> None:
    """Rows derived from the record rather than copied from it: its MeSH headings and
    substances classified as diseases, therapies and causes (``articles.text.classify``), and the
    case-series facts of its title and abstract (``articles.text.facts``)."""
    abstract = case_facts.abstract_text(s.text for s in article.abstract)
    row = CHILD_TABLES["articleconcept"].row
    tables["articleconcept"].extend(
        row(
            article_id=article.pmid,
            descriptor_id=ui,
            role=role,
            source=source,
            major=major,
            prior=prior,
            evidence=evidence,
        )
        for (ui, role), (source, major, prior, evidence) in concept_rows(article, abstract).items()
    )
    facts = case_facts.extract(article.title, abstract, [p.name for p in article.publication_types])
    tables["casefacts"].append(
        FACTS_ROW(
            facts,
            article_id=article.pmid,
            evidence=_json([e.as_dict() for e in facts.evidence]),
            rules_version=DERIVED_VERSION,
        )
    )


def _identifiers_json(identifiers: Sequence[r.Identifier]) -> str:
    if not identifiers:
        return "[]"
    return _pairs_json([(i.source, i.value) for i in identifiers])


def _ids_json(ids: Sequence[r.ArticleId]) -> str:
    if not ids:
        return "[]"
    return _pairs_json([(i.id_type, i.value) for i in ids])


def _pairs_json(pairs: list[tuple[str, str]]) -> str:
    """JSON for [[a, b], ...]; ids almost never need escaping, and references come by the
    hundred thousand, so the plain case skips the encoder."""
    text = "".join(a + b for a, b in pairs)
    if text.isprintable() and '"' not in text and "\\" not in text:
        return "[" + ",".join(f'["{a}","{b}"]' for a, b in pairs) + "]"
    return json.dumps([list(pair) for pair in pairs], ensure_ascii=False)


def _first_day(year: int | None, month: int | None, day: int | None) -> str | None:
    if not year:
        return None
    month = month or 1
    day = day or 1
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        # "Feb 30" happens in the data; file it under the month.
        return dt.date(year, month, 1).isoformat()


def _complete_date(date: r.PartialDate | None) -> str | None:
    if date is None or not (date.year and date.month and date.day):
        return None
    return _first_day(date.year, date.month, date.day)


def _partial(date: r.PartialDate) -> dict[str, Any]:
    stored = {"type": date.kind, "year": date.year, "month": date.month, "day": date.day}
    if date.hour is not None:
        stored.update(hour=date.hour, minute=date.minute or 0)
    return stored


def _sections(sections: Sequence[r.AbstractSection]) -> list[dict[str, str]]:
    return [
        {"label": s.label, "nlm_category": s.nlm_category, "html": s.html, "text": s.text}
        for s in sections
    ]


def _other_abstract(other: r.OtherAbstract) -> dict[str, Any]:
    return {
        "type": other.type,
        "language": other.language,
        "copyright": other.copyright,
        "sections": _sections(other.sections),
    }


def _book(book: r.Book) -> dict[str, Any]:
    return {
        "title": book.title,
        "title_html": book.title_html,
        "publisher_name": book.publisher_name,
        "publisher_location": book.publisher_location,
        "volume": book.volume,
        "edition": book.edition,
        "medium": book.medium,
        "collection_title": book.collection_title,
        "isbns": list(book.isbns),
        "report_number": book.report_number,
        "beginning_date": _partial(book.beginning_date) if book.beginning_date else None,
        "ending_date": _partial(book.ending_date) if book.ending_date else None,
    }


@dataclass(frozen=True, slots=True)
class PlacedDeletion:
    """A DeleteCitation and its record's position in the file."""

    deletion: r.Deletion
    position: int


Mapped = Segment | PlacedDeletion | r.RecordProblem


def segments(placed: Iterable[tuple[int, r.Item]], source_file: str = "") -> list[Mapped]:
    """Group parsed items, each with its record's position in the file, into segments of
    article rows, split at each DeleteCitation so that deletions apply in file order. Within
    a segment a PMID appears once: the highest version, and the last of equal versions, as
    NLM's update files are meant to be read."""
    mapped: list[Mapped] = []
    pending: dict[int, tuple[int, r.Article]] = {}
    segment = Segment(source_file=source_file)

    def flush() -> None:
        nonlocal segment, pending
        for position, article in pending.values():
            try:
                segment.add(article, source_file, position)
            except (ValueError, OverflowError) as exc:
                mapped.append(r.RecordProblem(source_file, 0, article.pmid, str(exc)))
        if segment.articles or segment.older or segment.unchanged:
            mapped.append(segment)
        segment, pending = Segment(source_file=source_file), {}

    for position, item in placed:
        if isinstance(item, r.Article):
            current = pending.get(item.pmid)
            if current is None or item.version >= current[1].version:
                if current is not None:
                    if item.version > current[1].version:
                        segment.older += 1
                    else:
                        segment.unchanged += 1
                pending.pop(item.pmid, None)  # keep file order for the survivor
                pending[item.pmid] = (position, item)
            else:
                segment.older += 1
        elif isinstance(item, r.Deletion):
            flush()
            mapped.append(PlacedDeletion(item, position))
        else:
            mapped.append(item)
    flush()
    return mapped


def map_records(raws: Sequence[RawRecord]) -> list[Mapped]:
    """Parse and convert a batch of raw records (the work a parser process does)."""
    if not raws:
        return []
    placed = ((raw.number, item) for raw in raws for item in map_raw_items(raw))
    return segments(placed, os.path.basename(raws[0].source))


# Rows -> database -----------------------------------------------------------------------------


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(cursor, model: type, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert rows that cannot exist yet: by COPY on PostgreSQL (``bulk``)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        bulk.copy_rows(cursor, model._meta.db_table, columns, rows)
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})", rows)


def _insert_ignore(cursor, model: type, columns: Sequence[str], key: str, rows) -> None:
    """Insert the rows whose ``key`` is not stored yet."""
    _insert_on_conflict(cursor, model, columns, key, rows, "DO NOTHING")


def _upsert_merging(cursor, model: type, columns: Sequence[str], key: str, rows) -> None:
    """Insert, or fill in the stored row: a non-empty value in the newer row wins, an empty
    one never blanks what is stored (one article gives a journal's print ISSN, another its
    electronic one)."""
    quote = connection.ops.quote_name
    table = _table(model)
    merges = ", ".join(
        f"{quote(c)} = COALESCE(NULLIF(excluded.{quote(c)}, ''), {table}.{quote(c)})"
        for c in columns
        if c != key
    )
    _insert_on_conflict(cursor, model, columns, key, rows, f"DO UPDATE SET {merges}")


def _insert_on_conflict(
    cursor, model: type, columns: Sequence[str], key: str, rows, action: str
) -> None:
    """``INSERT ... ON CONFLICT (key) action``; ``rows`` hold each key once, sorted, so that
    two runs adding the same new keys take their locks in one order. On PostgreSQL one
    statement from a staging table (``bulk.stage``), in key order too."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = _table(model)
    names = ", ".join(quote(c) for c in columns)
    conflict = f"ON CONFLICT ({quote(key)}) {action}"
    if connection.vendor == "postgresql":
        staged = bulk.stage(cursor, model._meta.db_table, columns, rows)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staged} "
            f"ORDER BY {quote(key)} {conflict}"
        )
        return
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)


def _update_articles(cursor, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Replace stored articles' ``columns`` (the PMID among them) with ``rows``: on
    PostgreSQL from a staging table in one ``UPDATE ... FROM``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = _table(m.Article)
    key = columns.index("pmid")
    changed = [c for c in columns if c != "pmid"]
    if connection.vendor == "postgresql":
        staged = bulk.stage(cursor, m.Article._meta.db_table, columns, rows)
        assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in changed)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {staged} s WHERE {table}.pmid = s.pmid"
        )
        return
    assignments = ", ".join(f"{quote(c)} = %s" for c in changed)
    cursor.executemany(
        f"UPDATE {table} SET {assignments} WHERE pmid = %s",
        [[*row[:key], *row[key + 1 :], row[key]] for row in rows],
    )


def _chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def replace_derived_rows(pmids: Sequence[int], tables: dict[str, list[tuple]]) -> None:
    """Replace the derived rows (``DERIVED_TABLES``) of the stored articles ``pmids`` with
    ``tables``, as ``add_derived_rows`` fills them, in the caller's transaction: how
    ``articles.ingest.derive`` re-derives stored articles with rows a fresh ingest would write.
    Curators' changes and the search index are the caller's to apply again."""
    with connection.cursor() as cursor:
        for name in DERIVED_TABLES:
            derived = CHILD_TABLES[name]
            for chunk in _chunks(pmids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {_table(derived.model)} WHERE article_id IN ({marks})",
                    list(chunk),
                )
            _insert(cursor, derived.model, derived.columns, tables[name])


# NLM's baseline and update files: pubmed21n1298.xml.gz (and slices of them named so).
NLM_FILE = re.compile(r"pubmed\d{2}n\d{4}")
TIME_WIDTH = len("2026-12-07T16:00:00.000000")


def source_key(name: str, applied_at: dt.datetime) -> str:
    """Where a source stands among the sources of a PMID's records and DeleteCitations, as
    stored (``Article.source_key``): its kind, when it was applied and its name. ``Place``
    says which of two records (or a record and a DeleteCitation) wins at the same Version.

    - NLM's baseline and update files, ``"N <time> <name>"``, are ranked among themselves by
      name: their names sort in the order NLM issued them, so a DeleteCitation in update file
      1300 beats a record of file 1298 even when 1298 is applied last, and many runs can load
      them at once, in any order.
    - Anything else, ``"A <time> <name>"`` (an E-utilities fetch, a saved EFetch response, a
      file of one's own, standard input), and anything against an NLM file, is ranked by when
      it was applied: what is applied later wins, as a person applying it expects (a refresh
      from E-utilities after the baseline, an update file after a fetch, one's own deletion
      after one's own records).
    - Rows stored before keys existed have the key ``""`` and lose to everything placed.

    Mixing the two kinds out of order can leave a result that depends on the order (NLM file
    1300 applied first, one's own file next, file 1298 last: each beats one of the others);
    NLM's files alone, or anything applied in the order it was made, cannot.
    """
    applied = f"{applied_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%f}"
    if NLM_FILE.match(base := os.path.basename(name)):
        return f"N {applied} {base}"
    return f"A {applied} {name}"


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Place:
    """A record's source (``source_key``) and its position there (1-based, 0 unknown); the
    greater place wins at the same Version (``source_key`` says how)."""

    key: str
    position: int

    def __iter__(self) -> Iterator:
        return iter((self.key, self.position))

    def __lt__(self, other: Place) -> bool:
        if not self.key or not other.key:  # stored before keys existed
            return (bool(self.key), self.position) < (bool(other.key), other.position)
        if self.key[0] == other.key[0] == "N":
            return (self._name, self.position) < (other._name, other.position)
        return (self._applied, self._name, self.position) < (
            other._applied,
            other._name,
            other.position,
        )

    @property
    def _applied(self) -> str:
        return self.key[2 : 2 + TIME_WIDTH]

    @property
    def _name(self) -> str:
        return self.key[3 + TIME_WIDTH :]


# pg_advisory_xact_lock's first argument: the lock space of "this PMID is being written".
PMID_LOCK_SPACE = int.from_bytes(b"PMID")


@dataclass(frozen=True, slots=True)
class _Stored:
    version: int
    digest: str
    place: Place
    deleted_at: Any  # as the database driver returns it, to write back unchanged


class Writer:
    """Writes batches of rows. One instance per ingest run.

    For each PMID the stored article is, of every record seen so far, the one with the
    highest (Version, ``source_key``, position), and it is hidden when its latest
    DeleteCitation stands after it. Each write compares the incoming record with what is
    stored, so the database ends the same whatever order NLM's files come in: the result of
    applying them in file-name order, and then whatever else was applied, in the order it
    was. An incoming record placed exactly where the stored one is wins (a source without a
    place, applied again).

    The counters, per record, when files come out of order:

    - ``created``: the PMID had no article (it may be stored hidden, if a DeleteCitation
      placed after the record was applied first);
    - ``updated``: the stored article was replaced by a record that outranks it, or a hidden
      article was brought back by the same record from a source placed after the deletion;
    - ``unchanged``: the same XML as stored (its place moves forward if it comes later);
    - ``older``: outranked by what is stored, which is a higher version or, out of order, the
      same version from a later file (or later in the same file); a DeleteCitation placed
      before the stored record counts here too, as it hides nothing;
    - ``deleted``: PMIDs a DeleteCitation tombstoned for the first time or hid, unless the
      stored article outranks it.
    """

    def __init__(self, *, dry_run: bool = False) -> None:
        self.dry_run = dry_run
        self._now_db = connection.ops.adapt_datetimefield_value(timezone.now())
        if connection.vendor == "sqlite":
            # The writer reads through SQLite's page cache (``cache_size``), not the memory
            # map the site's readers share: each page read through the map stays in this
            # process's RSS, which then grew with the database (80 MB of 270 on one file).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA mmap_size=0")
        self._keys: dict[str, str] = {}

    def source_key(self, name: str) -> str:
        """``source_key`` of a source this run stores: a source other than an NLM file is
        placed by when this run first stores a batch of it."""
        if name not in self._keys:
            self._keys[name] = source_key(name, timezone.now())
        return self._keys[name]

    def write(self, segment: Segment, stats: IngestStats) -> None:
        """Write a segment in one transaction; if the database refuses it, go article by
        article so that one bad record is reported by PMID and the others are stored."""
        stats.older += segment.older
        stats.unchanged += segment.unchanged
        if not segment.articles:
            return
        # Each batch is stamped when it is written, not when the run began: saved searches'
        # alerts (articles.alerts) take what was stored after a time, and a run of a whole
        # baseline file would otherwise date its last batch an hour before it is visible.
        self._now_db = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            with transaction.atomic():
                self._write(segment, delta := IngestStats())
                if self.dry_run:
                    transaction.set_rollback(True)
            stats.add(delta)
        except (DatabaseError, OverflowError):
            # OverflowError: SQLite's driver refuses an integer over 64 bits before the
            # database sees it.
            for pmid, *_rest in segment.articles:
                try:
                    with transaction.atomic():
                        self._write(segment, one := IngestStats(), only={pmid})
                        if self.dry_run:
                            transaction.set_rollback(True)
                    stats.add(one)
                except (DatabaseError, OverflowError) as exc:
                    stats.failed += 1
                    stats.problems.append(f"PMID {pmid}: the database refused it: {exc}")

    def delete(
        self, deletion: r.Deletion, source_file: str, stats: IngestStats, position: int = 0
    ) -> None:
        """Tombstone the PMIDs (or move their tombstone to this later place) and hide the
        stored articles placed before this DeleteCitation."""
        pmids = sorted({p for p in deletion.pmids if 1 <= p <= r.MAX_PMID})
        for pmid in sorted(set(deletion.pmids) - set(pmids)):
            stats.failed += 1
            stats.problems.append(f"{source_file}: DeleteCitation PMID {pmid}: out of range")
        key = self.source_key(source_file)
        place = Place(key, position)
        with transaction.atomic():
            with connection.cursor() as cursor:
                for chunk in _chunks(pmids):
                    self._lock(cursor, chunk)
                    tombstones = self._tombstones(cursor, chunk)
                    stored = self._stored(cursor, chunk)
                    new = [p for p in chunk if p not in tombstones]
                    later = [p for p in chunk if p in tombstones and tombstones[p] < place]
                    _insert(
                        cursor,
                        DELETED_CITATION.model,
                        DELETED_CITATION.columns,
                        [
                            DELETED_CITATION.row(
                                pmid=p,
                                deleted_at=self._now_db,
                                source_file=source_file,
                                source_key=place.key,
                                source_position=place.position,
                            )
                            for p in new
                        ],
                    )
                    if later:
                        cursor.executemany(
                            f"UPDATE {_table(m.DeletedCitation)} SET source_file = %s, "
                            "source_key = %s, source_position = %s WHERE pmid = %s",
                            [(source_file, *place, p) for p in later],
                        )
                    hidden = [
                        p
                        for p in chunk
                        if p in stored and stored[p].deleted_at is None and stored[p].place <= place
                    ]
                    if hidden:
                        marks = ", ".join(["%s"] * len(hidden))
                        cursor.execute(
                            f"UPDATE {_table(m.Article)} SET deleted_at = %s "
                            f"WHERE pmid IN ({marks})",
                            [self._now_db, *hidden],
                        )
                    outranked = {p for p in chunk if p in stored and stored[p].place > place}
                    stats.deleted += len((set(hidden) | set(new)) - outranked)
                    stats.older += len(outranked)
                    search_index.refresh(hidden)  # withdrawn articles leave the index
            if self.dry_run:
                transaction.set_rollback(True)

    def _lock(self, cursor, pmids: Sequence[int]) -> None:
        """On PostgreSQL, hold each PMID's advisory lock until the transaction ends, so that
        two runs writing the same PMID take turns: each reads what the other committed before
        it compares places. Taken in PMID order, so two runs cannot wait on each other in a
        cycle. Row locks (SELECT ... FOR UPDATE) would not do: they cannot lock a PMID that
        has no row yet, so two runs bringing the same new PMID would both insert it and one
        would fail on the primary key; nor would INSERT ... ON CONFLICT DO UPDATE ... WHERE
        the stored place is lower, which decides for the article row alone, while the same
        decision must also rewrite or spare the child rows, the search index and the
        tombstone. SQLite needs nothing: its IMMEDIATE transactions let one writer in at a
        time (``settings.DATABASES``)."""
        if connection.vendor != "postgresql" or not pmids:
            return
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM (SELECT unnest(%s::int[]) AS k ORDER BY k) s",
            [PMID_LOCK_SPACE, sorted(pmids)],
        )

    def _write(self, segment: Segment, stats: IngestStats, only: set[int] | None = None) -> None:
        key = self.source_key(segment.source_file)
        with connection.cursor() as cursor:
            candidates = [a for a in segment.articles if only is None or a[0] in only]
            if blocked := curation.blocked_among([pmid for pmid, *_ in candidates]):
                stats.blocked += len(blocked)
                candidates = [a for a in candidates if a[0] not in blocked]
            pmids = sorted(pmid for pmid, *_ in candidates)
            self._lock(cursor, pmids)
            stored = self._stored(cursor, pmids)
            tombstones = self._tombstones(cursor, pmids)
            create: set[int] = set()
            update: set[int] = set()
            moved: list[tuple] = []  # the same XML from a later place
            deleted_at: dict[int, Any] = {}  # created or updated: None, or when it was hidden
            for pmid, version, digest, position in candidates:
                place = Place(key, position)
                hide = pmid in tombstones and tombstones[pmid] > place
                existing = stored.get(pmid)
                if existing is None:
                    create.add(pmid)
                elif (existing.version, existing.place) > (version, place):
                    stats.older += 1
                    continue
                elif existing.digest == digest:
                    if existing.place < place:
                        hidden_at = (existing.deleted_at or self._now_db) if hide else None
                        moved.append((segment.source_file, *place, hidden_at, pmid))
                        if existing.deleted_at is not None and not hide:
                            stats.updated += 1  # brought back
                            continue
                    stats.unchanged += 1
                    continue
                else:
                    update.add(pmid)
                if hide:
                    deleted_at[pmid] = (existing and existing.deleted_at) or self._now_db
                else:
                    deleted_at[pmid] = None
            if moved:
                cursor.executemany(
                    f"UPDATE {_table(m.Article)} SET source_file = %s, source_key = %s, "
                    "source_position = %s, deleted_at = %s WHERE pmid = %s",
                    moved,
                )
                # Brought back or hidden: the index holds visible articles only.
                search_index.refresh(
                    [
                        row[-1]
                        for row in moved
                        if (row[-2] is None) != (stored[row[-1]].deleted_at is None)
                    ]
                )
            keep = create | update
            if not keep:
                return
            everything = len(keep) == len(segment.articles)
            # Copies: a batch the database refuses is written again from the same rows.
            pmid = ARTICLE.owner
            article_rows = [
                list(row) for row in segment.article_rows if everything or row[pmid] in keep
            ]
            journal_ids = self._journals(cursor, segment, article_rows)
            for row in article_rows:
                row[JOURNAL_INDEX] = journal_ids.get(row[JOURNAL_INDEX])
                row[KEY_INDEX] = key
            self._vocabulary(cursor, segment)
            if update:
                self._delete_children(cursor, sorted(update))
                _update_articles(
                    cursor,
                    [*ARTICLE.columns, "last_changed_at", "deleted_at"],
                    [
                        [*row, self._now_db, deleted_at[row[pmid]]]
                        for row in article_rows
                        if row[pmid] in update
                    ],
                )
            _insert(
                cursor,
                m.Article,
                [*ARTICLE.columns, "first_ingested_at", "last_changed_at", "deleted_at"],
                [
                    [*row, self._now_db, self._now_db, deleted_at[row[pmid]]]
                    for row in article_rows
                    if row[pmid] in create
                ],
            )
            for name, rows in segment.tables.items():
                child = CHILD_TABLES[name]
                if not everything:
                    rows = [row for row in rows if child.pmid(row) in keep]
                _insert(cursor, child.model, child.columns, rows)
            # Same transaction: the index changes with the rows.
            search_index.refresh(sorted(keep), drafts={p: segment.drafts[p] for p in create})
            if update:
                # Curator corrections whose PubMed original just changed are kept and flagged.
                curation.flag_changed_originals(sorted(update))
            stats.created += len(create)
            stats.updated += len(update)

    def _stored(self, cursor, pmids: Sequence[int]) -> dict[int, _Stored]:
        stored = {}
        for chunk in _chunks(pmids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT pmid, version, source_hash, source_key, source_position, deleted_at "
                f"FROM {_table(m.Article)} WHERE pmid IN ({marks})",
                list(chunk),
            )
            for pmid, version, digest, key, position, deleted_at in cursor.fetchall():
                stored[pmid] = _Stored(version, digest, Place(key, position), deleted_at)
        return stored

    def _tombstones(self, cursor, pmids: Sequence[int]) -> dict[int, Place]:
        """Where the latest DeleteCitation of each of ``pmids`` stands."""
        places = {}
        for chunk in _chunks(pmids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT pmid, source_key, source_position FROM {_table(m.DeletedCitation)} "
                f"WHERE pmid IN ({marks})",
                list(chunk),
            )
            places.update({pmid: Place(key, pos) for pmid, key, pos in cursor.fetchall()})
        return places

    def _journals(self, cursor, segment: Segment, article_rows: list[list]) -> dict[str, int]:
        keys = sorted({row[JOURNAL_INDEX] for row in article_rows if row[JOURNAL_INDEX]})
        if not keys:
            return {}
        _upsert_merging(
            cursor, m.Journal, JOURNAL.columns, "key", [segment.journals[k] for k in keys]
        )
        ids = {}
        quoted_key = connection.ops.quote_name("key")
        for chunk in _chunks(keys):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {quoted_key}, id FROM {_table(m.Journal)} WHERE {quoted_key} IN ({marks})",
                list(chunk),
            )
            ids.update(dict(cursor.fetchall()))
        return ids

    def _vocabulary(self, cursor, segment: Segment) -> None:
        for model, name in (
            (m.MeshDescriptor, "descriptors"),
            (m.MeshQualifier, "qualifiers"),
            (m.PublicationType, "publication_types"),
        ):
            terms = segment.vocabulary[name]
            _insert_ignore(cursor, model, ["ui", "name"], "ui", sorted(terms.items()))

    def _delete_children(self, cursor, pmids: list[int]) -> None:
        for chunk in _chunks(pmids):
            marks = ", ".join(["%s"] * len(chunk))
            params = list(chunk)
            cursor.execute(
                f"DELETE FROM {_table(m.Affiliation)} WHERE author_id IN "
                f"(SELECT id FROM {_table(m.Author)} WHERE article_id IN ({marks}))",
                params,
            )
            cursor.execute(
                f"DELETE FROM {_table(m.MeshHeadingQualifier)} WHERE heading_id IN "
                f"(SELECT id FROM {_table(m.MeshHeading)} WHERE article_id IN ({marks}))",
                params,
            )
            for name, child in CHILD_TABLES.items():
                if name not in ("affiliation", "meshheadingqualifier"):
                    cursor.execute(
                        f"DELETE FROM {_table(child.model)} WHERE article_id IN ({marks})", params
                    )


# Tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table ingest writes, with its columns read from the model: every concrete field but
    the ones named in ``skip`` (someone else's to write: a curator, the database, the writer's
    timestamps). ``row`` takes each field's value by its name (``attname``: ``article_id``
    for a foreign key) and returns the row as a tuple in ``columns`` order; ``from_record``
    makes one that reads the values off a record's attributes of the same names. A field
    added to the model makes them raise until ingest gives it a value or skips it, so it can
    never shift the columns after it."""

    model: type[Model]
    names: tuple[str, ...]  # the fields' attnames, in the order of ``columns``
    columns: tuple[str, ...]
    row: Callable[..., tuple]
    # The column holding the article's PMID, or an id that encodes it (``AUTHOR_ID_FACTOR``),
    # and what divides that value into the PMID.
    owner: int
    divisor: int = 1

    def pmid(self, row: Sequence) -> int:
        return row[self.owner] // self.divisor

    def from_record(self, *given: str) -> Callable[..., tuple]:
        """A maker of rows from a record whose attributes are named as the fields are: it
        takes the record, and the fields named in ``given`` by keyword."""
        return _row_maker(self.names, given)


def table(
    model: type[Model], *, skip: Iterable[str] = (), owner: str = "article_id", divisor: int = 1
) -> Table:
    fields = model._meta.concrete_fields
    skip = set(skip)
    if unknown := skip - {f.attname for f in fields}:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    names = [f.attname for f in fields if f.attname not in skip]
    return Table(
        model,
        tuple(names),
        tuple(model._meta.get_field(name).column for name in names),
        _row_maker(names, names),
        names.index(owner),
        divisor,
    )


def _row_maker(names: Sequence[str], given: Sequence[str]) -> Callable[..., tuple]:
    """A function returning the row of ``names``, in order: the ``given`` ones by keyword,
    the others read off a record, its one positional argument. For names ``a, b`` with
    ``b`` given: ``def row(record, /, *, b): return (record.a, b)``. Made as ``namedtuple``
    makes its constructor, because ingest builds tens of rows a record: the call costs little
    more than the tuple, where a dict read back by ``itemgetter`` costs several times as
    much. A name missing or unknown raises ``TypeError``, one a record lacks
    ``AttributeError``."""
    if unknown := set(given) - set(names):
        raise ValueError(f"not among the fields: {sorted(unknown)}")
    if not all(name.isidentifier() for name in names):
        raise ValueError(f"not field names: {names}")
    parameters = [] if set(given) == set(names) else ["record", "/"]
    if given:
        parameters += ["*", *given]
    values = "".join(f"{n}, " if n in given else f"record.{n}, " for n in names)
    namespace: dict[str, Any] = {}
    exec(f"def row({', '.join(parameters)}):\n    return ({values})", namespace)
    return namespace["row"]


ARTICLE = table(
    m.Article,
    skip=["first_ingested_at", "last_changed_at", "deleted_at"],  # the writer's
    owner="pmid",
)
JOURNAL = table(m.Journal, skip=["id"], owner="key")  # the database numbers journals
DELETED_CITATION = table(m.DeletedCitation, owner="pmid")

# What a record's rows go to, by table name. The database numbers the rows of most child
# tables; authors and MeSH headings get ids derived from the PMID, for their own children.
CHILD_TABLES: dict[str, Table] = {
    "author": table(m.Author, divisor=AUTHOR_ID_FACTOR, owner="id"),
    "affiliation": table(m.Affiliation, skip=["id"], owner="author_id", divisor=AUTHOR_ID_FACTOR),
    "meshheading": table(m.MeshHeading, owner="id", divisor=HEADING_ID_FACTOR),
    "meshheadingqualifier": table(
        m.MeshHeadingQualifier, skip=["id"], owner="heading_id", divisor=HEADING_ID_FACTOR
    ),
    "abstractsection": table(m.AbstractSection, skip=["id"]),
    "articlepublicationtype": table(m.ArticlePublicationType, skip=["id"]),
    "supplementaryconcept": table(m.SupplementaryConcept, skip=["id"]),
    "substance": table(m.Substance, skip=["id"]),
    "keyword": table(m.Keyword, skip=["id"]),
    "grant": table(m.Grant, skip=["id"]),
    "articleid": table(m.ArticleId, skip=["id"]),
    "reference": table(m.Reference, skip=["id"]),
    "commentcorrection": table(m.CommentCorrection, skip=["id"]),
    # Curators own ``rejected`` and ``suggested`` (``articles.curated``).
    "articleconcept": table(m.ArticleConcept, skip=["id", "rejected"]),
    "casefacts": table(m.CaseFacts, skip=["suggested"]),
    "articlesource": table(m.ArticleSource),
}
# Makers of rows read off the record types (``articles.pubmed.records``) by field name.
JOURNAL_ROW = JOURNAL.from_record("key")
AUTHOR_ROW = CHILD_TABLES["author"].from_record("id", "article_id", "position", "identifiers")
AFFILIATION_ROW = CHILD_TABLES["affiliation"].from_record("author_id", "position", "identifiers")
HEADING_ROW = CHILD_TABLES["meshheading"].from_record(
    "id", "article_id", "position", "descriptor_id"
)
QUALIFIER_ROW = CHILD_TABLES["meshheadingqualifier"].from_record(
    "heading_id", "position", "qualifier_id"
)
LIST_ITEM_ROWS = {
    name: CHILD_TABLES[name].from_record("article_id", "position")
    for name in (
        "abstractsection",
        "supplementaryconcept",
        "substance",
        "keyword",
        "grant",
        "articleid",
    )
}
REFERENCE_ROW = CHILD_TABLES["reference"].from_record(
    "article_id", "position", "article_ids", "cited_id"
)
COMMENT_ROW = CHILD_TABLES["commentcorrection"].from_record("article_id", "position", "target_id")
FACTS_ROW = CHILD_TABLES["casefacts"].from_record("article_id", "evidence", "rules_version")
# Rows derived from a record rather than copied from it (``add_derived_rows``), which
# ``articles.ingest.derive`` replaces for stored articles.
DERIVED_TABLES = ("articleconcept", "casefacts")
JOURNAL_INDEX = ARTICLE.columns.index("journal_id")
KEY_INDEX = ARTICLE.columns.index("source_key")


# Driving a run --------------------------------------------------------------------------------

ProgressCallback = Callable[[int], None]


def ingest_records(
    items: Iterable[r.Item],
    *,
    source: str = "",
    batch_size: int = 500,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> IngestStats:
    """Store already-parsed records (used by tests and by callers that parse themselves).
    Each record's position is its place in ``items``, counting from 1, as in a file."""

    def mapped() -> Iterator[list[Mapped]]:
        batch: list[tuple[int, r.Item]] = []
        for item in enumerate(items, start=1):
            batch.append(item)
            if len(batch) >= batch_size:
                yield segments(batch, source)
                batch = []
        if batch:
            yield segments(batch, source)

    stats = IngestStats()
    _store(mapped(), Writer(dry_run=dry_run), source, stats, progress)
    return stats


def ingest_files(
    paths: Sequence[str | Path],
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    workers: int = 0,
    progress: ProgressCallback | None = None,
    stdin: Any = None,
) -> IngestStats:
    """Ingest files in the order given; ``"-"`` reads ``stdin``. A file that breaks is
    reported and the run goes on to the next, keeping every record before the break."""
    stats = IngestStats()
    writer = Writer(dry_run=dry_run)
    for path in paths:
        name = "<stdin>" if str(path) == "-" else str(path)
        source = stdin if str(path) == "-" else path
        raws = iter_raw_records(source, name=name)
        try:
            if workers > 1:
                batches = _parallel_batches(raws, batch_size, workers)
            else:
                batches = (map_records(chunk) for chunk in _batched(raws, batch_size))
            _store(batches, writer, os.path.basename(name), stats, progress)
        except PubmedFileError as exc:
            stats.failed += 1
            stats.problems.append(str(exc))
        except OSError as exc:
            stats.failed += 1
            stats.problems.append(f"{name}: cannot be read: {exc.strerror or exc}")
    return stats


def map_xml(document: bytes, name: str) -> list[Mapped]:
    """Parse and convert PubMed XML held in memory (an E-utilities EFetch response); pure, so
    it can run in a parser process. ``name`` stands in for the file name in ``source_file``
    and in problems. A document that breaks keeps the records before the break and ends with
    a problem saying where."""
    raws: list[RawRecord] = []
    broken = None
    try:
        raws.extend(iter_raw_records(document, name=name))
    except PubmedFileError as exc:
        broken = r.RecordProblem(name, len(raws) + 1, None, exc.message)
    mapped = map_records(raws)
    if broken:
        mapped.append(broken)
    return mapped


def store_mapped(
    mapped: list[Mapped],
    *,
    writer: Writer,
    source: str,
    stats: IngestStats,
    progress: ProgressCallback | None = None,
) -> None:
    """Write what ``map_xml`` (or ``map_records``) returned, in order."""
    _store([mapped], writer, source, stats, progress)


# A batch also ends at this much XML, so that memory does not grow with the records' size
# (a 2021 update-file record with its references is three times a 1977 one).
BATCH_BYTES = 4 * 1024 * 1024


def _batched(raws: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    """Group records; when the file breaks, the records read before the break still come."""
    batch: list[RawRecord] = []
    held = 0
    try:
        for raw in raws:
            batch.append(raw)
            held += len(raw.data)
            if len(batch) >= size or held >= BATCH_BYTES:
                yield batch
                batch = []
                held = 0
    except PubmedFileError:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """Processes for ``map_records``/``map_xml``, forked from a forkserver that has loaded the
    vocabulary, so that they share one copy of it (``articles.ingest.workers``). Not forked
    from this process: a child would inherit its database connection, and its exit would
    close it under us. The forkserver lives as long as this process, for every pool after."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["articles.ingest.preload"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=worker_processes.start)


def _parallel_batches(
    raws: Iterable[RawRecord], batch_size: int, workers: int
) -> Iterator[list[Mapped]]:
    """Map batches in worker processes, in file order, with a bounded number in flight."""
    in_flight: deque[Future] = deque()
    error: PubmedFileError | None = None
    pool = parser_pool(workers)
    try:
        try:
            for chunk in _batched(raws, batch_size):
                in_flight.append(pool.submit(map_records, chunk))
                if len(in_flight) > workers:
                    yield in_flight.popleft().result()
        except PubmedFileError as exc:
            error = exc  # store what was read before the break, then report it
        while in_flight:
            yield in_flight.popleft().result()
    except BaseException:
        # Stopped (an error, a signal, the consumer closing this generator): no one will store
        # the batches in flight, so do not wait for them.
        _stop_at_once(pool)
        raise
    pool.shutdown()
    if error is not None:
        raise error


def _stop_at_once(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down and kill its processes. ``shutdown(wait=False)`` alone lets each
    process finish its task, and the interpreter's exit waits for that: on a new machine, a
    parser building the vocabulary holds a Ctrl-C'd run for as long as the build takes. Python
    3.14 has ``kill_workers()``; until then the processes are read from the pool's table."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()


def _store(
    batches: Iterable[list[Mapped]],
    writer: Writer,
    source: str,
    stats: IngestStats,
    progress: ProgressCallback | None,
) -> None:
    for batch in batches:
        count = 0
        for item in batch:
            if isinstance(item, Segment):
                writer.write(item, stats)
                count += len(item.articles) + item.older + item.unchanged
            elif isinstance(item, PlacedDeletion):
                writer.delete(item.deletion, source, stats, position=item.position)
                count += 1
            else:
                stats.failed += 1
                stats.problems.append(str(item))
                count += 1
        stats.records += count
        if progress:
            progress(count)
