"""Template filters for the article list's rows."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()

SNIPPET_LENGTH = 260


@register.filter
def abstract_snippet(article) -> str:
    """The start of the abstract, cut at a word, from the rows' prefetched ``sections``."""
    text = " ".join(section.text for section in getattr(article, "sections", ()))
    if len(text) <= SNIPPET_LENGTH:
        return text
    return text[:SNIPPET_LENGTH].rsplit(" ", 1)[0] + "…"


@register.filter
def case_facts(article):
    """The article's CaseFacts when the row query fetched them, else None (never a query)."""
    if not article._state.fields_cache.__contains__("facts"):
        return None
    try:
        return article.facts
    except ObjectDoesNotExist:
        return None
