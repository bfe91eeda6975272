"""Turn parsed PubMed records into rows: the one place that knows records and models.

Idempotent upsert keyed on PMID:

- a record whose stored copy has a higher ``Version`` is ignored (update files repeat a PMID
  with versions 1..4; an older one never overwrites a newer one);
- a record with the same or a higher version replaces the stored source rows wholesale, unless
  its XML is byte-identical to what is stored ("unchanged");
- ``DeleteCitation`` hides the article (``deleted_at``) and leaves a tombstone; curation stays.

Rows are written with ``executemany`` in one transaction per batch, so a crash leaves no
half-written article; a batch the database refuses is retried record by record so one bad
record is reported by PMID and the rest are stored. Curator-owned tables are never written.

Parsing is CPU-bound and writing is not, so ``ingest_files(..., workers=2)`` parses in worker
processes (``record_rows`` is pure and runs there) while this process writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import django
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from articles import models as m
from articles.pubmed import records as r
from articles.pubmed.parser import (
    PubmedFileError,
    RawRecord,
    iter_raw_records,
    map_raw_record,
)

logger = logging.getLogger(__name__)

RETRACTED_PUBLICATION_UI = "D016441"
RETRACTION_NOTICE_TYPES = frozenset({"RetractionIn"})


@dataclass
class IngestStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # ignored because a newer version is stored
    deleted: int = 0
    failed: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, failed {self.failed}"
        )
        if self.older:
            text += f" ({self.older} older versions ignored)"
        return text

    def add(self, other: IngestStats) -> None:
        for name in ("created", "updated", "unchanged", "older", "deleted", "failed", "records"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)


class Rows(NamedTuple):
    """Everything one article writes, as plain values (cheap to send between processes)."""

    pmid: int
    version: int
    source_hash: str
    article: dict[str, Any]
    journal: tuple | None
    descriptors: list[tuple[str, str]]
    qualifiers: list[tuple[str, str]]
    publication_types: list[tuple[str, str]]
    abstract_sections: list[tuple]
    authors: list[tuple]  # (role, position, ..., [affiliation rows])
    mesh: list[tuple]  # (position, ui, major, type, [(position, ui, major)])
    article_publication_types: list[tuple]
    supplementary_concepts: list[tuple]
    substances: list[tuple]
    keywords: list[tuple]
    grants: list[tuple]
    ids: list[tuple]
    references: list[tuple]
    comments: list[tuple]


# Records -> rows (pure; runs in worker processes) ---------------------------------------------


def record_rows(article: r.Article, source_file: str = "") -> Rows:
    pub = article.pub_date
    epub = next((d for d in article.article_dates if d.kind == "Electronic"), None)
    if epub is None and article.article_dates:
        epub = article.article_dates[0]
    is_retracted = any(
        pt.ui == RETRACTED_PUBLICATION_UI for pt in article.publication_types
    ) or any(c.ref_type in RETRACTION_NOTICE_TYPES for c in article.comments_corrections)
    journal = article.journal
    journal_row = None
    if journal is not None and journal.key:
        journal_row = (
            journal.key,
            journal.title,
            journal.iso_abbreviation,
            journal.medline_ta,
            journal.issn_print,
            journal.issn_electronic,
            journal.issn_linking,
            journal.nlm_unique_id,
            journal.country,
        )
    article_row = {
        "pmid": article.pmid,
        "version": article.version,
        "kind": article.kind,
        "title_html": article.title_html,
        "title": article.title,
        "vernacular_title": article.vernacular_title,
        "volume": article.volume,
        "issue": article.issue,
        "pagination": article.pagination,
        "start_page": article.start_page,
        "end_page": article.end_page,
        "pub_date_raw": pub.raw,
        "pub_year": pub.year,
        "pub_month": pub.month,
        "pub_day": pub.day,
        "pub_date_precision": pub.precision,
        "pub_date": _first_day(pub.year, pub.month, pub.day),
        "epub_date": _first_day(epub.year, epub.month, epub.day) if epub and epub.day else None,
        "citation_status": article.citation_status,
        "citation_owner": article.citation_owner,
        "publication_status": article.publication_status,
        "languages": json.dumps(list(article.languages)),
        "has_abstract": bool(article.abstract),
        "abstract_copyright": article.abstract_copyright,
        "other_abstracts": json.dumps([_other_abstract(o) for o in article.other_abstracts]),
        "book": json.dumps(_book(article.book)) if article.book else None,
        "authors_complete": article.authors_complete,
        "article_dates": json.dumps([_partial(d) for d in article.article_dates]),
        "history": json.dumps([_partial(d) for d in article.history]),
        "date_completed": _complete_date(article.date_completed),
        "date_revised": _complete_date(article.date_revised),
        "citation_subsets": json.dumps(list(article.citation_subsets)),
        "coi_statement": article.coi_statement,
        "is_retracted": is_retracted,
        "doi": article.id_of("doi"),
        "pmcid": article.id_of("pmc"),
        "source_xml": zlib.compress(article.xml, 1),
        "source_hash": hashlib.blake2b(article.xml, digest_size=16).hexdigest(),
        "source_file": source_file,
    }
    authors = []
    for role in ("author", "editor", "investigator"):
        position = 0
        for author in article.authors:
            if author.role != role:
                continue
            authors.append(
                (
                    role,
                    position,
                    author.last_name,
                    author.fore_name,
                    author.initials,
                    author.suffix,
                    author.collective_name,
                    author.orcid,
                    json.dumps([[i.source, i.value] for i in author.identifiers]),
                    author.equal_contrib,
                    author.valid,
                    [
                        (n, a.text, json.dumps([[i.source, i.value] for i in a.identifiers]))
                        for n, a in enumerate(author.affiliations)
                    ],
                )
            )
            position += 1
    mesh = [
        (
            n,
            h.ui,
            h.major,
            h.descriptor_type,
            [(k, q.ui, q.major) for k, q in enumerate(h.qualifiers) if q.ui],
        )
        for n, h in enumerate(h for h in article.mesh_headings if h.ui)
    ]
    publication_types = [pt for pt in article.publication_types if pt.ui]
    return Rows(
        pmid=article.pmid,
        version=article.version,
        source_hash=article_row["source_hash"],
        article=article_row,
        journal=journal_row,
        descriptors=[(h.ui, h.name) for h in article.mesh_headings if h.ui],
        qualifiers=[(q.ui, q.name) for h in article.mesh_headings for q in h.qualifiers if q.ui],
        publication_types=[(pt.ui, pt.name) for pt in publication_types],
        abstract_sections=[
            (n, s.label, s.nlm_category, s.html, s.text) for n, s in enumerate(article.abstract)
        ],
        authors=authors,
        mesh=mesh,
        article_publication_types=[(n, pt.ui) for n, pt in enumerate(publication_types)],
        supplementary_concepts=[
            (n, c.ui, c.name, c.type) for n, c in enumerate(article.supplementary_concepts)
        ],
        substances=[(n, c.ui, c.name, c.registry_number) for n, c in enumerate(article.chemicals)],
        keywords=[(n, k.owner, k.major, k.text) for n, k in enumerate(article.keywords)],
        grants=[
            (n, g.grant_id, g.acronym, g.agency, g.country) for n, g in enumerate(article.grants)
        ],
        ids=[(n, i.id_type, i.value, i.source, i.valid) for n, i in enumerate(article.article_ids)],
        references=[
            (n, ref.citation, json.dumps([[i.id_type, i.value] for i in ref.article_ids]), ref.pmid)
            for n, ref in enumerate(article.references)
        ],
        comments=[
            (n, c.ref_type, c.source, c.pmid, c.note)
            for n, c in enumerate(article.comments_corrections)
        ],
    )


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
    return {"type": date.kind, "year": date.year, "month": date.month, "day": date.day}


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


Mapped = Rows | r.Deletion | r.RecordProblem


def map_records(raws: Sequence[RawRecord]) -> list[Mapped]:
    """Parse and convert a batch of raw records (the work a parser process does)."""
    mapped: list[Mapped] = []
    for raw in raws:
        item = map_raw_record(raw)
        if isinstance(item, r.Article):
            mapped.append(record_rows(item, os.path.basename(raw.source)))
        else:
            mapped.append(item)
    return mapped


# Rows -> database -----------------------------------------------------------------------------


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(cursor, model: type, columns: Sequence[str], rows: Sequence[Sequence]) -> None:  # noqa: ANN001
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})", rows)


def _insert_ignore(cursor, model: type, columns: Sequence[str], key: str, rows) -> None:  # noqa: ANN001
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(
        f"INSERT INTO {_table(model)} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({connection.ops.quote_name(key)}) DO NOTHING",
        rows,
    )


def _allocate_ids(cursor, model: type, count: int) -> list[int]:  # noqa: ANN001
    """Primary keys for rows whose children need them, without a round trip per row."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]
    # SQLite: the batch transaction holds the write lock, so MAX(id) cannot move under us.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_table(model)}")
    start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


