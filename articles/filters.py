"""Filters for the article list. Each facet is one declared filter; add new ones here."""

import django_filters
from django import forms
from django.db.models import Q

from articles.models import Article, Curation, PublicationType
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

    # Staff only (removed for everyone else in __init__): the public never sees statuses.
    status = django_filters.ChoiceFilter(
        field_name="curation__status",
        lookup_expr="exact",
        method="filter_status",
        choices=Curation.Status.choices,
        label="Curation status",
        empty_label="Any status",
    )

    class Meta:
        model = Article
        fields = [
            "term",
            "journal",
            "year_from",
            "year_to",
            "publication_type",
            "has_abstract",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not (user and user.is_staff):
            del self.filters["status"]

    def filter_status(self, queryset, name, value):
        if value == Curation.Status.UNREVIEWED:
            # Articles nobody has curated yet have no curation row: they are unreviewed too.
            others = [s for s in Curation.Status.values if s != value]
            return queryset.exclude(curation__status__in=others)
        return queryset.filter(**{name: value})

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
