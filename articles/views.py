import logging
from collections.abc import Iterable, Iterator
from functools import wraps
from itertools import islice

from django.contrib import messages
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView
from django_filters.views import FilterView

from articles import curated
from articles.browse import article_page
from articles.browse.filters import ArticleFilter
from articles.browse.listing import CappedPaginator, Link, ListPage, url_with
from articles.curation.actions import apply_corrections, status_counts
from articles.exports import cite
from articles.exports import records as export
from articles.exports.basket import LIMIT as BASKET_LIMIT
from articles.exports.basket import Basket
from articles.exports.formats import CURATOR_CSV, FORMATS, CitationFormat
from articles.exports.pubmed_style import number_affiliations
from articles.models import Article, Author, Curation, DeletedCitation
from articles.search.budget import QueryTooSlow, query_budget
from articles.search.first import Scope
from articles.text.concepts import suggest
from articles.throttling import limit_anonymous

PER_PAGE_CHOICES = (10, 20, 50, 100, 200)
PER_PAGE_DEFAULT = 20

logger = logging.getLogger("django.request")

limit_list = limit_anonymous("list", "CASEBOOK_LIST_RATE", "list pages")
limit_exports = limit_anonymous("export", "CASEBOOK_EXPORT_RATE", "exports")


@method_decorator(limit_list, name="dispatch")
class ArticleListView(FilterView):
    queryset = Article.objects.visible().for_list().order_by("-pub_date", "-pmid")
    filterset_class = ArticleFilter
    # The view paginates itself (get_context_data): the paginator takes the facets' count.
    paginate_by = None
    context_object_name = "article_list"
    template_name = "articles/article_list.html"

    def get(self, request, *args, **kwargs):
        # A GET form sends every field, chosen or not: the list's URL keeps only what was.
        if any(not value.strip() for _, values in request.GET.lists() for value in values):
            return redirect(_without_empty(request))
        try:
            with query_budget():
                # Rendered here: the template reads querysets, and the budget covers them.
                return super().get(request, *args, **kwargs).render()
        except QueryTooSlow as error:
            context = {"message": str(error), "term": request.GET.get("term", "")}
            return TemplateResponse(request, "articles/search_too_slow.html", context, status=503)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.scope is Scope.PUBLIC:
            queryset = queryset.public()
        return ListPage.rows(queryset, self.request.GET)

    @property
    def scope(self) -> Scope:
        # Curators (staff) see excluded articles too, and can filter by status.
        return Scope.VISIBLE if self.request.user.is_staff else Scope.PUBLIC

    def get_context_data(self, **kwargs):
        # Facets first: their capped count is also the paginator's, with the PMIDs they read.
        listing = ListPage(self.request.GET, self.filterset, self.object_list, self.scope)
        per_page = _per_page(self.request.GET)
        paginator = CappedPaginator(self.object_list, per_page, **listing.paginator_kwargs())
        # As PubMed: past the last page, the last page; no page number, the first.
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        kwargs.update(
            object_list=page.object_list,
            paginator=paginator,
            page_obj=page,
            is_paginated=page.has_other_pages(),
        )
        context = super().get_context_data(**kwargs)
        # (value sent, label, selected): the default size sends nothing, like the sort boxes.
        context["per_page_options"] = [
            ("" if size == PER_PAGE_DEFAULT else str(size), size, size == per_page)
            for size in PER_PAGE_CHOICES
        ]
        context["listing"] = listing
        if self.request.user.is_staff:
            context["status_links"] = status_links(self.request.GET, self.filterset.qs)
        query = self.request.GET.copy()
        for key in ("page", "per_page"):
            query.pop(key, None)
        context["export_links"] = export_links("articles:list_export", query=query.urlencode())
        curated.row_overlay(page.object_list)
        context["page_range"] = paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
        return context