ARTICLE_CHILDREN = (
    m.AbstractSection,
    m.ArticlePublicationType,
    m.SupplementaryConcept,
    m.Substance,
    m.Keyword,
    m.Grant,
    m.ArticleId,
    m.Reference,
    m.CommentCorrection,
)


class Writer:
    """Writes batches of rows. One instance per ingest run."""

    def __init__(self, *, dry_run: bool = False) -> None:
        self.dry_run = dry_run
        self.now = timezone.now()
        self._now_db = connection.ops.adapt_datetimefield_value(self.now)

    def write(self, batch: Sequence[Rows], stats: IngestStats) -> None:
        """Write a batch in one transaction; if the database refuses it, go record by record."""
        if not batch:
            return
        batch = _latest_per_pmid(batch, stats)
        try:
            with transaction.atomic():
                self._write(batch, stats_delta := IngestStats())
                if self.dry_run:
                    transaction.set_rollback(True)
            stats.add(stats_delta)
        except DatabaseError:
            for rows in batch:
                try:
                    with transaction.atomic():
                        self._write([rows], one := IngestStats())
                        if self.dry_run:
                            transaction.set_rollback(True)
                    stats.add(one)
                except DatabaseError as exc:
                    stats.failed += 1
                    stats.problems.append(f"PMID {rows.pmid}: the database refused it: {exc}")

    def delete(self, deletion: r.Deletion, source_file: str, stats: IngestStats) -> None:
        pmids = sorted(set(deletion.pmids))
        with transaction.atomic():
            with connection.cursor() as cursor:
                for chunk in _chunks(pmids):
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"SELECT pmid FROM {_table(m.DeletedCitation)} WHERE pmid IN ({marks})",
                        list(chunk),
                    )
                    known = {row[0] for row in cursor.fetchall()}
                    new = [p for p in chunk if p not in known]
                    _insert(
                        cursor,
                        m.DeletedCitation,
                        ["pmid", "deleted_at", "source_file"],
                        [(p, self._now_db, source_file) for p in new],
                    )
                    cursor.execute(
                        f"SELECT pmid FROM {_table(m.Article)} "
                        f"WHERE deleted_at IS NULL AND pmid IN ({marks})",
                        list(chunk),
                    )
                    hidden = {row[0] for row in cursor.fetchall()}
                    cursor.execute(
                        f"UPDATE {_table(m.Article)} SET deleted_at = %s "
                        f"WHERE deleted_at IS NULL AND pmid IN ({marks})",
                        [self._now_db, *chunk],
                    )
                    stats.deleted += len(hidden | set(new))
            if self.dry_run:
                transaction.set_rollback(True)

    def _write(self, batch: Sequence[Rows], stats: IngestStats) -> None:
        with connection.cursor() as cursor:
            stored = self._stored(cursor, [rows.pmid for rows in batch])
            create: list[Rows] = []
            update: list[Rows] = []
            for rows in batch:
                existing = stored.get(rows.pmid)
                if existing is None:
                    create.append(rows)
                elif existing[0] > rows.version:
                    stats.older += 1
                elif existing[1] == rows.source_hash:
                    stats.unchanged += 1
                else:
                    update.append(rows)
            changed = create + update
            if not changed:
                return
            journal_ids = self._journals(cursor, changed)
            self._vocabulary(cursor, changed)
            if update:
                self._delete_children(cursor, [rows.pmid for rows in update])
                columns = [c for c in ARTICLE_COLUMNS if c != "pmid"] + ["last_changed_at"]
                assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {_table(m.Article)} SET {assignments}, deleted_at = NULL "
                    "WHERE pmid = %s",
                    [
                        [*self._article_values(rows, journal_ids)[1:], self._now_db, rows.pmid]
                        for rows in update
                    ],
                )
            _insert(
                cursor,
                m.Article,
                [*ARTICLE_COLUMNS, "first_ingested_at", "last_changed_at"],
                [
                    [*self._article_values(rows, journal_ids), self._now_db, self._now_db]
                    for rows in create
                ],
            )
            self._insert_children(cursor, changed)
            stats.created += len(create)
            stats.updated += len(update)

    def _stored(self, cursor, pmids: list[int]) -> dict[int, tuple[int, str]]:  # noqa: ANN001
        stored = {}
        for chunk in _chunks(pmids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT pmid, version, source_hash FROM {_table(m.Article)} "
                f"WHERE pmid IN ({marks})",
                list(chunk),
            )
            stored.update({pmid: (version, digest) for pmid, version, digest in cursor.fetchall()})
        return stored

    def _journals(self, cursor, batch: Sequence[Rows]) -> dict[str, int]:  # noqa: ANN001
        journals = {rows.journal[0]: rows.journal for rows in batch if rows.journal}
        if not journals:
            return {}
        _insert_ignore(cursor, m.Journal, JOURNAL_COLUMNS, "key", list(journals.values()))
        ids = {}
        keys = list(journals)
        for chunk in _chunks(keys):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {connection.ops.quote_name('key')}, id FROM {_table(m.Journal)} "
                f"WHERE {connection.ops.quote_name('key')} IN ({marks})",
                list(chunk),
            )
            ids.update(dict(cursor.fetchall()))
        return ids

    def _vocabulary(self, cursor, batch: Sequence[Rows]) -> None:  # noqa: ANN001
        for model, attribute in (
            (m.MeshDescriptor, "descriptors"),
            (m.MeshQualifier, "qualifiers"),
            (m.PublicationType, "publication_types"),
        ):
            terms = {ui: name for rows in batch for ui, name in getattr(rows, attribute)}
            _insert_ignore(cursor, model, ["ui", "name"], "ui", sorted(terms.items()))

    def _article_values(self, rows: Rows, journal_ids: dict[str, int]) -> list:
        values = rows.article
        journal_id = journal_ids.get(rows.journal[0]) if rows.journal else None
        return [journal_id if c == "journal_id" else values[c] for c in ARTICLE_COLUMNS]

    def _delete_children(self, cursor, pmids: list[int]) -> None:  # noqa: ANN001
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
            for model in (m.Author, m.MeshHeading, *ARTICLE_CHILDREN):
                cursor.execute(f"DELETE FROM {_table(model)} WHERE article_id IN ({marks})", params)

    def _insert_children(self, cursor, batch: Sequence[Rows]) -> None:  # noqa: ANN001
        author_ids = iter(_allocate_ids(cursor, m.Author, sum(len(x.authors) for x in batch)))
        heading_ids = iter(_allocate_ids(cursor, m.MeshHeading, sum(len(x.mesh) for x in batch)))
        authors, affiliations, headings, qualifiers = [], [], [], []
        children: dict[type, list] = {model: [] for model in ARTICLE_CHILDREN}
        for rows in batch:
            pmid = rows.pmid
            for author in rows.authors:
                author_id = next(author_ids)
                authors.append((author_id, pmid, *author[:-1]))
                affiliations.extend((author_id, *a) for a in author[-1])
            for position, ui, major, kind, heading_qualifiers in rows.mesh:
                heading_id = next(heading_ids)
                headings.append((heading_id, pmid, position, ui, major, kind))
                qualifiers.extend((heading_id, *q) for q in heading_qualifiers)
            children[m.AbstractSection].extend((pmid, *x) for x in rows.abstract_sections)
            children[m.ArticlePublicationType].extend(
                (pmid, *x) for x in rows.article_publication_types
            )
            children[m.SupplementaryConcept].extend((pmid, *x) for x in rows.supplementary_concepts)
            children[m.Substance].extend((pmid, *x) for x in rows.substances)
            children[m.Keyword].extend((pmid, *x) for x in rows.keywords)
            children[m.Grant].extend((pmid, *x) for x in rows.grants)
            children[m.ArticleId].extend((pmid, *x) for x in rows.ids)
            children[m.Reference].extend((pmid, *x) for x in rows.references)
            children[m.CommentCorrection].extend((pmid, *x) for x in rows.comments)
        _insert(cursor, m.Author, AUTHOR_COLUMNS, authors)
        _insert(
            cursor, m.Affiliation, ["author_id", "position", "text", "identifiers"], affiliations
        )
        _insert(
            cursor,
            m.MeshHeading,
            ["id", "article_id", "position", "descriptor_id", "major", "descriptor_type"],
            headings,
        )
        _insert(
            cursor,
            m.MeshHeadingQualifier,
            ["heading_id", "position", "qualifier_id", "major"],
            qualifiers,
        )
        for model, rows in children.items():
            _insert(cursor, model, CHILD_COLUMNS[model], rows)


