"""Stored articles as plain, JSON-ready dicts, streamed in bounded chunks.

``article_to_dict`` gives the whole stored record of one article: everything ingest keeps
from the PubMed XML, as stored, and under ``"casebook"`` what Casebook adds to it
(``curated.casebook_block``: case facts, concepts, the public curation status and the
curators' corrections with PubMed's values). ``iter_export`` walks any number of articles in
PMID order, a chunk at a time, so memory and the number of queries depend on the chunk size,
never on the size of the collection. Writers turn the dicts into a file format; ``WRITERS``
maps each format name the ``export_articles`` command accepts to its writer.
"""

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects

from articles import curated
from articles.models import (
    AbstractSection,
    Affiliation,
    Article,
    ArticleId,
    ArticlePublicationType,
    ArticleQuerySet,
    Author,
    CommentCorrection,
    Correction,
    Grant,
    Keyword,
    MeshHeading,
    MeshHeadingQualifier,
    Reference,
    Substance,
    SupplementaryConcept,
)
from articles.pubmed.records import PartialDate

CHUNK_SIZE = 500

# One query each per chunk, on top of the chunk's own query (which joins the journal).
# Each orders by position alone: the models' default ["article", "position"] would join
# every child table to articles_article to sort by Article's default ordering. ``to_attr``
# lists, unlike prefetched managers, cost no queryset clone per row, which is most of the
# time an export of a large collection takes.
EXPORT_PREFETCHES = (
    Prefetch(
        "abstract_sections",
        queryset=AbstractSection.objects.order_by("position"),
        to_attr="export_abstract",
    ),
    Prefetch(
        "authors", queryset=Author.objects.order_by("role", "position"), to_attr="export_people"
    ),
    Prefetch(
        "export_people__affiliations",
        queryset=Affiliation.objects.order_by("position"),
        to_attr="export_affiliations",
    ),
    Prefetch(
        "article_publication_types",
        queryset=ArticlePublicationType.objects.select_related("publication_type").order_by(
            "position"
        ),
        to_attr="export_publication_types",
    ),
    Prefetch(
        "mesh_headings",
        queryset=MeshHeading.objects.select_related("descriptor").order_by("position"),
        to_attr="export_mesh",
    ),
    Prefetch(
        "export_mesh__qualifiers",
        queryset=MeshHeadingQualifier.objects.select_related("qualifier").order_by("position"),
        to_attr="export_qualifiers",
    ),
    Prefetch(
        "supplementary_concepts",
        queryset=SupplementaryConcept.objects.order_by("position"),
        to_attr="export_concepts",
    ),
    Prefetch(
        "substances", queryset=Substance.objects.order_by("position"), to_attr="export_substances"
    ),
    Prefetch("keywords", queryset=Keyword.objects.order_by("position"), to_attr="export_keywords"),
    Prefetch("grants", queryset=Grant.objects.order_by("position"), to_attr="export_grants"),
    Prefetch("ids", queryset=ArticleId.objects.order_by("position"), to_attr="export_ids"),
    Prefetch(
        "comments_corrections",
        queryset=CommentCorrection.objects.order_by("position"),
        to_attr="export_comments",
    ),
    Prefetch(
        "references", queryset=Reference.objects.order_by("position"), to_attr="export_references"
    ),
    # What Casebook adds: the concepts a reader sees, with their names, and the corrections.
    curated.concepts_prefetch("export_article_concepts"),
    Prefetch(
        "corrections", queryset=Correction.objects.order_by("field"), to_attr="export_corrections"
    ),
)
# Read with the chunk's own query (select_related): one row or none per article.
EXPORT_ONE_TO_ONE = ("facts", "curation")
# The record is a declared format, so ``article_to_dict`` names the fields it reads; these
# Article fields it leaves out on purpose, and a test holds every other field to be read:
# values derived from others (``pub_date`` sorts the list, ``has_abstract`` filters it) and
# ingest's and the database's own bookkeeping. ``deleted_at`` shows as ``"deleted"``.
NOT_EXPORTED = frozenset(
    {
        "pub_date",
        "has_abstract",
        "source_hash",
        "source_file",
        "source_key",
        "source_position",
        "first_ingested_at",
        "last_changed_at",
        "deleted_at",
    }
)


