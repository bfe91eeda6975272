"""The triage screen: one article at a time, a decision per click or key press.

A queue is the articles a saved filter (the list page's query string, ``SavedFilter``)
matches, newest PMID first; "next" is the next of them still unreviewed. "Previous" is the
article decided just before, from the curator's history of decisions in this queue (kept in
the session), so a curator can walk back through what they decided whatever the queue's
order. Without a saved filter the queue is every visible article. Decisions, tags and notes
are plain POST forms with CSRF tokens; ``static/js/triage.js`` only adds the keyboard
shortcuts.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles.browse import article_page
from articles.browse.filters import ArticleFilter
from articles.curation import actions as curation
from articles.curation.roles import is_curator
from articles.models import Article, Curation, ExclusionReason, SavedFilter, Tag

UNREVIEWED = Curation.Status.UNREVIEWED
# Key -> status; the template and triage.js read the same table.
DECISION_KEYS = {
    "i": Curation.Status.INCLUDED,
    "m": Curation.Status.MAYBE,
    "e": Curation.Status.EXCLUDED,
}
# Decisions remembered per queue for "previous"; older ones are forgotten.
HISTORY_LENGTH = 200
# List parameters that say how a page looks, not which articles: not part of a queue.
NOT_FILTERS = ("page", "per_page", "format")


def curator_required(view):
    """Anonymous visitors go to the admin login; signed-in non-curators get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_curator(request.user):
            raise PermissionDenied("Curators only.")
        return view(request, *args, **kwargs)

    return wrapped


def _saved_filter(request) -> SavedFilter | None:
    value = request.GET.get("filter") or request.POST.get("filter") or ""
    if not value.isdigit():
        return None
    return get_object_or_404(SavedFilter, pk=int(value), user=request.user)


def queue_articles(saved: SavedFilter | None, request) -> Article:
    """The articles of the queue (any status), or raise Http404 for a broken filter."""
    articles = Article.objects.visible()
    if saved is None:
        return articles
    filterset = ArticleFilter(QueryDict(saved.query), queryset=articles, request=request)
    if not filterset.is_valid():
        raise Http404(f"Saved filter {saved.name!r} is not valid: {filterset.errors.as_text()}")
    return filterset.qs


def unreviewed(articles):
    others = [s for s in Curation.Status.values if s != UNREVIEWED]
    return articles.exclude(curation__status__in=others)


def next_unreviewed(articles, after: int | None = None) -> int | None:
    """The next unreviewed PMID after ``after`` in queue order, wrapping to the start."""
    candidates = unreviewed(articles).order_by("-pmid").values_list("pmid", flat=True)
    if after is not None:
        found = candidates.filter(pmid__lt=after).first()
        if found is not None:
            return found
    return candidates.exclude(pmid=after).first() if after else candidates.first()


def previous_decided(history: list[int], pmid: int) -> int | None:
    """The article decided just before ``pmid`` (a decided one), or the last one decided
    (an article not decided in this queue yet)."""
    if pmid in history:
        position = history.index(pmid)
        return history[position - 1] if position else None
    return history[-1] if history else None


def _history_key(saved: SavedFilter | None) -> str:
    return f"triage-history-{saved.pk if saved else 'all'}"


def _remember_decision(request, saved: SavedFilter | None, pmid: int) -> None:
    key = _history_key(saved)
    earlier = [p for p in request.session.get(key, []) if p != pmid]
    request.session[key] = [*earlier[-(HISTORY_LENGTH - 1) :], pmid]


def _triage_url(pmid: int, saved: SavedFilter | None) -> str:
    url = reverse("curation:triage_article", args=[pmid])
    return f"{url}?filter={saved.pk}" if saved else url


@curator_required
@require_safe
def start(request):
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
def queue(request):
    """Open the first unreviewed article of a queue (``?filter=<id>``)."""
    saved = _saved_filter(request)
    pmid = next_unreviewed(queue_articles(saved, request))
    if pmid is None:
        messages.info(request, "Nothing left to review in this queue.")
        return redirect("curation:start")
    return redirect(_triage_url(pmid, saved))


def queue_query(text: str) -> str:
    """The filters of a list address or query string ("/?journal=Lung&page=3" gives
    "journal=Lung"), without the parameters that only say how the list looks."""
    query = QueryDict(text.strip().split("?", 1)[-1], mutable=True)
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query.urlencode()


