"""The "corrected" mark of the curation overlay
(``articles.curation.actions.apply_corrections``)."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def correction_mark(correction) -> str:
    """A visible "corrected" mark with PubMed's value one click away; nothing for a value
    no curator corrected (``correction`` is then empty)."""
    if not correction:
        return ""
    return render_to_string("articles/includes/correction_mark.html", {"correction": correction})
