"""A saved search as an Atom feed: its latest matches, newest stored first, at an address
anyone holding it can read (``/feeds/<token>/``), so a feed reader needs no account."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles import curated
from articles.alerts import searches
from articles.exports.pubmed_style import source_line
from articles.models import Article, SavedSearch

# Entries a feed holds: its latest matches; a reader polling daily keeps up.
FEED_LENGTH = 50


class SavedSearchFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, token: str) -> SavedSearch:
        return get_object_or_404(SavedSearch, feed_token=token)

    def title(self, saved: SavedSearch) -> str:
        return f"Casebook: {saved.name}"

    def subtitle(self, saved: SavedSearch) -> str:
        return "Articles matching this saved search, latest stored in Casebook first."

    def link(self, saved: SavedSearch) -> str:
        return saved.get_absolute_url()

    def items(self, saved: SavedSearch) -> list[Article]:
        try:
            found = searches.matches(saved.query)
        except searches.InvalidSearch:
            return []
        articles = list(found.select_related("journal")[:FEED_LENGTH])
        curated.row_overlay(articles)
        return articles

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return source_line(article)

    def item_link(self, article: Article) -> str:
        return article.get_absolute_url()

    def item_guid(self, article: Article) -> str:
        # Stable whatever the site's address: PubMed's own identifier.
        return f"info:pmid/{article.pmid}"

    item_guid_is_permalink = False

    def item_pubdate(self, article: Article):
        return article.first_ingested_at

    def item_updateddate(self, article: Article):
        return article.last_changed_at
