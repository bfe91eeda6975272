"""Saved searches: what they match, what is new since the last alert, and the e-mail digest.

A saved search is the article list's query string (``SavedSearch.query``) run again through the
list's own filters (``ArticleFilter``), over the articles the public list shows. An article is
new to a search when Casebook stored it after the search's ``alerted_until``; the digest moves
that mark to the moment it started, so an article stored while a digest is being written is in
the next one, never in none.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from articles import curated
from articles.browse.filters import ArticleFilter
from articles.exports.pubmed_style import source_line
from articles.models import Article, SavedSearch

logger = logging.getLogger(__name__)

# List parameters that say how a page looks, not which articles: not part of a saved search.
NOT_FILTERS = ("page", "per_page", "format", "sort", "sort_order")
# Articles a digest names per search; past it, a link to the list of them all.
DIGEST_LIMIT = 20
# A digest takes articles stored up to this long before it starts: ingest stamps a batch as
# it begins writing it, and a batch still being written is not yet visible.
SETTLING = timedelta(minutes=10)


class InvalidSearch(ValueError):
    """A query string the list's filters refuse; the message names the fields."""


def filters_of(text: str) -> str:
    """The filters of a list address or query string, in a fixed order, without empty values
    or the parameters that only say how the list looks: "/?term=ivig&page=2&journal=" gives
    "term=ivig"."""
    query = QueryDict(text.strip().split("?", 1)[-1])
    kept = sorted(
        (name, value)
        for name, values in query.lists()
        if name not in NOT_FILTERS
        for value in values
        if value.strip()
    )
    result = QueryDict(mutable=True)
    for name, value in kept:
        result.appendlist(name, value)
    return result.urlencode()


def matches(query: str) -> QuerySet:
    """The articles the public list shows for ``query``, latest stored first; raise
    ``InvalidSearch`` when the list's filters refuse it."""
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible().public())
    if not filterset.is_valid():
        raise InvalidSearch(filterset.errors.as_text())
    return filterset.qs.order_by("-first_ingested_at", "-pmid")


def save(user, name: str, text: str) -> SavedSearch:
    """Save the list query ``text`` under ``name`` for ``user`` (replacing their search of that
    name); alerts start from now."""
    query = filters_of(text)
    if not query:
        raise InvalidSearch("Choose a filter or type a search first: this is every article.")
    matches(query)  # refuse what the list would refuse
    saved, _created = SavedSearch.objects.update_or_create(
        user=user,
        name=name,
        defaults={"query": query},
        create_defaults={
            "query": query,
            "feed_token": secrets.token_urlsafe(32),
            "alerted_until": timezone.now(),
        },
    )
    return saved


def new_matches(saved: SavedSearch, until: datetime | None = None) -> QuerySet:
    """``saved``'s matches stored after its last alert (and up to ``until``)."""
    found = matches(saved.query).filter(first_ingested_at__gt=saved.alerted_until)
    if until is not None:
        found = found.filter(first_ingested_at__lte=until)
    return found


@dataclass
class Section:
    """One saved search's part of a digest."""

    search: SavedSearch
    count: int
    articles: list[Article]


def digest_text(sections: list[Section], site: str) -> str:
    """The plain-text body of one user's digest."""
    lines = ["New articles in Casebook for your saved searches.", ""]
    for section in sections:
        shown = len(section.articles)
        lines.append(f"{section.search.name}: {section.count} new")
        lines.append(f"  {site}{section.search.get_absolute_url()}")
        for article in section.articles:
            lines += ["", f"- {article.title}", f"  {source_line(article)}"]
            lines.append(f"  {site}{article.get_absolute_url()}")
        if section.count > shown:
            lines += ["", f"  ... and {section.count - shown} more in the list above."]
        lines.append("")
    lines.append(f"Your saved searches: {site}/saved/ (turn alerts off there).")
    return "\n".join(lines) + "\n"


def send_digests(now: datetime | None = None) -> tuple[int, int]:
    """E-mail each user with alerts on one digest of their saved searches' new matches, and
    move those searches' marks to the time it took them up to (``SETTLING`` before ``now``).
    Returns (e-mails sent, articles named). A search whose query no longer passes the
    filters (a filter retired) is skipped and keeps its mark."""
    now = (now or timezone.now()) - SETTLING
    site = settings.CASEBOOK_SITE_URL.rstrip("/")
    searches = (
        SavedSearch.objects.filter(email_alerts=True, alerted_until__lt=now)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user_id", "name")
    )
    by_user: dict[int, list[SavedSearch]] = {}
    for saved in searches:
        by_user.setdefault(saved.user_id, []).append(saved)
    sent = named = 0
    for saved_searches in by_user.values():
        user = saved_searches[0].user
        sections, done = [], []
        for saved in saved_searches:
            try:
                found = new_matches(saved, until=now)
                count = found.count()
            except InvalidSearch:
                continue
            done.append(saved.pk)
            if count:
                articles = list(found.select_related("journal")[:DIGEST_LIMIT])
                curated.row_overlay(articles)
                sections.append(Section(saved, count, articles))
        if sections:
            total = sum(section.count for section in sections)
            try:
                send_mail(
                    f"Casebook: {total} new article{'s' if total != 1 else ''} "
                    "for your saved searches",
                    digest_text(sections, site),
                    None,  # DEFAULT_FROM_EMAIL
                    [user.email],
                )
            except (OSError, smtplib.SMTPException):
                # The marks stay: this user's digest goes out, complete, with the next run.
                logger.exception("Digest to %s not sent", user.email)
                continue
            sent += 1
            named += sum(len(section.articles) for section in sections)
        SavedSearch.objects.filter(pk__in=done).update(alerted_until=now)
    return sent, named
