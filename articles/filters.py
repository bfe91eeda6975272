"""Filters for the article list. Each facet is one declared filter; add new ones here."""

import datetime

import django_filters
from django import forms
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from articles.concepts import find_descriptor, narrower_uis
from articles.models import (
    Article,
    ArticleConcept,
    Author,
    CaseFacts,
    Curation,
    Journal,
    MeshHeading,
    PublicationType,
    in_language,
)
from articles.search import search

# PubMed's sort parameters (``sort=pubdate&sort_order=asc``) and the orderings they mean,
# descending first. ``relevance`` needs the search's ``search_order``; without a search it falls
# back on the publication date.
SORTS = {
    "pubdate": ("Publication date", ["-pub_date", "-pmid"]),
    "relevance": ("Best match (with a search)", ["search_order", "-pub_date", "-pmid"]),
    "fauth": ("First author", ["-first_author", "-pmid"]),
    "jour": ("Journal", ["-journal__medline_ta", "-pub_date", "-pmid"]),
    "patients": ("Number of patients", ["-facts__patient_count", "-pub_date", "-pmid"]),
}
# The order a list has when no (known) sort is asked for: best match with a search, else
# newest first. The sort box names it in its first option, whose value is empty, so that the
# form sends no sort unless the reader chose one, and a new search gets its best matches.
DEFAULT_SORT_LABELS = {"relevance": "Best match", "pubdate": "Publication date"}
SUGGEST_URL = reverse_lazy("articles:concept_suggestions")
SEX_CHOICES = [("male", "Men or boys"), ("female", "Women or girls")]
AGE_CHOICES = [
    ("child", "Child (< 18)"),
    ("adult", "Adult (18–64)"),
    ("older", "Older adult (65+)"),
]
AGE_FIELDS = {
    "child": "facts__has_child",
    "adult": "facts__has_adult",
    "older": "facts__has_older_adult",
}
YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


def searching(data) -> bool:  # noqa: ANN001
    """Whether ``data`` (a filter form's) asks for a search, as the ``term`` field reads it."""
    return bool((data.get("term") or "").strip())


def default_sort(data) -> str:  # noqa: ANN001
    return "relevance" if searching(data) else "pubdate"


def with_plain_sort(data):  # noqa: ANN001, ANN201
    """``data`` with ``sort`` and ``sort_order`` emptied where they ask for the default order
    or for an order the list does not know: the list then has its default order (not an
    error that empties it), and the form shows it as it shows any list in that order."""
    changes = {}
    sort = data.get("sort")
    if sort is not None and (sort not in SORTS or sort in (default_sort(data), "relevance")):
        changes["sort"] = ""
    if data.get("sort_order") not in (None, "asc"):
        changes["sort_order"] = ""
    if not changes:
        return data
    data = data.copy()
    for name, value in changes.items():
        data[name] = value
    return data


