"""The curated read model: what a reader sees of an article, in one place.

PubMed's record is stored as PubMed gives it; derived rows (concepts, case facts) as the rules
give them; curators' corrections (``Correction``, keys documented in
``articles.curation.actions``) lie over both. Every output reads the result from here:

- **Filterable values** (case facts, concepts) are materialized by ``apply``: the
  ``CaseFacts`` columns hold the corrected values (the rules' own values of corrected fields
  move to ``CaseFacts.suggested``), a concept a curator added is an ``ArticleConcept`` row
  with source ``curator`` and one a curator removed is marked ``rejected``. So every filter,
  facet count, sort, typeahead count and similar-articles query reads corrected values
  without knowing about corrections. ``apply`` runs wherever derived rows or corrections
  change: ``curation.on_corrections_changed`` and ``derive.rederive``.
- **Displayed text** (title, abstract sections, author names and affiliations, publication
  date as written) is laid over at output time: ``lay_over`` on an exported record (citation
  files, CSV, API), ``row_overlay`` on list rows, ``curation.apply_corrections`` on the
  article page.
- **What Casebook adds** (case facts with evidence, concepts with their sources, the public
  curation status, the corrections with PubMed's values) is ``casebook_block``: the JSON
  export and the API put it beside PubMed's record, under ``"casebook"``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils.html import escape

from articles.models import (
    Article,
    ArticleConcept,
    CaseFacts,
    Correction,
    Curation,
    MeshDescriptor,
)

FACT_FIELDS = ("kind", "patient_count", "male_count", "female_count")
YES, NO = "yes", "no"
CHUNK = 500


# Materializing corrected facts and concepts --------------------------------------------------


def apply(pmids: Iterable[int]) -> None:
    """Make the stored case facts and concepts of these articles what readers see: the
    derived values with the articles' fact and concept corrections laid over them. Idempotent:
    it first puts back the rules' values, then lays the current corrections over them, so it
    also undoes corrections that were deleted. Runs in the caller's transaction."""
    pmids = sorted(set(pmids))
    with transaction.atomic():
        for start in range(0, len(pmids), CHUNK):
            _apply_chunk(pmids[start : start + CHUNK])


def _apply_chunk(pmids: list[int]) -> None:
    _restore(pmids)
    corrections = Correction.objects.filter(article_id__in=pmids).filter(
        field__regex=r"^(facts|concept):"
    )
    facts_corrections: dict[int, dict[str, str]] = defaultdict(dict)
    for correction in corrections:
        parts = correction.field.split(":")
        if parts[0] == "facts":
            facts_corrections[correction.article_id][parts[1]] = correction.corrected_value
        else:
            _apply_concept(correction.article_id, parts[1], parts[2], correction.corrected_value)
    if not facts_corrections:
        return
    existing = CaseFacts.objects.in_bulk(list(facts_corrections))
    for pmid, values in facts_corrections.items():
        facts = existing.get(pmid) or CaseFacts(article_id=pmid)
        suggested = {}
        for name, value in values.items():
            suggested[name] = getattr(facts, name)
            setattr(facts, name, value if name == "kind" else _count(value))
        facts.suggested = suggested
        facts.save()


def _restore(pmids: list[int]) -> None:
    """Put back the rules' values: no curator rows, nothing rejected, facts as suggested."""
    ArticleConcept.objects.filter(
        article_id__in=pmids, source=ArticleConcept.Source.CURATOR
    ).delete()
    ArticleConcept.objects.filter(article_id__in=pmids, rejected=True).update(rejected=False)
    for facts in CaseFacts.objects.filter(article_id__in=pmids).exclude(suggested={}):
        for name, value in facts.suggested.items():
            setattr(facts, name, value)
        facts.suggested = {}
        facts.save()


