"""The read-only JSON API: articles with the list page's filters, one article's complete
record, and DOI/PMCID look-ups that redirect to it."""

import hashlib
import json

from django.db import connection
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_headers
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from articles import curated
from articles.api.pagination import SearchCursorPagination
from articles.api.renderers import CITATION_RENDERERS, CitationRenderer
from articles.api.schema import (
    CSL_JSON,
    INVALID_PARAMETERS,
    SEARCH_TOO_SLOW,
    THROTTLED,
    ErrorSerializer,
    in_every_format,
)
from articles.api.serializers import (
    ArticleRecordSerializer,
    ArticleSummarySerializer,
    MeshLookupQuerySerializer,
    MeshTermSerializer,
)
from articles.browse.filters import SORTS, ApiArticleFilter
from articles.exports.records import iter_export
from articles.models import (
    Article,
    ArticleConcept,
    Curation,
    DeletedCitation,
    MeshDescriptor,
    MeshHeading,
)
from articles.search.budget import QueryTooSlow, query_budget

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such article")


class NotedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the filterset on the request: its ``search_note``
    goes into the response."""

    def get_filterset(self, request, queryset, view):
        request.filterset = super().get_filterset(request, queryset, view)
        return request.filterset


@extend_schema(
    parameters=[
        OpenApiParameter(
            "sort",
            enum=list(SORTS),
            description="The list page's orders: publication date, best match (with a "
            "term; else publication date), first author, journal, number of patients. "
            "With sort or sort_order the rows come in that order through the first "
            "10,000 matches; with neither, newest PMID first, however many.",
        ),
        OpenApiParameter("sort_order", enum=["desc", "asc"], description="desc by default."),
        OpenApiParameter(
            "publication_type",
            str,
            description="A publication type's MeSH UI, e.g. D016454 (Review).",
        ),
        OpenApiParameter(
            "status",
            enum=Curation.Status.values,
            description="Curators only (signed-in staff); ignored for anyone else.",
        ),
    ],
    responses={
        200: ArticleSummarySerializer,
        400: INVALID_PARAMETERS,
        404: OpenApiResponse(
            ErrorSerializer,
            description="Invalid cursor: a cursor holds only with the parameters that gave it",
        ),
        429: THROTTLED,
        503: SEARCH_TOO_SLOW,
    },
)
class ArticleList(generics.ListAPIView):
    """Articles matching the list page's filters, 20 a page by default (``page_size`` up to
    200); follow ``next`` for the following page. Newest PMID first, or with ``sort`` /
    ``sort_order`` in the list page's order (through its first 10,000 matches, as the list
    page pages). Rows show curators' corrections and carry Casebook's case facts, diseases,
    therapies and curation status under ``casebook``."""

    queryset = (
        Article.objects.visible()
        .for_list()
        .select_related("facts", "curation")
        .prefetch_related(
            curated.concepts_prefetch(
                "row_concepts", roles=(ArticleConcept.Role.DISEASE, ArticleConcept.Role.THERAPY)
            )
        )
    )
    serializer_class = ArticleSummarySerializer
    filter_backends = [NotedFilterBackend]
    filterset_class = ApiArticleFilter

    def get_queryset(self):
        # As on the list page: curators' exclusions and the blocklist hide articles.
        queryset = super().get_queryset()
        return queryset if self.request.user.is_staff else queryset.public()

    pagination_class = SearchCursorPagination

    def list(self, request, *args, **kwargs):
        try:
            with query_budget():
                return super().list(request, *args, **kwargs)
        except QueryTooSlow as error:
            raise SearchTooSlow(str(error)) from error

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        curated.row_overlay(page)
        return page

    def get_paginated_response(self, data):
        filterset = getattr(self.request, "filterset", None)
        self.paginator.search_note = getattr(filterset, "search_note", "")
        if query := getattr(filterset, "search_query", None):
            self.paginator.search_details = query.details
        return super().get_paginated_response(data)


class SearchTooSlow(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_too_slow"


PMID = OpenApiParameter(
    "pmid",
    {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    OpenApiParameter.PATH,
    description="The article's PubMed ID.",
)


def _record(request, pmid: int) -> dict | None:
    """The visible article's record, read once per request: PubMed's as stored for JSON, with
    the curators' text corrections laid over for a citation format."""
    if not hasattr(request, "_article_record"):
        citation = isinstance(request.accepted_renderer, CitationRenderer)
        records = list(iter_export(Article.objects.filter(pk=pmid), corrected=citation))
        request._article_record = records[0] if records else None
    return request._article_record


def _etag(request, pmid: int) -> str | None:
    """A digest of the representation: the record changes with a new version from PubMed and
    with what curators and the rules add to it, which bear no common timestamp."""
    record = _record(request, pmid)
    if record is None:
        return None
    content = json.dumps([request.accepted_renderer.format, record], sort_keys=True)
    return '"' + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest() + '"'