class ArticleFilterForm(forms.Form):
    """Resolves the typed disease and therapy once, and says plainly when MeSH has no such
    term. ``concepts`` maps the filter name to its descriptor, for the filter and the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The boxes' first options stand for the default order (their value is empty, see
        # ``with_plain_sort``), named for what the list is then sorted by.
        default = default_sort(self.data)
        if "sort" in self.fields:
            self.fields["sort"].widget.choices = [
                ("", DEFAULT_SORT_LABELS[default]),
                *((key, label) for key, (label, _) in SORTS.items() if key != default),
            ]
        if "sort_order" in self.fields:
            self.fields["sort_order"].widget.choices = [("", "Descending"), ("asc", "Ascending")]

    def clean(self):
        data = super().clean()
        self.concepts = {}
        for name in ("disease", "therapy", "mesh"):
            text = (data.get(name) or "").strip()
            if not text:
                continue
            descriptor = find_descriptor(text)
            if descriptor is None:
                # The text goes in as a parameter, never into the message itself: the
                # message is %-formatted later (Django's forms, django-filter's API errors).
                self.add_error(
                    name,
                    forms.ValidationError(
                        "MeSH has no term “%(text)s”.", code="unknown_term", params={"text": text}
                    ),
                )
            else:
                self.concepts[name] = descriptor
        return data


class ConceptFilter(django_filters.CharFilter):
    """Articles with a MeSH concept in one role (disease or therapy), or with a MeSH heading
    when ``role`` is None, typed as a name, an entry term ("IVIG") or a descriptor UI; a broad
    descriptor takes in its narrower ones."""

    def __init__(self, *args, role: str | None, **kwargs):
        self.role = role
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        descriptor = getattr(self.parent.form, "concepts", {}).get(self.field_name)
        if descriptor is None:
            # The form said so already (ArticleFilterForm); nothing matches an unknown term.
            return qs.none()
        uis = narrower_uis(descriptor.ui)
        if self.role is None:  # any MeSH heading, whatever its role
            rows = MeshHeading.objects.all()
        else:
            rows = ArticleConcept.objects.effective().filter(role=self.role)
        if len(uis) == 1:
            rows = rows.filter(descriptor_id=uis[0])
        else:
            rows = rows.filter(descriptor_id__in=uis)
        return qs.filter(pk__in=rows.values("article_id"))


class ArticleFilter(django_filters.FilterSet):
    term = django_filters.CharFilter(
        field_name="search_document",
        lookup_expr="match",
        method="filter_term",
        label="Search",
        help_text="PubMed syntax: IVIG[tiab] AND dermatomyositis[mh] NOT review[pt]",
        # The search bar sits above the results, outside the filter form's element.
        widget=forms.TextInput(attrs={"form": "filter-form", "type": "search"}),
    )
    journal = django_filters.CharFilter(
        field_name="journal",
        lookup_expr="icontains",
        method="filter_journal",
        label="Journal",
        help_text="Title or abbreviation, e.g. “Lung” or “Environ Health Perspect”.",
    )
    # Years filter on the publication date (its first day, whose year is always pub_year), so
    # a year range and the newest-first order share one index (article_visible_date_idx).
    year_from = django_filters.NumberFilter(
        field_name="pub_date",
        lookup_expr="gte",
        method="filter_year_from",
        label="From year",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100, "inputmode": "numeric"}),
    )
    year_to = django_filters.NumberFilter(
        field_name="pub_date",
        lookup_expr="lt",
        method="filter_year_to",
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

    disease = ConceptFilter(
        field_name="disease",
        lookup_expr="exact",
        role=ArticleConcept.Role.DISEASE,
        label="Disease",
        help_text="A MeSH disease or a synonym, e.g. “Dermatomyositis”; includes narrower ones.",
        widget=forms.TextInput(
            attrs={
                "list": "disease-options",
                "autocomplete": "off",
                "data-suggest": format_lazy("{}?role=disease", SUGGEST_URL),
            }
        ),
    )
    therapy = ConceptFilter(
        field_name="therapy",
        lookup_expr="exact",
        role=ArticleConcept.Role.THERAPY,
        label="Therapy",
        help_text="A drug or procedure, e.g. “IVIG” or “Cyclosporine”.",
        widget=forms.TextInput(
            attrs={
                "list": "therapy-options",
                "autocomplete": "off",
                "data-suggest": format_lazy("{}?role=therapy", SUGGEST_URL),
            }
        ),
    )
    mesh = ConceptFilter(
        field_name="mesh",
        lookup_expr="exact",
        role=None,
        label="MeSH term",
        help_text="Any MeSH heading (e.g. “Cromolyn Sodium”), narrower terms included.",
    )
    language = django_filters.CharFilter(
        field_name="languages",
        lookup_expr="icontains",
        method="filter_language",
        label="Language",
        help_text="PubMed's three-letter code, e.g. “eng”, “fre”.",
        widget=forms.TextInput(attrs={"size": 4, "maxlength": 3}),
    )
    retracted = django_filters.BooleanFilter(
        field_name="is_retracted",
        lookup_expr="exact",
        label="Retracted",
        widget=forms.Select(
            choices=[("", "Any"), ("false", "Not retracted"), ("true", "Retracted only")]
        ),
    )
    case_series = django_filters.BooleanFilter(
        field_name="facts__kind",
        lookup_expr="exact",
        method="filter_case_series",
        label="Case series (2+ patients)",
        widget=forms.Select(choices=YES_NO),
    )
    patients_min = django_filters.NumberFilter(
        field_name="facts__patient_count",
        lookup_expr="gte",
        label="Patients, at least",
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    patients_max = django_filters.NumberFilter(
        field_name="facts__patient_count",
        lookup_expr="lte",
        label="Patients, at most",
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    sex = django_filters.ChoiceFilter(
        field_name="facts__male_count",
        lookup_expr="gt",
        method="filter_sex",
        choices=SEX_CHOICES,
        empty_label="Any",
        label="Patients include",
    )
    age = django_filters.ChoiceFilter(
        field_name="facts__has_adult",
        lookup_expr="exact",
        method="filter_age",
        choices=AGE_CHOICES,
        empty_label="Any age",
        label="Age group",
    )
    sort = django_filters.ChoiceFilter(
        field_name="pub_date",
        lookup_expr="exact",
        method="keep",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        label="Sort by",
        widget=forms.Select(attrs={"form": "filter-form"}),
    )
    sort_order = django_filters.ChoiceFilter(
        field_name="pub_date",
        lookup_expr="exact",
        method="keep",
        choices=[("desc", "Descending"), ("asc", "Ascending")],
        empty_label=None,
        label="Order",
        widget=forms.Select(attrs={"form": "filter-form"}),
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
        form = ArticleFilterForm
        fields = [
            "term",
            "journal",
            "year_from",
            "year_to",
            "publication_type",
            "has_abstract",
            "disease",
            "therapy",
            "mesh",
            "language",
            "retracted",
            "case_series",
            "patients_min",
            "patients_max",
            "sex",
            "age",
            "sort",
            "sort_order",
            "status",
        ]

    # The list page falls back on its default order for a sort it does not know; the API
    # answers 400 instead (``ApiArticleFilter``), as its schema lists the sorts.
    lenient_sort = True

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and self.lenient_sort:
            data = with_plain_sort(data)
        super().__init__(data, *args, **kwargs)
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
        self.search_query = result.parsed  # ``details``: the query as it was run
        return result.queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.sorted(queryset)

    def sorted(self, queryset):
        data = self.form.cleaned_data
        sort = data.get("sort") or default_sort(data)
        if sort == "relevance" and not searching(data):
            sort = "pubdate"  # best match needs a search (the API keeps the sort as sent)
        if sort == "fauth":
            queryset = queryset.annotate(
                first_author=Subquery(
                    Author.objects.filter(article=OuterRef("pk"), role=Author.Role.AUTHOR)
                    .order_by("position")
                    .values("last_name")[:1]
                )
            )
        ordering = SORTS[sort][1]
        if data.get("sort_order") == "asc":
            ordering = [key[1:] if key.startswith("-") else f"-{key}" for key in ordering]
        if sort == "patients":
            count = F("facts__patient_count")
            first = (
                count.asc(nulls_last=True)
                if data.get("sort_order") == "asc"
                else count.desc(nulls_last=True)
            )
            return queryset.order_by(first, *ordering[1:])
        return queryset.order_by(*ordering)

    def keep(self, queryset, name, value: str):
        """Sorting is applied once every filter has run (``sorted``)."""
        return queryset

    def filter_year_from(self, queryset, name, value):
        return queryset.filter(pub_date__gte=datetime.date(_year(value), 1, 1))

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(pub_date__lt=datetime.date(_year(value) + 1, 1, 1))

    def filter_language(self, queryset, name, value):
        code = value.strip().lower()
        return queryset.filter(in_language(code)) if code else queryset

    def filter_case_series(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(facts__kind=CaseFacts.Kind.CASE_SERIES)
        return queryset.exclude(facts__kind=CaseFacts.Kind.CASE_SERIES)

    # The ``value: str`` hints (here, filter_age and keep) are what the API schema reads
    # (drf-spectacular): the model fields these filters name (a count, a flag, the date)
    # are not what they take.
    def filter_sex(self, queryset, name, value: str):
        field = "facts__male_count__gt" if value == "male" else "facts__female_count__gt"
        return queryset.filter(**{field: 0})

    def filter_age(self, queryset, name, value: str):
        return queryset.filter(**{AGE_FIELDS[value]: True})

    def filter_journal(self, queryset, name, value):
        # People type either the full title or the abbreviation PubMed shows in citations.
        # Matching journals first (a few thousand rows), then their articles by index.
        return queryset.filter(
            journal__in=Journal.objects.filter(
                Q(title__icontains=value)
                | Q(iso_abbreviation__icontains=value)
                | Q(medline_ta__icontains=value)
            )
        )


def _year(value) -> int:
    """A year the date type can hold (the form lets any number through)."""
    return min(max(int(value), datetime.MINYEAR), datetime.MAXYEAR - 1)


class ApiArticleFilter(ArticleFilter):
    """The list's filters for the API: an unknown sort is a 400, not the default order."""

    lenient_sort = False
