"""The read-only JSON API: articles with the list page's filters, one article's complete
record, and DOI/PMCID look-ups that redirect to it."""

import datetime
import hashlib

from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_headers
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from articles.api.renderers import CITATION_RENDERERS
from articles.api.serializers import (
    ArticleRecordSerializer,
    ArticleSummarySerializer,
    MeshLookupQuerySerializer,
    MeshTermSerializer,
)
from articles.export import article_to_dict
from articles.filters import ArticleFilter
from articles.models import Article, DeletedCitation, MeshDescriptor, MeshHeading


class ArticleList(generics.ListAPIView):
    """Articles matching the list page's filters, newest PMID first, 20 a page by default
    (``page_size`` up to 200); follow ``next`` for the following page."""

    queryset = Article.objects.visible().for_list()
    serializer_class = ArticleSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def get_queryset(self):
        # As on the list page: curators' exclusions and the blocklist hide articles.
        queryset = super().get_queryset()
        return queryset if self.request.user.is_staff else queryset.public()


def _article_version(request, pmid: int) -> tuple[str, datetime.datetime] | None:
    """(source hash, last change) of a visible article, read once per request."""
    if not hasattr(request, "_article_version"):
        request._article_version = (
            Article.objects.visible()
            .filter(pk=pmid)
            .values_list("source_hash", "last_changed_at")
            .first()
        )
    return request._article_version


def _etag(request, pmid: int) -> str | None:
    version = _article_version(request, pmid)
    if version is None:
        return None
    # The record changes only when ingest stores a new version of it; each representation
    # (JSON, RIS...) chosen by ?format= or Accept gets its own tag.
    variant = f"{request.GET.get('format', '')}|{request.META.get('HTTP_ACCEPT', '')}"
    digest = hashlib.sha1(variant.encode(), usedforsecurity=False).hexdigest()[:8]
    return f'"{version[0]}-{int(version[1].timestamp())}-{digest}"'


def _last_modified(request, pmid: int) -> datetime.datetime | None:
    version = _article_version(request, pmid)
    return version[1] if version else None


@method_decorator(condition(etag_func=_etag, last_modified_func=_last_modified), name="get")
@method_decorator(vary_on_headers("Accept"), name="get")
class ArticleDetail(APIView):
    """One article's complete record, the same object the JSONL export writes, or its
    citation in an export format (``?format=ris|nbib|bibtex|csl-json|csv`` or the format's
    media type in ``Accept``). Withdrawn articles answer 410 Gone. ``ETag`` and
    ``Last-Modified`` allow conditional requests."""

    renderer_classes = [JSONRenderer, *CITATION_RENDERERS]

    @extend_schema(
        responses={
            (200, "application/json"): ArticleRecordSerializer,
            **{(200, renderer.media_type): OpenApiTypes.STR for renderer in CITATION_RENDERERS},
            404: OpenApiResponse(description="No such article"),
            410: OpenApiResponse(description="Withdrawn by PubMed"),
        }
    )
    def get(self, request: Request, pmid: int) -> Response:
        article = Article.objects.filter(pk=pmid).first()
        if article is None or article.is_deleted:
            if article is not None or DeletedCitation.objects.filter(pk=pmid).exists():
                return Response({"detail": "Withdrawn by PubMed."}, status=status.HTTP_410_GONE)
            return Response({"detail": "No such article."}, status=status.HTTP_404_NOT_FOUND)
        return Response(ArticleRecordSerializer(article_to_dict(article)).data)


class _LookupRedirect(APIView):
    @extend_schema(
        responses={
            302: OpenApiResponse(description="Redirect to the article"),
            404: OpenApiResponse(description="No visible article has it"),
        }
    )
    def get(self, request: Request, value: str) -> HttpResponseRedirect:
        article = get_object_or_404(Article.objects.visible(), **{self.lookup: value})
        return HttpResponseRedirect(reverse("api:article-detail", args=[article.pmid]))


class ArticleByDoi(_LookupRedirect):
    """Redirects to the article with this DOI (case-insensitive, as DOIs are)."""

    lookup = "doi__iexact"


class ArticleByPmcid(_LookupRedirect):
    """Redirects to the article with this PMC ID, e.g. PMC3261988."""

    lookup = "pmcid__iexact"


class MeshLookup(APIView):
    """MeSH descriptors for a typeahead: names starting with ``q`` first, then names
    containing it, with how many visible articles carry each (at most 20)."""

    LIMIT = 20

    @extend_schema(
        parameters=[MeshLookupQuerySerializer],
        responses=MeshTermSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = MeshLookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"].strip()
        if not text:
            return Response([])
        prefix = list(
            MeshDescriptor.objects.filter(name__istartswith=text)
            .order_by("name")
            .values_list("ui", "name")[: self.LIMIT]
        )
        found = dict(prefix)
        if len(found) < self.LIMIT:
            for ui, name in (
                MeshDescriptor.objects.filter(name__icontains=text)
                .exclude(ui__in=found)
                .order_by("name")
                .values_list("ui", "name")[: self.LIMIT - len(found)]
            ):
                found[ui] = name
        counts = dict(
            MeshHeading.objects.filter(descriptor__in=found, article__deleted_at__isnull=True)
            .values("descriptor")
            .annotate(articles=Count("article", distinct=True))
            .values_list("descriptor", "articles")
        )
        return Response(
            [{"ui": ui, "name": name, "articles": counts.get(ui, 0)} for ui, name in found.items()]
        )
