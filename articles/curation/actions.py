"""Curation: decisions, the corrections overlay and the blocklist.

PubMed's record is never edited. A ``Correction`` lies over one displayed field, named by a
key; the public page shows the corrected value, marked, with PubMed's value one click away.

Correction keys (``Correction.field``) and what each stands for:

=====================================  ==========================================================
``title``                              the article title (plain text)
``abstract:<position>``                the text of abstract section ``position`` (0-based)
``author:<position>:name``             the name of author ``position`` (0-based, role author)
``author:<position>:affiliation:<n>``  that author's affiliation ``n`` (0-based)
``pub_date``                           the publication date as written ("2009 May-Jun")
``facts:<name>``                       a case-series fact: ``kind`` (a ``CaseFacts.Kind``
                                       value), ``patient_count``, ``male_count``,
                                       ``female_count`` (a number, or "" for unknown)
``concept:<role>:<descriptor ui>``     whether the article is about the MeSH descriptor in that
                                       role (disease, therapy, cause): "yes" adds it, "no"
                                       removes it
=====================================  ==========================================================

Values are text. ``original_value`` is the key's value when the correction was made; after a
re-ingest (``flag_changed_originals``, called by ``articles.ingest.files`` for updated PMIDs) a
correction whose original changed underneath is kept and flagged ``needs_review``, with
PubMed's new value in ``source_value``, until a curator looks at it (``mark_reviewed``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils.html import escape

from articles import curated
from articles.models import (
    AbstractSection,
    Affiliation,
    Article,
    ArticleConcept,
    Author,
    BlockedPMID,
    CaseFacts,
    Correction,
    Curation,
    ExclusionReason,
    MeshDescriptor,
    Tag,
)
from articles.search import index as search_index

FACT_FIELDS = ("kind", "patient_count", "male_count", "female_count")
CONCEPT_ROLES = tuple(ArticleConcept.Role.values)
YES, NO = "yes", "no"

KEY_PATTERN = re.compile(
    r"^(?:title|pub_date"
    r"|abstract:\d+"
    r"|author:\d+:name"
    r"|author:\d+:affiliation:\d+"
    r"|facts:(?:" + "|".join(FACT_FIELDS) + r")"
    r"|concept:(?:" + "|".join(CONCEPT_ROLES) + r"):[A-Za-z0-9]+)$"
)


class CorrectionError(ValueError):
    """A correction that cannot be stored: an unknown key, a key naming something the record
    does not have, or a value of the wrong kind. ``of`` says which: "key" or "value"."""

    def __init__(self, message: str, *, of: str = "key") -> None:
        super().__init__(message)
        self.of = of


def validate_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise CorrectionError(
            f"{key!r} is not a correction key: use title, pub_date, abstract:<n>, "
            "author:<n>:name, author:<n>:affiliation:<n>, facts:<kind|patient_count|"
            "male_count|female_count> or concept:<disease|therapy|cause>:<MeSH UI>"
        )


def validate_value(key: str, value: str) -> None:
    validate_key(key)
    if key == "facts:kind" and value not in CaseFacts.Kind.values:
        raise CorrectionError(
            f"{key}: {value!r} is not a kind; use one of {', '.join(CaseFacts.Kind.values)}",
            of="value",
        )
    if key.startswith("facts:") and key != "facts:kind" and value and not value.isdigit():
        raise CorrectionError(
            f"{key}: {value!r} is not a whole number (or empty for unknown)", of="value"
        )
    if key.startswith("concept:") and value not in (YES, NO):
        raise CorrectionError(
            f"{key}: use {YES!r} (add) or {NO!r} (remove), not {value!r}", of="value"
        )


def validate_for_record(pmid: int, key: str, value: str) -> None:
    """``validate_value``, and the key names something article ``pmid`` has: its abstract
    section, its author and that author's affiliation at those positions, a MeSH descriptor
    (and, to remove a concept, the article has it in that role). A correction of anything
    else would be stored and never shown. Title, publication date and facts always apply.
    Checked when a correction is made; an existing one whose element PubMed later removed
    is kept, flagged (``flag_changed_originals``), and may still be edited."""
    validate_value(key, value)
    parts = key.split(":")
    if not Article.objects.filter(pk=pmid).exists():
        raise CorrectionError(f"{key}: there is no article with PMID {pmid}")
    if parts[0] == "abstract":
        positions = AbstractSection.objects.filter(article_id=pmid).values_list(
            "position", flat=True
        )
        _require_position(key, int(parts[1]), sorted(positions), "abstract section")
    elif parts[0] == "author":
        authors = Author.objects.filter(article_id=pmid, role=Author.Role.AUTHOR)
        _require_position(
            key, int(parts[1]), sorted(authors.values_list("position", flat=True)), "author"
        )
        if parts[2] == "affiliation":
            positions = Affiliation.objects.filter(
                author__in=authors.filter(position=int(parts[1]))
            ).values_list("position", flat=True)
            _require_position(
                key, int(parts[3]), sorted(positions), f"affiliation of author {parts[1]}"
            )
    elif parts[0] == "concept":
        role, ui = parts[1], parts[2]
        if not MeshDescriptor.objects.filter(ui=ui).exists():
            raise CorrectionError(f"{key}: {ui} is not a MeSH descriptor")
        has_it = ArticleConcept.objects.filter(article_id=pmid, role=role, descriptor_id=ui)
        if value == NO and not has_it.exists():
            raise CorrectionError(f"{key}: the article has no {role} {ui} to remove")


def _require_position(key: str, position: int, positions: list[int], what: str) -> None:
    if position in positions:
        return
    if not positions:
        has = f"the record has no {what}"
    elif len(positions) == 1:
        has = f"the record has one {what}, at position {positions[0]}"
    else:
        has = f"the record has {len(positions)}, at positions {positions[0]}-{positions[-1]}"
    raise CorrectionError(
        f"{key}: there is no {what} at position {position}; {has} (positions count from 0)"
    )


def label(key: str) -> str:
    """What a key means, for people: "Author 2, affiliation 1"."""
    parts = key.split(":")
    if key == "title":
        return "Title"
    if key == "pub_date":
        return "Publication date"
    if parts[0] == "abstract":
        return f"Abstract, section {int(parts[1]) + 1}"
    if parts[0] == "author" and parts[2] == "name":
        return f"Author {int(parts[1]) + 1}, name"
    if parts[0] == "author":
        return f"Author {int(parts[1]) + 1}, affiliation {int(parts[3]) + 1}"
    if parts[0] == "facts":
        return {
            "kind": "Kind of article",
            "patient_count": "Number of patients",
            "male_count": "Male patients",
            "female_count": "Female patients",
        }[parts[1]]
    return f"{parts[1].capitalize()} {parts[2]}"


# PubMed's (and the extractor's) current value of a key ------------------------------------


def source_values(pmid: int, keys: Iterable[str]) -> dict[str, str]:
    """The stored, uncorrected value of each key for one article ("" when there is none).
    Reads only the tables the keys need."""
    keys = list(keys)
    kinds = {key.split(":")[0] for key in keys}
    values = {}
    article = {}
    if kinds & {"title", "pub_date"}:
        article = Article.objects.filter(pk=pmid).values("title", "pub_date_raw").first() or {}
    sections = {}
    if "abstract" in kinds:
        sections = dict(
            AbstractSection.objects.filter(article_id=pmid).values_list("position", "text")
        )
    authors, affiliations = {}, {}
    if "author" in kinds:
        authors = {
            a.position: a
            for a in Author.objects.filter(article_id=pmid, role=Author.Role.AUTHOR).only(
                "position", "last_name", "fore_name", "suffix", "collective_name"
            )
        }
        affiliations = {
            (position, n): text
            for position, n, text in Affiliation.objects.filter(
                author__article_id=pmid, author__role=Author.Role.AUTHOR
            ).values_list("author__position", "position", "text")
        }
    facts = None
    if "facts" in kinds:
        facts = CaseFacts.objects.filter(article_id=pmid).first()
    concepts = set()
    if "concept" in kinds:
        concepts = _derived_concepts(pmid)
    for key in keys:
        parts = key.split(":")
        if key == "title":
            value = article.get("title", "")
        elif key == "pub_date":
            value = article.get("pub_date_raw", "")
        elif parts[0] == "abstract":
            value = sections.get(int(parts[1]), "")
        elif parts[0] == "author" and parts[2] == "name":
            author = authors.get(int(parts[1]))
            value = author.display_name if author else ""
        elif parts[0] == "author":
            value = affiliations.get((int(parts[1]), int(parts[3])), "")
        elif parts[0] == "facts":
            value = _fact_text(curated.suggested_fact(facts, parts[1]))
        else:
            value = YES if (parts[1], parts[2]) in concepts else NO
        values[key] = value
    return values


def _fact_text(value: object) -> str:
    return "" if value is None else str(value)


def _derived_concepts(pmid: int) -> set[tuple[str, str]]:
    """(role, ui) of the concepts PubMed's record or its text gives the article, whatever
    curators made of them."""
    return set(
        ArticleConcept.objects.filter(article_id=pmid)
        .exclude(source=ArticleConcept.Source.CURATOR)
        .values_list("role", "descriptor_id")
    )


# Making and reviewing corrections --------------------------------------------------------


def correct(article_id: int, key: str, value: str, *, user, note: str = "") -> Correction:
    """Create or change the correction of ``key``; the original is captured when created."""
    with transaction.atomic():
        correction = Correction.objects.filter(article_id=article_id, field=key).first()
        if correction is None:
            validate_for_record(article_id, key, value)
            correction = Correction(
                article_id=article_id,
                field=key,
                original_value=source_values(article_id, [key])[key],
                created_by=user,
            )
        else:
            validate_value(key, value)
        correction.corrected_value = value
        correction.note = note or correction.note
        correction.updated_by = user
        correction._history_user = user
        correction.save()
    on_corrections_changed([article_id])
    return correction


def capture_original(correction: Correction) -> None:
    """Fill ``original_value`` of a correction about to be created (the admin form)."""
    correction.original_value = source_values(correction.article_id, [correction.field])[
        correction.field
    ]


def mark_reviewed(corrections: Iterable[Correction], *, user) -> int:
    """A curator checked the corrections against PubMed's new values: the new value becomes
    the original, the flag goes."""
    count = 0
    for correction in corrections:
        if not correction.needs_review:
            continue
        correction.original_value = source_values(correction.article_id, [correction.field])[
            correction.field
        ]
        correction.source_value = ""
        correction.needs_review = False
        correction.updated_by = user
        correction._history_user = user
        correction.save()
        count += 1
    return count


def flag_changed_originals(pmids: Sequence[int]) -> int:
    """After a re-ingest of ``pmids``: flag each correction whose original value changed.
    Every correction is kept. Returns how many were newly flagged."""
    by_article: dict[int, list[Correction]] = defaultdict(list)
    for start in range(0, len(pmids), 500):
        for correction in Correction.objects.filter(article_id__in=pmids[start : start + 500]):
            by_article[correction.article_id].append(correction)
    flagged = 0
    for pmid, corrections in by_article.items():
        current = source_values(pmid, [c.field for c in corrections])
        for correction in corrections:
            value = current[correction.field]
            if value == correction.original_value:
                continue
            if correction.needs_review and correction.source_value == value:
                continue
            flagged += not correction.needs_review
            correction.needs_review = True
            correction.source_value = value
            correction.save(update_fields=["needs_review", "source_value"])
    if by_article:
        on_corrections_changed(sorted(by_article))
    return flagged


def on_corrections_changed(pmids: Sequence[int]) -> None:
    """Corrections of these articles changed (made, edited, deleted or flagged).

    The search index holds corrected titles and abstracts, and the stored case facts and
    concepts hold corrected values (``curated.apply``), so both are refreshed here, in the
    caller's transaction.
    """
    curated.apply(pmids)
    search_index.refresh(sorted(set(pmids)))


# The overlay on the article page ----------------------------------------------------------


@dataclass(frozen=True)
class AppliedCorrection:
    key: str
    label: str
    value: str  # what the page shows now
    pubmed_value: str  # what PubMed (or the extractor) says
    needs_review: bool


def apply_corrections(article: Article) -> dict[str, AppliedCorrection]:
    """Lay the article's text corrections over an article loaded with ``for_detail()``, in
    memory: title, abstract sections, author names and affiliations and the publication date
    show the corrected values. Case facts and concepts are stored corrected
    (``curated.apply``); ``article.facts_corrected`` / ``article.concepts_corrected`` say
    whether curators corrected them. Returns the corrections shown, by key, each with
    PubMed's (or the rules') value. One query when there is no correction, and facts and
    concepts are read only when corrected."""
    corrections = list(article.corrections.all())
    article.facts_corrected = False
    article.concepts_corrected = False
    if not corrections:
        return {}
    applied = {}
    sections = {s.position: s for s in article.abstract_sections.all()}
    authors = {a.position: a for a in article.authors.all() if a.role == Author.Role.AUTHOR}
    kinds = {correction.field.split(":")[0] for correction in corrections}
    article.facts_corrected = "facts" in kinds
    article.concepts_corrected = "concept" in kinds
    # Stored facts and concepts already hold the corrected values (``curated.apply``); here
    # only the rules' values are looked up, to show beside them.
    facts = CaseFacts.objects.filter(article=article).first() if "facts" in kinds else None
    derived = _derived_concepts(article.pmid) if "concept" in kinds else set()
    for correction in corrections:
        key, value = correction.field, correction.corrected_value
        parts = key.split(":")
        pubmed = None
        if key == "title":
            pubmed = article.title
            article.title = value
            article.title_html = escape(value)
        elif key == "pub_date":
            pubmed = article.pub_date_raw
            article.pub_date_raw = value
        elif parts[0] == "abstract" and int(parts[1]) in sections:
            section = sections[int(parts[1])]
            pubmed = section.text
            section.text = value
            section.html = escape(value)
        elif parts[0] == "author" and int(parts[1]) in authors:
            author = authors[int(parts[1])]
            if parts[2] == "name":
                pubmed = author.display_name
                # display_name and short_name read collective_name first: the corrected
                # name replaces the name as a whole.
                author.collective_name = value
            else:
                affiliation = next(
                    (a for a in author.affiliations.all() if a.position == int(parts[3])), None
                )
                if affiliation is not None:
                    pubmed = affiliation.text
                    affiliation.text = value
        elif parts[0] == "facts":
            pubmed = _fact_text(curated.suggested_fact(facts, parts[1]))
        elif parts[0] == "concept":
            role, ui = parts[1], parts[2]
            pubmed = YES if (role, ui) in derived else NO
        if pubmed is None:
            continue  # the corrected element is gone from PubMed's record: flagged for review
        shown = AppliedCorrection(key, label(key), value, pubmed, correction.needs_review)
        applied[key] = shown
        # Where the page shows the value, the value's object carries its mark.
        if key == "title":
            article.title_correction = shown
        elif parts[0] == "abstract":
            sections[int(parts[1])].correction = shown
        elif parts[0] == "author" and parts[2] == "name":
            authors[int(parts[1])].name_correction = shown
        elif parts[0] == "author":
            affiliation.correction = shown
        elif key == "pub_date":
            article.pub_date_correction = shown
    if not article.concepts_corrected:
        return applied
    names = curated.descriptor_names(k.split(":")[2] for k in applied if k.startswith("concept:"))
    for key, shown in list(applied.items()):
        if key.startswith("concept:"):
            ui = key.split(":")[2]
            applied[key] = AppliedCorrection(
                key,
                f"{shown.label} ({names.get(ui, ui)})",
                shown.value,
                shown.pubmed_value,
                shown.needs_review,
            )
    return applied


def case_data(article: Article) -> tuple[CaseFacts | None, dict[str, list[tuple[str, str]]]]:
    """The article's case facts and concepts ((ui, name) by role) as readers see them."""
    facts = CaseFacts.objects.filter(article=article).first()
    stored = _concepts(article)
    names = curated.descriptor_names(ui for uis in stored.values() for ui in uis)
    return facts, {role: [(ui, names.get(ui, ui)) for ui in uis] for role, uis in stored.items()}