@curator_required
@require_POST
def save_filter(request):
    """Save the list page's query string as a named queue."""
    name = request.POST.get("name", "").strip()[:100]
    query = queue_query(request.POST.get("query", ""))
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
def article(request, pmid: int):
    """GET: the article and the decision form. POST: record the decision, go to the next."""
    saved = _saved_filter(request)
    articles = queue_articles(saved, request)
    if request.method == "POST":
        return _decide(request, pmid, saved, articles)
    shown = get_object_or_404(Article.objects.visible().for_detail(), pk=pmid)
    corrections = curation.apply_corrections(shown)
    current = Curation.objects.filter(article=shown).prefetch_related("tags").first()
    chosen_tags = list(current.tags.all()) if current else []
    context = {
        "article": shown,
        "notices": article_page.notices(shown),
        "corrections": corrections,
        "facts": getattr(shown, "facts", None),  # stored as corrected (articles.curated)
        "curation": current,
        "status": current.status if current else UNREVIEWED,
        "chosen_tags": chosen_tags,
        "chosen_tag_ids": {tag.pk for tag in chosen_tags},
        "tags": Tag.objects.all(),
        "can_add_tag": request.user.has_perm("articles.add_tag"),
        "saved_filter": saved,
        "next_pmid": next_unreviewed(articles, after=pmid),
        "previous_pmid": previous_decided(request.session.get(_history_key(saved), []), pmid),
        "remaining": unreviewed(articles).count(),
        "reasons": ExclusionReason.objects.all(),
        "decision_keys": DECISION_KEYS,
        "filter_query": f"?filter={saved.pk}" if saved else "",
    }
    return TemplateResponse(request, "curation/triage.html", context)


def _decide(request, pmid: int, saved: SavedFilter | None, articles):
    """Record the decision (unless only saving), the tags ticked and the notes."""
    get_object_or_404(Article.objects.visible(), pk=pmid)
    only_save = bool(request.POST.get("save"))
    status = request.POST.get("status", "")
    if not only_save and status not in Curation.Status.values:
        messages.error(request, f"Unknown decision {status!r}.")
        return redirect(_triage_url(pmid, saved))
    reason = None
    reason_id = request.POST.get("exclusion_reason", "")
    if status == Curation.Status.EXCLUDED and reason_id.isdigit():
        reason = ExclusionReason.objects.filter(pk=int(reason_id)).first()
    with transaction.atomic():
        if not only_save:
            curation.set_status([pmid], status, user=request.user, reason=reason)
        if request.POST.get("tags_shown"):  # the form had the tags: those not ticked go
            curation.set_tags(pmid, _chosen_tags(request), user=request.user)
        notes = request.POST.get("notes")
        if notes is not None:
            _save_notes(pmid, notes, request.user)
    if only_save:
        messages.success(request, f"PMID {pmid}: tags and notes saved.")
        return redirect(_triage_url(pmid, saved))
    _remember_decision(request, saved, pmid)
    messages.success(request, f"PMID {pmid}: {Curation.Status(status).label.lower()}.")
    following = next_unreviewed(articles, after=pmid)
    if following is None:
        messages.info(request, "That was the last unreviewed article of this queue.")
        return redirect(_triage_url(pmid, saved))
    return redirect(_triage_url(following, saved))


def _chosen_tags(request) -> list[Tag]:
    """The tags ticked, and the new tag typed (created if it is new and the curator may)."""
    ids = [value for value in request.POST.getlist("tags") if value.isdigit()]
    tags = list(Tag.objects.filter(pk__in=ids))
    name = " ".join(request.POST.get("new_tag", "").split())[
        : Tag._meta.get_field("name").max_length
    ]
    if not name:
        return tags
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None and request.user.has_perm("articles.add_tag"):
        tag = Tag(name=name)
        tag._history_user = request.user
        tag.save()
    elif tag is None:
        messages.warning(request, f"Tag “{name}” not added: you may not add tags.")
    return [*tags, tag] if tag else tags


def _save_notes(pmid: int, notes: str, user) -> None:
    record = Curation.objects.filter(article_id=pmid).first()
    if (record.notes if record else "") == notes:
        return
    record = record or curation.curations_for([pmid], user=user)[0]
    record.notes = notes
    record.updated_by = user
    record._history_user = user
    record.save()