def article_to_dict(article: Article, *, with_deleted: bool = False) -> dict[str, Any]:
    """The complete stored record of ``article``, keys in a fixed order.

    Works on any ``Article``: one loaded through ``iter_export`` (or prefetched with
    ``EXPORT_PREFETCHES``) costs no query, any other costs one query per related table.
    ``with_deleted`` adds a final ``"deleted"`` flag for exports that mix withdrawn and live
    records.
    """
    if not hasattr(article, "export_references"):  # any to_attr of EXPORT_PREFETCHES would do
        prefetch_related_objects([article], *EXPORT_PREFETCHES)
    people = article.export_people
    record: dict[str, Any] = {
        "pmid": article.pmid,
        "version": article.version,
        "kind": article.kind,
        "title": article.title,
        "title_html": article.title_html,
        "vernacular_title": article.vernacular_title,
        "journal": _journal(article),
        "volume": article.volume,
        "issue": article.issue,
        "pagination": article.pagination,
        "start_page": article.start_page,
        "end_page": article.end_page,
        "pub_date": {
            "raw": article.pub_date_raw,
            "year": article.pub_year,
            "month": article.pub_month,
            "day": article.pub_day,
            "precision": article.pub_date_precision,
        },
        "epub_date": _isoformat(article.epub_date),
        "article_dates": [_dated(date) for date in article.article_dates],
        "history": [_dated(date) for date in article.history],
        "date_completed": _isoformat(article.date_completed),
        "date_revised": _isoformat(article.date_revised),
        "citation_status": article.citation_status,
        "citation_owner": article.citation_owner,
        "publication_status": article.publication_status,
        "languages": article.languages,
        "abstract": [
            _section(s.label, s.nlm_category, s.text, s.html) for s in article.export_abstract
        ],
        "abstract_copyright": article.abstract_copyright,
        "other_abstracts": [
            {
                "type": other["type"],
                "language": other["language"],
                "copyright": other["copyright"],
                "sections": [
                    _section(s["label"], s["nlm_category"], s["text"], s["html"])
                    for s in other["sections"]
                ],
            }
            for other in article.other_abstracts
        ],
        "authors": [_person(p) for p in people if p.role == Author.Role.AUTHOR],
        "editors": [_person(p) for p in people if p.role == Author.Role.EDITOR],
        "investigators": [_person(p) for p in people if p.role == Author.Role.INVESTIGATOR],
        "authors_complete": article.authors_complete,
        "publication_types": [
            {"ui": link.publication_type.ui, "name": link.publication_type.name}
            for link in article.export_publication_types
        ],
        "mesh_headings": [
            {
                "ui": heading.descriptor.ui,
                "name": heading.descriptor.name,
                "major": heading.major,
                "type": heading.descriptor_type,
                "qualifiers": [
                    {"ui": q.qualifier.ui, "name": q.qualifier.name, "major": q.major}
                    for q in heading.export_qualifiers
                ],
            }
            for heading in article.export_mesh
        ],
        "supplementary_concepts": [
            {"ui": concept.ui, "name": concept.name, "type": concept.type}
            for concept in article.export_concepts
        ],
        "substances": [
            {"ui": s.ui, "name": s.name, "registry_number": s.registry_number}
            for s in article.export_substances
        ],
        "keywords": [
            {"owner": k.owner, "major": k.major, "text": k.text} for k in article.export_keywords
        ],
        "grants": [
            {
                "grant_id": grant.grant_id,
                "acronym": grant.acronym,
                "agency": grant.agency,
                "country": grant.country,
            }
            for grant in article.export_grants
        ],
        "article_ids": [
            {"type": i.id_type, "value": i.value, "source": i.source, "valid": i.valid}
            for i in article.export_ids
        ],
        "doi": article.doi,
        "pmcid": article.pmcid,
        "comments_corrections": [
            {"ref_type": c.ref_type, "source": c.source, "pmid": c.target_id, "note": c.note}
            for c in article.export_comments
        ],
        "references": [
            {
                "position": reference.position,
                "citation": reference.citation,
                "article_ids": [
                    {"type": id_type, "value": value} for id_type, value in reference.article_ids
                ],
                # The cited PMID whether or not that article is stored here.
                "pmid": reference.cited_id,
            }
            for reference in article.export_references
        ],
        "citation_subsets": article.citation_subsets,
        "coi_statement": article.coi_statement,
        "book": _book(article.book),
        "is_retracted": article.is_retracted,
        "casebook": _casebook(article),
    }
    if with_deleted:
        record["deleted"] = article.is_deleted
    return record


