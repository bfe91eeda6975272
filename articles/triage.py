"""The triage screen: one article at a time, a decision per click or key press.

A queue is the articles a saved filter (the list page's query string, ``SavedFilter``)
matches, newest PMID first; "next" is the next of them still unreviewed, "previous" the one
before in the same order whatever its status, so a curator can go back to a decision just
made. Without a saved filter the queue is every visible article. Decisions are plain POST
forms with CSRF tokens; ``static/js/triage.js`` only adds the keyboard shortcuts.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles import curation
from articles.filters import ArticleFilter
from articles.models import Article, Curation, ExclusionReason, SavedFilter
from articles.roles import is_curator

UNREVIEWED = Curation.Status.UNREVIEWED
# Key -> status; the template and triage.js read the same table.
DECISION_KEYS = {
    "i": Curation.Status.INCLUDED,
    "m": Curation.Status.MAYBE,
    "e": Curation.Status.EXCLUDED,
}


def curator_required(view):  # noqa: ANN001, ANN201
    """Anonymous visitors go to the admin login; signed-in non-curators get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):  # noqa: ANN001, ANN202
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_curator(request.user):
            raise PermissionDenied("Curators only.")
        return view(request, *args, **kwargs)

    return wrapped


def _saved_filter(request) -> SavedFilter | None:  # noqa: ANN001
    value = request.GET.get("filter") or request.POST.get("filter") or ""
    if not value.isdigit():
        return None
    return get_object_or_404(SavedFilter, pk=int(value), user=request.user)


def queue_articles(saved: SavedFilter | None, request) -> Article:  # noqa: ANN001
    """The articles of the queue (any status), or raise Http404 for a broken filter."""
    articles = Article.objects.visible()
    if saved is None:
        return articles
    filterset = ArticleFilter(QueryDict(saved.query), queryset=articles, request=request)
    if not filterset.is_valid():
        raise Http404(f"Saved filter {saved.name!r} is not valid: {filterset.errors.as_text()}")
    return filterset.qs


def unreviewed(articles):  # noqa: ANN001, ANN201
    others = [s for s in Curation.Status.values if s != UNREVIEWED]
    return articles.exclude(curation__status__in=others)


def next_unreviewed(articles, after: int | None = None) -> int | None:  # noqa: ANN001
    """The next unreviewed PMID after ``after`` in queue order, wrapping to the start."""
    candidates = unreviewed(articles).order_by("-pmid").values_list("pmid", flat=True)
    if after is not None:
        found = candidates.filter(pmid__lt=after).first()
        if found is not None:
            return found
    return candidates.exclude(pmid=after).first() if after else candidates.first()


def previous_article(articles, before: int) -> int | None:  # noqa: ANN001
    return articles.filter(pmid__gt=before).order_by("pmid").values_list("pmid", flat=True).first()


def _triage_url(pmid: int, saved: SavedFilter | None) -> str:
    url = reverse("curation:triage_article", args=[pmid])
    return f"{url}?filter={saved.pk}" if saved else url


@curator_required
@require_safe
def start(request):  # noqa: ANN001, ANN201
    """Pick a queue: every visible article, or one of the curator's saved filters."""
    filters = SavedFilter.objects.filter(user=request.user)
    queues = []
    for saved in [None, *filters]:
        try:
            remaining = unreviewed(queue_articles(saved, request)).count()
        except Http404:
            remaining = None
        queues.append((saved, remaining))
    context = {"queues": queues, "query": request.GET.get("query", "")}
    return TemplateResponse(request, "curation/triage_start.html", context)


@curator_required
@require_safe
def queue(request):  # noqa: ANN001, ANN201
    """Open the first unreviewed article of a queue (``?filter=<id>``)."""
    saved = _saved_filter(request)
    pmid = next_unreviewed(queue_articles(saved, request))
    if pmid is None:
        messages.info(request, "Nothing left to review in this queue.")
        return redirect("curation:start")
    return redirect(_triage_url(pmid, saved))


@curator_required
@require_POST
def save_filter(request):  # noqa: ANN001, ANN201
    """Save the list page's query string as a named queue."""
    name = request.POST.get("name", "").strip()[:100]
    query = request.POST.get("query", "").lstrip("?")
    if not name:
        messages.error(request, "Give the filter a name.")
        return redirect("curation:start")
    saved, _ = SavedFilter.objects.update_or_create(
        user=request.user, name=name, defaults={"query": query}
    )
    messages.success(request, f"Saved “{name}”.")
    return redirect(f"{reverse('curation:queue')}?filter={saved.pk}")


@curator_required
@require_http_methods(["GET", "HEAD", "POST"])
def article(request, pmid: int):  # noqa: ANN001, ANN201
    """GET: the article and the decision form. POST: record the decision, go to the next."""
    saved = _saved_filter(request)
    articles = queue_articles(saved, request)
    if request.method == "POST":
        return _decide(request, pmid, saved, articles)
    shown = get_object_or_404(Article.objects.visible().for_detail(), pk=pmid)
    corrections = curation.apply_corrections(shown)
    facts, concepts = curation.case_data(shown)
    current = Curation.objects.filter(article=shown).prefetch_related("tags").first()
    context = {
        "article": shown,
        "corrections": corrections,
        "facts": facts,
        "concepts": {role: items for role, items in concepts.items() if items},
        "curation": current,
        "status": current.status if current else UNREVIEWED,
        "saved_filter": saved,
        "next_pmid": next_unreviewed(articles, after=pmid),
        "previous_pmid": previous_article(articles, pmid),
        "remaining": unreviewed(articles).count(),
        "reasons": ExclusionReason.objects.all(),
        "decision_keys": DECISION_KEYS,
        "filter_query": f"?filter={saved.pk}" if saved else "",
    }
    return TemplateResponse(request, "curation/triage.html", context)


def _decide(request, pmid: int, saved: SavedFilter | None, articles):  # noqa: ANN001, ANN202
    get_object_or_404(Article.objects.visible(), pk=pmid)
    status = request.POST.get("status", "")
    if status not in Curation.Status.values:
        messages.error(request, f"Unknown decision {status!r}.")
        return redirect(_triage_url(pmid, saved))
    reason = None
    reason_id = request.POST.get("exclusion_reason", "")
    if status == Curation.Status.EXCLUDED and reason_id.isdigit():
        reason = ExclusionReason.objects.filter(pk=int(reason_id)).first()
    curation.set_status([pmid], status, user=request.user, reason=reason)
    notes = request.POST.get("notes")
    if notes is not None:
        record = Curation.objects.get(article_id=pmid)
        if record.notes != notes:
            record.notes = notes
            record.updated_by = request.user
            record._history_user = request.user
            record.save()
    messages.success(request, f"PMID {pmid}: {Curation.Status(status).label.lower()}.")
    following = next_unreviewed(articles, after=pmid)
    if following is None:
        messages.info(request, "That was the last unreviewed article of this queue.")
        return redirect(_triage_url(pmid, saved))
    return redirect(_triage_url(following, saved))