ARTICLE_COLUMNS = [
    "pmid",
    "version",
    "kind",
    "title_html",
    "title",
    "vernacular_title",
    "journal_id",
    "volume",
    "issue",
    "pagination",
    "start_page",
    "end_page",
    "pub_date_raw",
    "pub_year",
    "pub_month",
    "pub_day",
    "pub_date_precision",
    "pub_date",
    "epub_date",
    "citation_status",
    "citation_owner",
    "publication_status",
    "languages",
    "has_abstract",
    "abstract_copyright",
    "other_abstracts",
    "book",
    "authors_complete",
    "article_dates",
    "history",
    "date_completed",
    "date_revised",
    "citation_subsets",
    "coi_statement",
    "is_retracted",
    "doi",
    "pmcid",
    "source_xml",
    "source_hash",
    "source_file",
]
JOURNAL_COLUMNS = [
    "key",
    "title",
    "iso_abbreviation",
    "medline_ta",
    "issn_print",
    "issn_electronic",
    "issn_linking",
    "nlm_unique_id",
    "country",
]
AUTHOR_COLUMNS = [
    "id",
    "article_id",
    "role",
    "position",
    "last_name",
    "fore_name",
    "initials",
    "suffix",
    "collective_name",
    "orcid",
    "identifiers",
    "equal_contrib",
    "valid",
]
CHILD_COLUMNS: dict[type, list[str]] = {
    m.AbstractSection: ["article_id", "position", "label", "nlm_category", "html", "text"],
    m.ArticlePublicationType: ["article_id", "position", "publication_type_id"],
    m.SupplementaryConcept: ["article_id", "position", "ui", "name", "type"],
    m.Substance: ["article_id", "position", "ui", "name", "registry_number"],
    m.Keyword: ["article_id", "position", "owner", "major", "text"],
    m.Grant: ["article_id", "position", "grant_id", "acronym", "agency", "country"],
    m.ArticleId: ["article_id", "position", "id_type", "value", "source", "valid"],
    m.Reference: ["article_id", "position", "citation", "article_ids", "cited_id"],
    m.CommentCorrection: ["article_id", "position", "ref_type", "source", "target_id", "note"],
}