@method_decorator(condition(etag_func=_etag), name="get")
@method_decorator(vary_on_headers("Accept"), name="get")
class ArticleDetail(APIView):
    """One article's complete record, the same object the JSONL export writes (PubMed's
    record as stored, Casebook's values and curators' corrections under ``casebook``), or its
    citation in an export format (``?format=ris|nbib|bibtex|csl-json|csv`` or the format's
    media type in ``Accept``), which shows the corrected text. Withdrawn articles answer 410
    Gone. ``ETag`` allows conditional requests (``If-None-Match``)."""

    renderer_classes = [JSONRenderer, *CITATION_RENDERERS]

    @extend_schema(
        parameters=[PMID],
        responses={
            (200, "application/json"): ArticleRecordSerializer,
            **{
                (200, renderer.media_type): CSL_JSON
                if renderer.format == "csl-json"
                else OpenApiTypes.STR
                for renderer in CITATION_RENDERERS
            },
            304: OpenApiResponse(description="Not modified: If-None-Match holds the ETag"),
            **in_every_format(404, "No such article, or no such format"),
            **in_every_format(410, "Withdrawn by PubMed"),
            **in_every_format(429, THROTTLED.description),
        },
    )
    def get(self, request: Request, pmid: int) -> Response:
        record = _record(request, pmid)
        if record is None:
            # Not visible: withdrawn (still stored, or a tombstone), or never stored.
            if (
                Article.objects.filter(pk=pmid).exists()
                or DeletedCitation.objects.filter(pk=pmid).exists()
            ):
                return Response({"detail": "Withdrawn by PubMed."}, status=status.HTTP_410_GONE)
            return Response({"detail": "No such article."}, status=status.HTTP_404_NOT_FOUND)
        return Response(ArticleRecordSerializer(record).data)


class _LookupRedirect(APIView):
    responses = {
        302: OpenApiResponse(description="Redirect to the article"),
        404: OpenApiResponse(ErrorSerializer, description="No visible article has it"),
        429: THROTTLED,
    }

    def get(self, request: Request, value: str) -> HttpResponseRedirect:
        if "\x00" in value:
            # No stored identifier holds one, and PostgreSQL refuses it in a query.
            raise Http404("No visible article has it")
        article = get_object_or_404(Article.objects.visible(), **{self.lookup: value})
        return HttpResponseRedirect(reverse("api:article-detail", args=[article.pmid]))


@extend_schema(
    parameters=[
        OpenApiParameter(
            "value",
            # What the route takes: any characters but a line break.
            {"type": "string", "pattern": "^[^\\n]+$"},
            OpenApiParameter.PATH,
            description="A DOI, e.g. 10.1289/ehp.1103729.",
        )
    ],
    responses=_LookupRedirect.responses,
)
class ArticleByDoi(_LookupRedirect):
    """Redirects to the article with this DOI (case-insensitive, as DOIs are)."""

    lookup = "doi__iexact"


@extend_schema(
    parameters=[
        OpenApiParameter(
            "value",
            {"type": "string", "pattern": "^[^/]+$"},
            OpenApiParameter.PATH,
            description="A PMC ID, e.g. PMC3261988.",
        )
    ],
    responses=_LookupRedirect.responses,
)
class ArticleByPmcid(_LookupRedirect):
    """Redirects to the article with this PMC ID, e.g. PMC3261988."""

    lookup = "pmcid__iexact"


class MeshLookup(APIView):
    """MeSH descriptors for a typeahead: names starting with ``q`` first, then names
    containing it, with how many visible articles carry each (at most 20)."""

    LIMIT = 20

    @extend_schema(
        parameters=[MeshLookupQuerySerializer],
        responses={
            200: MeshTermSerializer(many=True),
            400: INVALID_PARAMETERS,
            429: THROTTLED,
        },
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
        if not found:
            return Response([])
        # Articles carrying it as a MeSH heading or as a concept a reader sees (found in the
        # text, added by a curator, not removed by one), as the disease and therapy filters do.
        visible = {"descriptor__in": list(found), "article__deleted_at__isnull": True}
        pairs = (
            MeshHeading.objects.filter(**visible)
            .order_by()
            .values("descriptor_id", "article_id")
            .union(
                ArticleConcept.objects.effective()
                .filter(**visible)
                .order_by()
                .values("descriptor_id", "article_id")
            )
        )
        sql, params = pairs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT descriptor_id, COUNT(*) FROM ({sql}) pairs GROUP BY descriptor_id",
                params,
            )
            counts = dict(cursor.fetchall())
        return Response(
            [{"ui": ui, "name": name, "articles": counts.get(ui, 0)} for ui, name in found.items()]
        )
