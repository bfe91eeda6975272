"""Filters for the article list. Each facet is one declared filter; add new ones here."""

import django_filters
from django import forms
from django.db.models import Q

from articles.models import Article, PublicationType
from articles.search import search


class ArticleFilter(django_filters.FilterSet):
    term = django_filters.CharFilter(
        field_name="search_document",
        lookup_expr="match",
        method="filter_term",
        label="Search",
        help_text="PubMed syntax: IVIG[tiab] AND dermatomyositis[mh] NOT review[pt]",
    )
    journal = django_filters.CharFilter(
        field_name="journal",
        lookup_expr="icontains",
        method="filter_journal",
        label="Journal",
        help_text="Title or abbreviation, e.g. “Lung” or “Environ Health Perspect”.",
    )
    year_from = django_filters.NumberFilter(
        field_name="pub_year",
        lookup_expr="gte",
        label="From year",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100, "inputmode": "numeric"}),
    )
    year_to = django_filters.NumberFilter(
        field_name="pub_year",
        lookup_expr="lte",
        label="To year",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100, "inputmode": "numeric"}),
    )
    publication_type = django_filters.ModelChoiceFilter(
        field_name="article_publication_types__publication_type",
        lookup_expr="exact",
        queryset=PublicationType.objects.order_by("name"),
        label="Publication type",
        empty_label="Any type",
        # PubMed lists a type once per article (no repeat in 50,788 baseline records),
        # so the join cannot repeat rows and DISTINCT would only cost time.
        distinct=False,
    )
    has_abstract = django_filters.BooleanFilter(
        field_name="has_abstract",
        lookup_expr="exact",
        label="Abstract",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "With abstract"), ("false", "Without abstract")]
        ),
    )

    class Meta:
        model = Article
        fields = ["term", "journal", "year_from", "year_to", "publication_type", "has_abstract"]

    def filter_term(self, queryset, name, value):
        # Annotates ``search_rank`` (higher is better); ``search_note`` says how the query
        # was read when it needed repair, for the list page.
        result = search(queryset, value)
        self.search_note = result.note
        return result.queryset

    def filter_journal(self, queryset, name, value):
        # People type either the full title or the abbreviation PubMed shows in citations.
        return queryset.filter(
            Q(journal__title__icontains=value)
            | Q(journal__iso_abbreviation__icontains=value)
            | Q(journal__medline_ta__icontains=value)
        )