def _apply_concept(pmid: int, role: str, ui: str, value: str) -> None:
    rows = ArticleConcept.objects.filter(article_id=pmid, role=role, descriptor_id=ui)
    if value == NO:
        rows.update(rejected=True)
    elif value == YES and not rows.exists():
        ArticleConcept.objects.create(
            article_id=pmid, descriptor_id=ui, role=role, source=ArticleConcept.Source.CURATOR
        )


def suggested_fact(facts: CaseFacts | None, name: str) -> Any:
    """The rules' value of a case fact, whether or not a curator corrected it."""
    if facts is None:
        return None
    return facts.suggested.get(name, getattr(facts, name))


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None


# Displayed text -----------------------------------------------------------------------------


def lay_over(record: dict[str, Any], corrections: Sequence[Correction]) -> dict[str, Any]:
    """A copy of an exported record (``export.article_to_dict``) with the text corrections
    laid over PubMed's values: title, abstract sections, author names and affiliations and
    the publication date as written. What citation files and spreadsheets show."""
    text = [c for c in corrections if not c.field.startswith(("facts:", "concept:"))]
    if not text:
        return record
    record = dict(record)
    record["abstract"] = [dict(section) for section in record["abstract"]]
    record["authors"] = [dict(author) for author in record["authors"]]
    for correction in text:
        key, value = correction.field, correction.corrected_value
        parts = key.split(":")
        if key == "title":
            record["title"] = value
            record["title_html"] = escape(value)
        elif key == "pub_date":
            record["pub_date"] = {**record["pub_date"], "raw": value}
        elif parts[0] == "abstract" and int(parts[1]) < len(record["abstract"]):
            section = record["abstract"][int(parts[1])]
            section["text"], section["html"] = value, escape(value)
        elif parts[0] == "author" and int(parts[1]) < len(record["authors"]):
            author = record["authors"][int(parts[1])]
            if parts[2] == "name":
                # A corrected name replaces the name as a whole, as on the article page.
                author.update(
                    last_name="", fore_name="", initials="", suffix="", collective_name=value
                )
            else:
                affiliations = [dict(a) for a in author.get("affiliations", [])]
                if int(parts[3]) < len(affiliations):
                    affiliations[int(parts[3])]["text"] = value
                author["affiliations"] = affiliations
    return record


def row_overlay(articles: Sequence[Article]) -> None:
    """Lay the text corrections a list row shows over a page of rows, in memory: the title,
    the first authors' names (``for_list``'s ``first_authors``), the publication date of the
    source line and the abstract sections (``sections``, when the rows prefetched them). One
    query for the page. A corrected title leaves ``title_corrected`` True on its row."""
    by_pmid = {article.pmid: article for article in articles}
    if not by_pmid:
        return
    corrections = Correction.objects.filter(article_id__in=list(by_pmid)).exclude(
        Q(field__startswith="facts:") | Q(field__startswith="concept:")
    )
    for pmid, key, value in corrections.values_list("article_id", "field", "corrected_value"):
        article = by_pmid[pmid]
        parts = key.split(":")
        if key == "title":
            article.title = value
            article.title_html = escape(value)
            article.title_corrected = True
        elif key == "pub_date":
            article.pub_date_raw = value
        elif parts[0] == "abstract":
            for section in getattr(article, "sections", ()):
                if section.position == int(parts[1]):
                    section.text, section.html = value, escape(value)
        elif parts[0] == "author" and parts[2] == "name":
            for author in getattr(article, "first_authors", ()):
                if author.position == int(parts[1]):
                    # ``short_name`` reads ``collective_name`` first: the corrected name
                    # replaces the name as a whole, as on the article page.
                    author.collective_name = value


# What Casebook adds -------------------------------------------------------------------------


def public_status(curation: Curation | None) -> str:
    """The curation status anyone may see: unreviewed, included, maybe or excluded."""
    return curation.status if curation is not None else Curation.Status.UNREVIEWED