def _per_page(query) -> int:
    """The page size asked for (``?per_page=``) if the list offers it, else the default."""
    per_page = query.get("per_page", "")
    # Compared as text: "²" passes str.isdigit and fails int().
    return next((size for size in PER_PAGE_CHOICES if str(size) == per_page), PER_PAGE_DEFAULT)


def _without_empty(request) -> str:
    """The request's path and query without its empty parameters."""
    query = request.GET.copy()
    for name, values in request.GET.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            query.setlist(name, kept)
        else:
            del query[name]
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def status_links(query, articles) -> list[Link]:
    """Curators' status facet: each status with its count among ``articles``, as links."""
    counts = status_counts(articles)
    chosen = query.get("status")
    return [
        Link(
            label,
            url_with(query, status=None if chosen == value else value),
            counts[value],
            active=chosen == value,
        )
        for value, label in Curation.Status.choices
    ]


@require_safe
def concept_suggestions(request) -> JsonResponse:
    """Typeahead for the disease and therapy filters: MeSH names and synonyms ("IVIG")."""
    role = request.GET.get("role", "")
    return JsonResponse(suggest(request.GET.get("q", "")[:100], role), safe=False)


# Authors the article page shows until the reader asks for all (?authors=all).
AUTHORS_SHOWN = 25


class ArticleDetailView(DetailView):
    queryset = Article.objects.for_detail()
    pk_url_kwarg = "pmid"

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            tombstone = DeletedCitation.objects.filter(pk=kwargs["pmid"]).first()
            if tombstone is None:
                raise
            return self.gone(tombstone.pmid, tombstone.deleted_at)
        if self.object.is_deleted:
            return self.gone(self.object.pmid, self.object.deleted_at)
        return self.render_to_response(self.get_context_data(object=self.object))

    def gone(self, pmid, deleted_at):
        context = {"pmid": pmid, "deleted_at": deleted_at}
        return TemplateResponse(self.request, "articles/article_gone.html", context, status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        authors = [a for a in article.authors.all() if a.role == Author.Role.AUTHOR]
        many = len(authors) > AUTHORS_SHOWN
        # The Cite box reads the exported record with the corrections laid over it, as the
        # citation files do; taken before ``apply_corrections`` edits the article in memory.
        # The record reads every author again (2-3 s for 20,000), so for a long list the box
        # waits for a style to be asked for, as the basket's does.
        record = None
        if not many or "style" in self.request.GET:
            record = curated.lay_over(export.article_to_dict(article), article.export_corrections)
        # Before anything else reads the record: curators' corrections replace PubMed's values.
        context["corrections"] = apply_corrections(article)
        # A consortium paper may name thousands; the byline shows the first AUTHORS_SHOWN.
        shown = authors
        if many and self.request.GET.get("authors") != "all":
            shown = authors[:AUTHORS_SHOWN]
        context["byline"] = number_affiliations(shown)
        context["authors_total"] = len(authors)
        context["authors_hidden"] = len(authors) - len(shown)
        context["editors"] = [a for a in article.authors.all() if a.role == Author.Role.EDITOR]
        investigators = [a for a in article.authors.all() if a.role == Author.Role.INVESTIGATOR]
        context["investigators_total"] = len(investigators)
        if len(investigators) > AUTHORS_SHOWN and self.request.GET.get("authors") != "all":
            investigators = investigators[:AUTHORS_SHOWN]
        context["investigators"] = investigators
        context["export_links"] = export_links("articles:export", article.pmid)
        context["in_basket"] = article.pmid in Basket(self.request.session)
        context["notices"] = article_page.notices(article)
        context["cite"] = cite_box(self.request, None if record is None else [record])
        context.update(article_page.related(article))
        return context


def cite_box(request, records: list[dict] | None) -> dict:
    """Context of the Cite disclosure: the records' citations in the style asked for
    (``?style=``, AMA by default), open when the visitor chose a style. ``records=None``
    shows only the style form."""
    style = cite.style_or_default(request.GET.get("style"))
    return {
        "style": style,
        "styles": list(cite.STYLES.values()),
        "citations": None if records is None else cite.cite(records, style),
        "open": "style" in request.GET,
    }


# Exports and the basket ---------------------------------------------------------------------

# Articles read per chunk when a list or basket is exported: the response holds one chunk in
# memory at a time, whatever the size of the result.
EXPORT_CHUNK_SIZE = export.CHUNK_SIZE


def export_links(url_name: str, *args: object, query: str = "") -> list[tuple[str, str]]:
    """(label, URL) of each export format, for the export menus."""
    suffix = f"?{query}" if query else ""
    return [
        (fmt.label, reverse(url_name, args=[*args, fmt.name]) + suffix) for fmt in FORMATS.values()
    ]


def _format_or_404(name: str) -> CitationFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise Http404(f"No export format {name!r}") from None


def _attachment(response: HttpResponseBase, fmt: CitationFormat, stem: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}.{fmt.extension}"
    )
    if fmt is CURATOR_CSV:
        patch_cache_control(response, private=True)  # curators' notes: never in a shared cache
    return response