def _latest_per_pmid(batch: Sequence[Rows], stats: IngestStats) -> list[Rows]:
    """Within a batch keep, per PMID, the highest version; among equals, the last one."""
    latest: dict[int, Rows] = {}
    for rows in batch:
        current = latest.get(rows.pmid)
        if current is None or rows.version >= current.version:
            if current is not None:
                stats.older += 1 if rows.version > current.version else 0
                stats.unchanged += 1 if rows.version == current.version else 0
            latest[rows.pmid] = rows
        else:
            stats.older += 1
    return list(latest.values())


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
    """Store already-parsed records (used by tests and by callers that parse themselves)."""

    def mapped() -> Iterator[list[Mapped]]:
        batch: list[Mapped] = []
        for item in items:
            batch.append(record_rows(item, source) if isinstance(item, r.Article) else item)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

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


def _batched(raws: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    """Group records; when the file breaks, the records read before the break still come."""
    batch: list[RawRecord] = []
    try:
        for raw in raws:
            batch.append(raw)
            if len(batch) >= size:
                yield batch
                batch = []
    except PubmedFileError:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def _parallel_batches(
    raws: Iterable[RawRecord], batch_size: int, workers: int
) -> Iterator[list[Mapped]]:
    """Map batches in worker processes, in file order, with a bounded number in flight."""
    in_flight: deque[Future] = deque()
    error: PubmedFileError | None = None
    # Spawned, not forked: a forked child would inherit this process's database connection,
    # and its exit would close that connection under us.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=django.setup) as pool:
        try:
            try:
                for chunk in _batched(raws, batch_size):
                    in_flight.append(pool.submit(map_records, chunk))
                    if len(in_flight) >= workers * 2:
                        yield in_flight.popleft().result()
            except PubmedFileError as exc:
                error = exc  # store what was read before the break, then report it
            while in_flight:
                yield in_flight.popleft().result()
        finally:
            for future in in_flight:
                future.cancel()
    if error is not None:
        raise error


def _store(
    batches: Iterable[list[Mapped]],
    writer: Writer,
    source: str,
    stats: IngestStats,
    progress: ProgressCallback | None,
) -> None:
    for batch in batches:
        pending: list[Rows] = []
        for item in batch:
            stats.records += 1
            if isinstance(item, Rows):
                pending.append(item)
            elif isinstance(item, r.Deletion):
                # Deletions apply in file order: store what came before them first.
                writer.write(pending, stats)
                pending = []
                writer.delete(item, source, stats)
            else:
                stats.failed += 1
                stats.problems.append(str(item))
        writer.write(pending, stats)
        if progress:
            progress(len(batch))