def casebook_block(
    *,
    facts: CaseFacts | None,
    concepts: Sequence[ArticleConcept],
    names: dict[str, str],
    corrections: Sequence[Correction],
    curation: Curation | None,
) -> dict[str, Any]:
    """Casebook's own values for one article, corrected where curators corrected them:
    its case facts with their evidence, its concepts with their sources, whether a therapy
    came before (``prior``) and where the text names them, its public curation status and the
    corrections shown (each with PubMed's or the rules' value)."""
    corrected = {c.field for c in corrections}
    return {
        "status": public_status(curation),
        "facts": _facts_block(facts, corrected),
        "concepts": [
            {
                "role": concept.role,
                "ui": concept.descriptor_id,
                "name": names.get(concept.descriptor_id, concept.descriptor_id),
                "source": concept.source,
                "major": concept.major,
                "prior": concept.prior,
                "curated": f"concept:{concept.role}:{concept.descriptor_id}" in corrected,
                "evidence": concept.evidence or [],
            }
            for concept in concepts
            if not concept.rejected
        ],
        "corrections": [
            {
                "field": c.field,
                "value": c.corrected_value,
                "original": c.original_value,
                "needs_review": c.needs_review,
            }
            for c in corrections
        ],
    }


def casebook_summary(
    *, facts: CaseFacts | None, concepts: Sequence[ArticleConcept], curation: Curation | None
) -> dict[str, Any]:
    """The few of Casebook's values a list row carries: the kind and number of patients, the
    diseases' and therapies' names (``concepts`` from ``concepts_prefetch``) and the public
    curation status."""
    return {
        "status": public_status(curation),
        "kind": facts.kind if facts is not None else None,
        "patient_count": facts.patient_count if facts is not None else None,
        "diseases": _names(concepts, ArticleConcept.Role.DISEASE),
        "therapies": _names(concepts, ArticleConcept.Role.THERAPY),
    }


def _names(concepts: Sequence[ArticleConcept], role: str) -> list[str]:
    return [
        concept.descriptor_name or concept.descriptor_id
        for concept in concepts
        if concept.role == role and not concept.rejected
    ]


def concepts_prefetch(to_attr: str, roles: Sequence[str] = ()) -> Prefetch:
    """Prefetch the concepts a reader sees (in ``roles``, or all), each with its descriptor's
    name as ``descriptor_name`` (None when the loaded MeSH lacks it). The name comes from a
    subquery, not a join: ``descriptor`` has no database constraint (a substance may name a
    descriptor the loaded MeSH lacks), and a join would drop such a concept."""
    concepts = ArticleConcept.objects.effective()
    if roles:
        concepts = concepts.filter(role__in=roles)
    return Prefetch(
        "concepts",
        queryset=concepts.annotate(
            descriptor_name=Subquery(
                MeshDescriptor.objects.filter(ui=OuterRef("descriptor_id")).values("name")[:1]
            )
        ).order_by("role", "descriptor_id"),
        to_attr=to_attr,
    )


def _facts_block(facts: CaseFacts | None, corrected: set[str]) -> dict[str, Any] | None:
    if facts is None:
        return None
    return {
        "kind": facts.kind,
        "patient_count": facts.patient_count,
        "male_count": facts.male_count,
        "female_count": facts.female_count,
        "reviewed_count": facts.reviewed_count,
        "age_min_years": facts.age_min_years,
        "age_max_years": facts.age_max_years,
        "age_mean_years": facts.age_mean_years,
        "age_median_years": facts.age_median_years,
        "has_child": facts.has_child,
        "has_adult": facts.has_adult,
        "has_older_adult": facts.has_older_adult,
        "corrected": sorted(name for name in FACT_FIELDS if f"facts:{name}" in corrected),
        "evidence": facts.evidence,
        "rules_version": facts.rules_version,
    }


def descriptor_names(uis: Iterable[str]) -> dict[str, str]:
    uis = set(uis)
    if not uis:
        return {}
    return dict(MeshDescriptor.objects.filter(ui__in=uis).values_list("ui", "name"))
