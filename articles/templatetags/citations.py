"""Template filters that print citations the PubMed way (see ``articles.exports.pubmed_style``)."""

from django import template

from articles.exports import pubmed_style as citations

register = template.Library()


@register.filter
def short_authors(article) -> str:
    """The list row's author line; expects ``article.first_authors`` from ``for_list()``."""
    return citations.short_authors(article.first_authors, complete=article.authors_complete)


@register.filter
def source_line(article) -> str:
    return citations.source_line(article)


@register.filter
def pubmed_date(value) -> str:
    return citations.pubmed_date(value)


@register.filter
def ref_type_label(ref_type: str) -> str:
    """CommentsCorrections/@RefType as PubMed words it: "ErratumIn" -> "Erratum in"."""
    return citations.ref_type_label(ref_type)


@register.filter
def id_of(pairs, id_type: str) -> str:
    """The value of one id type in a JSON list of [id_type, value] pairs (references)."""
    return next((value for kind, value in pairs or () if kind == id_type), "")


@register.filter
def abstract_label(label: str) -> str:
    return citations.abstract_label(label)


@register.filter
def grant_line(grant) -> str:
    return citations.grant_line(grant)


@register.filter
def partial_date(value) -> str:
    return citations.partial_date(value)


@register.filter
def history_label(status: str) -> str:
    return citations.history_label(status or "")


@register.filter
def language_name(code: str) -> str:
    return citations.language_name(code or "")


@register.filter
def language_tag(code: str) -> str:
    return citations.language_tag(code or "")


@register.filter
def publication_status_label(status: str) -> str:
    return citations.publication_status_label(status or "")


@register.filter
def distinct_ids(ids) -> list:
    return citations.distinct_ids(ids)