def _concepts(article: Article) -> dict[str, list[str]]:
    """The concepts a reader sees, by role."""
    concepts: dict[str, list[str]] = {role: [] for role in CONCEPT_ROLES}
    for role, ui in (
        ArticleConcept.objects.effective()
        .filter(article=article)
        .values_list("role", "descriptor_id")
    ):
        concepts[role].append(ui)
    return concepts


# Decisions -------------------------------------------------------------------------------


def curations_for(pmids: Iterable[int], *, user) -> list[Curation]:
    """The curation of each article, created (unreviewed) where there is none yet."""
    pmids = list(dict.fromkeys(pmids))
    existing = Curation.objects.in_bulk(pmids)
    for pmid in pmids:
        if pmid not in existing:
            created = Curation(article_id=pmid, updated_by=user)
            created._history_user = user
            created.save()  # one by one, so that the audit trail records each creation
            existing[pmid] = created
    return [existing[pmid] for pmid in pmids]


def set_status(
    pmids: Iterable[int],
    status: str,
    *,
    user,
    reason: ExclusionReason | None = None,
) -> int:
    """Record a decision for each article; each change is one audit entry (an article
    without a curation gets one, created with the decision). Returns how many changed."""
    if status not in Curation.Status.values:
        raise ValueError(f"{status!r} is not a curation status")
    if reason is not None and status != Curation.Status.EXCLUDED:
        raise ValueError("an exclusion reason goes only with the excluded status")
    pmids = list(dict.fromkeys(pmids))
    changed = 0
    with transaction.atomic():
        existing = Curation.objects.in_bulk(pmids)
        for pmid in pmids:
            curation = existing.get(pmid)
            if curation is None:
                curation = Curation(article_id=pmid)
            elif curation.status == status and curation.exclusion_reason_id == (
                reason.pk if reason else None
            ):
                continue
            curation.status = status
            curation.exclusion_reason = reason
            curation.reviewed_by = user
            curation.updated_by = user
            curation._history_user = user
            curation.save()
            changed += 1
    return changed


