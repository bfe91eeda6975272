"""Template tags for search results on the list page (see ``articles.search``)."""

from django import template

from articles.search.highlight import snippets

register = template.Library()


@register.simple_tag
def search_snippets(articles, query) -> dict:
    """{pmid: highlighted abstract snippet} for the page's articles; {} without a query.
    ``query``: the search as it ran (``ArticleFilter.search_query``), or its text."""
    if not query:
        return {}
    return snippets([article.pmid for article in articles], query)


@register.filter
def snippet_for(snippets_by_pmid: dict, pmid: int) -> str:
    return snippets_by_pmid.get(pmid, "")