def _for_reader(request, fmt: CitationFormat, records: Iterable[dict]) -> tuple:
    """Curators (staff) get their notes in CSV files; nobody else."""
    if fmt.name == "csv" and request.user.is_staff:
        return CURATOR_CSV, _with_curation(records)
    return fmt, records


def _with_curation(records: Iterable[dict]) -> Iterator[dict]:
    """``records`` with curators' notes added, one query per ``EXPORT_CHUNK_SIZE`` records."""
    records = iter(records)
    while chunk := list(islice(records, EXPORT_CHUNK_SIZE)):
        notes = dict(
            Curation.objects.filter(pk__in=[record["pmid"] for record in chunk]).values_list(
                "pk", "notes"
            )
        )
        for record in chunk:
            yield {**record, "curation": {"notes": notes.get(record["pmid"], "")}}


def _streamed(request, fmt: CitationFormat, queryset, stem: str) -> StreamingHttpResponse:
    records = export.iter_export(queryset, corrected=True, chunk_size=EXPORT_CHUNK_SIZE)
    file_format, records = _for_reader(request, fmt, records)
    chunks = _failing_loudly(request, (text.encode() for text in file_format.iter_text(records)))
    response = StreamingHttpResponse(chunks, content_type=fmt.content_type)
    return _attachment(response, file_format, stem)