def add_tag(pmids: Iterable[int], tag: Tag, *, user) -> int:
    changed = 0
    with transaction.atomic():
        for curation in curations_for(pmids, user=user):
            if curation.tags.filter(pk=tag.pk).exists():
                continue
            _save_quietly(curation, user)
            curation.tags.add(tag)  # the one audit entry, with the new tags
            changed += 1
    return changed


def remove_tag(pmids: Iterable[int], tag: Tag, *, user) -> int:
    changed = 0
    with transaction.atomic():
        for curation in Curation.objects.filter(article_id__in=list(pmids), tags=tag):
            _save_quietly(curation, user)
            curation.tags.remove(tag)  # the one audit entry, with the new tags
            changed += 1
    return changed


def set_tags(pmid: int, tags: Iterable[Tag], *, user) -> bool:
    """Give the article exactly ``tags``, in one audit entry holding the new set (an article
    without a curation gets one). Returns whether its tags changed."""
    wanted = {tag.pk for tag in tags}
    with transaction.atomic():
        curation = curations_for([pmid], user=user)[0]
        current = set(curation.tags.values_list("pk", flat=True))
        if current == wanted:
            return False
        removed, added = current - wanted, wanted - current
        _save_quietly(curation, user)
        if removed and added:
            curation.skip_history_when_saving = True  # the addition records the whole set
            try:
                curation.tags.remove(*removed)
            finally:
                del curation.skip_history_when_saving
        if added:
            curation.tags.add(*added)
        else:
            curation.tags.remove(*removed)
    return True