def iter_export(
    queryset: ArticleQuerySet,
    *,
    include_deleted: bool = False,
    corrected: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """``article_to_dict`` for each article of ``queryset`` in PMID order.

    Articles are read ``chunk_size`` at a time, keyed on the last PMID seen rather than an
    offset, each chunk with its related rows prefetched: at most 16 queries per chunk, however
    many authors, headings or references its articles have. Withdrawn (DeleteCitation)
    articles are skipped unless ``include_deleted``, which also adds the ``"deleted"`` flag
    to every record. ``corrected`` lays the curators' text corrections over PubMed's values
    (``curated.lay_over``), as citation files and spreadsheets show them; without it the
    record is PubMed's as stored, the corrections beside it in ``"casebook"``. ``queryset``
    may be filtered but not sliced.
    """
    if not include_deleted:
        queryset = queryset.visible()
    queryset = (
        queryset.select_related("journal", *EXPORT_ONE_TO_ONE)
        .prefetch_related(*EXPORT_PREFETCHES)
        .order_by("pmid")
    )
    last_pmid = None
    while True:
        chunk = queryset if last_pmid is None else queryset.filter(pmid__gt=last_pmid)
        articles = list(chunk[:chunk_size])
        for article in articles:
            record = article_to_dict(article, with_deleted=include_deleted)
            if corrected:
                record = curated.lay_over(record, article.export_corrections)
            _release(article)
            yield record
        if len(articles) < chunk_size:
            return
        last_pmid = articles[-1].pmid


def _release(article: Article) -> None:
    """Break the reference cycles prefetching leaves (a prefetched author points back at its
    article, an affiliation at its author), so that a chunk is freed as soon as the next one
    is read instead of waiting for the cyclic garbage collector: without this a long export
    grows by every chunk it has passed."""
    for name in EXPORT_ONE_TO_ONE:
        related = article._state.fields_cache.pop(name, None)
        if related is not None:
            related._state.fields_cache.clear()
    for prefetch in EXPORT_PREFETCHES:
        for related in article.__dict__.pop(prefetch.to_attr, ()):
            related._state.fields_cache.clear()
            for nested in EXPORT_PREFETCHES:
                for child in related.__dict__.pop(nested.to_attr, ()):
                    child._state.fields_cache.clear()


def write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """One JSON object per line, non-ASCII kept as is; returns the number written."""
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], TextIO], int]] = {
    "jsonl": write_jsonl,
}


def _casebook(article: Article) -> dict[str, Any]:
    concepts = article.export_article_concepts
    return curated.casebook_block(
        facts=related_or_none(article, "facts"),
        concepts=concepts,
        names={c.descriptor_id: c.descriptor_name for c in concepts if c.descriptor_name},
        corrections=article.export_corrections,
        curation=related_or_none(article, "curation"),
    )


def related_or_none(article: Article, name: str) -> Any:
    """The article's CaseFacts or Curation (a reverse one-to-one), or None when it has none.
    No query when the row was read with ``select_related``."""
    try:
        return getattr(article, name)
    except ObjectDoesNotExist:
        return None


def _journal(article: Article) -> dict[str, str] | None:
    journal = article.journal
    if journal is None:
        return None
    return {
        "title": journal.title,
        "iso_abbreviation": journal.iso_abbreviation,
        "medline_ta": journal.medline_ta,
        "issn_print": journal.issn_print,
        "issn_electronic": journal.issn_electronic,
        "issn_linking": journal.issn_linking,
        "nlm_unique_id": journal.nlm_unique_id,
        "country": journal.country,
    }


def _person(author: Author) -> dict[str, Any]:
    return {
        "position": author.position,
        "last_name": author.last_name,
        "fore_name": author.fore_name,
        "initials": author.initials,
        "suffix": author.suffix,
        "collective_name": author.collective_name,
        "orcid": author.orcid,
        "identifiers": _identifiers(author.identifiers),
        "equal_contrib": author.equal_contrib,
        "valid": author.valid,
        "affiliations": [
            {"text": affiliation.text, "identifiers": _identifiers(affiliation.identifiers)}
            for affiliation in author.export_affiliations
        ],
    }


def _section(label: str, nlm_category: str, text: str, html: str) -> dict[str, str]:
    return {"label": label, "nlm_category": nlm_category, "text": text, "html": html}


def _dated(date: dict[str, Any]) -> dict[str, Any]:
    """Ingest stores ArticleDate/PubMedPubDate as ``{type, year, month, day}``, plus
    ``hour`` and ``minute`` when PubMed gave a time: then the date is "2017-11-30T06:00"."""
    iso = _partial_isoformat(date)
    if iso and date.get("hour") is not None:
        iso += f"T{date['hour']:02d}:{date.get('minute') or 0:02d}"
    return {"type": date["type"], "date": iso}


def _partial_isoformat(date: dict[str, Any] | None) -> str | None:
    """ISO 8601 to the precision PubMed gave: "2017-11-29", "2017-11" or "1993"."""
    if not date or not date.get("year"):
        return None
    return PartialDate(date["year"], date.get("month"), date.get("day")).isoformat()


def _book(book: dict[str, Any] | None) -> dict[str, Any] | None:
    if book is None:
        return None
    return {
        **book,
        "beginning_date": _partial_isoformat(book.get("beginning_date")),
        "ending_date": _partial_isoformat(book.get("ending_date")),
    }


def _identifiers(pairs: list[list[str]]) -> list[dict[str, str]]:
    """Ingest stores Identifier elements as ``[source, value]`` pairs."""
    return [{"source": source, "value": value} for source, value in pairs]


def _isoformat(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None