def _failing_loudly(request, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, with an error raised while producing them logged as a server error (with
    its traceback, mailed to ADMINS) and raised again. The status line went out with the
    first chunk, so the server can only break the connection: under HTTP/1.1 the chunked
    body then lacks its last chunk, and the client sees an incomplete download instead of
    a file that merely stops early."""
    try:
        yield from chunks
    except Exception:
        logger.error(
            "Export failed mid-stream: %s",
            request.path,
            exc_info=True,
            extra={"status_code": 500, "request": request},
        )
        raise


@require_safe
def article_export(request, pmid: int, format: str) -> HttpResponse:
    """One article's citation file, /<pmid>/export/<format>/."""
    fmt = _format_or_404(format)
    records = list(export.iter_export(Article.objects.filter(pk=pmid), corrected=True))
    if not records:
        raise Http404("No such article")
    file_format, records = _for_reader(request, fmt, records)
    response = HttpResponse(file_format.text(records), content_type=fmt.content_type)
    return _attachment(response, file_format, f"pubmed-{pmid}")


@require_safe
@limit_exports
def list_export(request, format: str) -> HttpResponse:
    """Every article the list's filters match, streamed a chunk at a time."""
    fmt = _format_or_404(format)
    articles = Article.objects.all() if request.user.is_staff else Article.objects.public()
    filterset = ArticleFilter(request.GET, queryset=articles, request=request)
    if not filterset.is_valid():
        return HttpResponseBadRequest("Invalid filters: " + filterset.errors.as_text())
    return _streamed(request, fmt, filterset.qs, "casebook-articles")


@require_safe
def basket_detail(request) -> HttpResponse:
    basket = Basket(request.session)
    pmids = basket.pmids
    by_pmid = Article.objects.visible().for_list().in_bulk(pmids)
    curated.row_overlay(list(by_pmid.values()))
    context = {
        "articles": [by_pmid[pmid] for pmid in pmids if pmid in by_pmid],
        "export_links": export_links("articles:basket_export"),
    }
    # Citations cost 10-40 ms an article the first time (citeproc), so the basket renders
    # them only once a visitor asks for a style.
    asked = "style" in request.GET and context["articles"]
    context["cite"] = cite_box(request, basket_records(pmids) if asked else None)
    return TemplateResponse(request, "articles/basket.html", context)


def basket_records(pmids: list[int]) -> list[dict]:
    """The exported records of the basket's visible articles, in the basket's order, with
    curators' corrections laid over them as in the citation files."""
    records = export.iter_export(Article.objects.filter(pk__in=pmids), corrected=True)
    by_pmid = {record["pmid"]: record for record in records}
    return [by_pmid[pmid] for pmid in pmids if pmid in by_pmid]


@require_safe
@limit_exports
def basket_export(request, format: str) -> HttpResponse:
    fmt = _format_or_404(format)
    queryset = Article.objects.filter(pk__in=Basket(request.session).pmids)
    return _streamed(request, fmt, queryset, "casebook-basket")


# The largest value the PMID column holds (a PositiveIntegerField) on every database.
MAX_PMID = 2**31 - 1


def parse_pmid(value: str) -> int | None:
    """``value`` as a PMID, or None when it is not one."""
    # Ten digits at most: int() refuses over 4,300, and nothing longer is a PMID.
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    pmid = int(value)
    return pmid if 1 <= pmid <= MAX_PMID else None


class BadPmid(ValueError):
    """A posted ``pmid`` that is not one."""


def _posted_pmids(request) -> list[int]:
    """The posted PMIDs; ``BadPmid`` names the first value that is not a PMID (only ASCII
    digits, 1 to ``MAX_PMID``: ``"²"`` passes ``str.isdigit`` and then fails ``int``, and
    20 digits overflow the database's integer)."""
    pmids = []
    for value in request.POST.getlist("pmid"):
        pmid = parse_pmid(value)
        if pmid is None:
            raise BadPmid(f"pmid: {value[:40]!r} is not a PubMed ID (1 to {MAX_PMID}).")
        pmids.append(pmid)
    return pmids


def _bad_pmid(view):
    """``view``, answering 400 with the message when a posted PMID is not one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadPmid as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")

    return wrapper


def _back(request, default: str) -> HttpResponseRedirect:
    """Back to the page the form was on (a local URL only), else ``default``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


@require_POST
@_bad_pmid
def basket_add(request) -> HttpResponseRedirect:
    pmids = _posted_pmids(request)
    existing = set(Article.objects.visible().filter(pk__in=pmids).values_list("pk", flat=True))
    candidates = [pmid for pmid in pmids if pmid in existing]
    basket = Basket(request.session)
    added = basket.add(candidates)
    if not candidates:
        messages.info(request, "Tick the articles to add first.")
    else:
        messages.success(
            request, f"Added {added} article{pluralize(added)}; {len(basket)} in the basket."
        )
    if any(pmid not in basket for pmid in candidates):
        messages.warning(request, f"The basket is full: it holds at most {BASKET_LIMIT} articles.")
    return _back(request, reverse("articles:basket"))


@require_POST
@_bad_pmid
def basket_remove(request) -> HttpResponseRedirect:
    removed = Basket(request.session).remove(_posted_pmids(request))
    messages.success(request, f"Removed {removed} article{pluralize(removed)} from the basket.")
    return _back(request, reverse("articles:basket"))


@require_POST
def basket_clear(request) -> HttpResponseRedirect:
    Basket(request.session).clear()
    messages.success(request, "The basket is empty.")
    return _back(request, reverse("articles:basket"))