def _save_quietly(curation: Curation, user) -> None:
    """Save ``updated_by`` without an audit entry of its own: the tag change that follows
    records the whole new state."""
    curation.updated_by = user
    curation._history_user = user
    curation.skip_history_when_saving = True
    try:
        curation.save(update_fields=["updated_by", "updated_at"])
    finally:
        del curation.skip_history_when_saving


def status_counts(articles) -> dict[str, int]:
    """The status facet: how many of ``articles`` (a queryset) have each status, articles
    nobody curated yet counting as unreviewed. Two queries."""
    counts = dict.fromkeys(Curation.Status.values, 0)
    rows = (
        Curation.objects.filter(article__in=articles.order_by().values("pk"))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, n in rows:
        counts[status] = n
    counts[Curation.Status.UNREVIEWED] += articles.count() - sum(counts.values())
    return counts


# Blocklist -------------------------------------------------------------------------------


def blocked_among(pmids: Sequence[int]) -> set[int]:
    """Which of these PMIDs are on the blocklist. One query over the PMIDs' range rather
    than an IN list: the blocklist is short and a batch's PMIDs are many (this runs once
    per ingest batch)."""
    if not pmids:
        return set()
    wanted = set(pmids)
    in_range = BlockedPMID.objects.filter(pmid__gte=min(wanted), pmid__lte=max(wanted))
    return wanted.intersection(in_range.values_list("pmid", flat=True))
