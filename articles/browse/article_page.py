"""What the article page shows beyond the record itself: the articles of our collection that
cite it and those most like it, and where each MeSH term links in the list."""

from __future__ import annotations

from django.db.models import Count, IntegerField, Sum
from django.db.models.functions import Cast
from django.http import QueryDict

from articles.models import Article, ArticleConcept, CommentCorrection, Reference

SIMILAR_LIMIT = 10
CITED_BY_LIMIT = 100
ROLES = [ArticleConcept.Role.DISEASE, ArticleConcept.Role.THERAPY]
# CommentsCorrections types that warn a reader off the article, in PubMed's banner order.
NOTICE_TYPES = {
    "RetractionIn": "Retraction",
    "ExpressionOfConcernIn": "Expression of concern",
    "ErratumIn": "Erratum",
}


def notices(article: Article) -> list[tuple[str, CommentCorrection]]:
    """(label, notice) of the retractions, expressions of concern and errata published about
    an article fetched with ``for_detail()``, for the banners of the article page and the
    triage screen (``articles/includes/notices.html``). No query."""
    return [
        (label, cc)
        for ref_type, label in NOTICE_TYPES.items()
        for cc in article.comments_corrections.all()
        if cc.ref_type == ref_type
    ]


def related(article: Article) -> dict:
    """The article page's context beyond the record, in four queries at most: the articles
    sharing its diseases and therapies (prefetched by ``for_detail``), the articles citing it,
    those articles' rows and first authors. Each MeSH heading gets ``list_url``, the list
    filtered by it (by disease or therapy when the article has it in that role, else by the
    heading)."""
    concepts = {c.descriptor_id: c.role for c in article.concepts.all() if c.role in ROLES}
    for heading in article.mesh_headings.all():
        query = QueryDict(mutable=True)
        query[concepts.get(heading.descriptor_id, "mesh")] = heading.descriptor.name
        heading.list_url = "?" + query.urlencode()
    ranked = _most_shared(article, list(concepts)) if concepts else []
    citing = list(
        Reference.objects.filter(cited_id=article.pk)
        .exclude(article_id=article.pk)
        .values_list("article_id", flat=True)
        .distinct()[:CITED_BY_LIMIT]
    )
    rows = Article.objects.visible().for_list().in_bulk([pk for pk, _n in ranked] + citing)
    similar = []
    for pk, shared in ranked:
        if pk in rows and len(similar) < SIMILAR_LIMIT:
            rows[pk].shared_concepts = shared
            similar.append(rows[pk])
    cited_by = sorted(
        (rows[pk] for pk in citing if pk in rows),
        key=lambda other: (other.pub_date is not None, other.pub_date, other.pk),
        reverse=True,
    )
    return {
        "similar": similar,
        "cited_by": cited_by,
    }


def _most_shared(article: Article, descriptors: list[str]) -> list[tuple[int, int]]:
    """(PMID, shared concepts) of the articles sharing most of ``descriptors``, a shared
    major topic counting twice as a tie-break, newest PMIDs first among equals."""
    rows = (
        ArticleConcept.objects.effective()
        .filter(descriptor_id__in=descriptors, role__in=ROLES)
        .exclude(article_id=article.pk)
        .values("article_id")
        .annotate(
            shared=Count("descriptor_id", distinct=True),
            major=Sum(Cast("major", IntegerField())),
        )
        .order_by("-shared", "-major", "-article_id")[: SIMILAR_LIMIT * 2]
    )
    return [(row["article_id"], row["shared"]) for row in rows]
