"""Filters for the article list. Each facet is one declared filter; add new ones here."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django_filters.constants import EMPTY_VALUES

from articles.browse.sorting import SORTS, SortKey
from articles.models import (
    Article,
    ArticleConcept,
    CaseFacts,
    Curation,
    Journal,
    MeshHeading,
    PublicationType,
    in_language,
)
from articles.search.filtering import Plan, apply, compile_search, read
from articles.text.concepts import find_descriptor, narrower_uis

# The order a list has when no (known) sort is asked for: best match with a search, else
# newest first. The sort box names it in its first option, whose value is empty, so that the
# form sends no sort unless the reader chose one, and a new search gets its best matches.
DEFAULT_SORT_LABELS = {"relevance": "Best match", "pubdate": "Publication date"}
SUGGEST_URL = reverse_lazy("articles:concept_suggestions")
SEX_CHOICES = [("male", "Men or boys"), ("female", "Women or girls")]
SEX_FIELDS = {"male": "facts__male_count", "female": "facts__female_count"}
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


def searching(data) -> bool:
    """Whether ``data`` (a filter form's) asks for a search, as the ``term`` field reads it."""
    return bool((data.get("term") or "").strip())


def default_sort(data) -> str:
    return "relevance" if searching(data) else "pubdate"


def with_plain_sort(data):
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
                *((key, sort.label) for key, sort in SORTS.items() if key != default),
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


class YearFilter(django_filters.NumberFilter):
    """A year as a bound on the publication date: on or after its first day (``gte``), or on
    or before its last (``lte``). The date, not ``pub_year``, so that a year range and the
    newest-first order share one index (article_visible_date_idx); a date's year is always its
    article's ``pub_year``."""

    DAYS = {"gte": (1, 1), "lte": (12, 31)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.lookup_expr not in self.DAYS:
            raise ValueError(f"A year bounds dates by {' or '.join(self.DAYS)}")

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        # A year the date type can hold: the form lets any number through.
        year = min(max(int(value), datetime.MINYEAR), datetime.MAXYEAR)
        return super().filter(qs, datetime.date(year, *self.DAYS[self.lookup_expr]))


class SortFilter(django_filters.ChoiceFilter):
    """A choice of order, not a filter: ``ArticleFilter`` sorts by ``sort`` and ``sort_order``
    once every filter has run (a best match reads the search's annotations)."""

    def filter(self, qs, value):
        return qs


class ArticleFilter(django_filters.FilterSet):
    """The list's filters. A filter with a ``method`` does what no one lookup does (several
    fields, an exclusion, a lookup that differs by database); the method says what it
    filters."""

    term = django_filters.CharFilter(
        method="filter_term",
        label="Search",
        help_text="PubMed syntax: IVIG[tiab] AND dermatomyositis[mh] NOT review[pt]",
        # The search bar sits above the results, outside the filter form's element.
        widget=forms.TextInput(attrs={"form": "filter-form", "type": "search"}),
    )
    journal = django_filters.CharFilter(
        method="filter_journal",
        label="Journal",
        help_text="Title or abbreviation, e.g. “Lung” or “Environ Health Perspect”.",
    )
    year_from = YearFilter(
        field_name="pub_date",
        lookup_expr="gte",
        label="From year",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100, "inputmode": "numeric"}),
    )
    year_to = YearFilter(
        field_name="pub_date",
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

    disease = ConceptFilter(
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
        role=None,
        label="MeSH term",
        help_text="Any MeSH heading (e.g. “Cromolyn Sodium”), narrower terms included.",
    )
    language = django_filters.CharFilter(
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
        method="filter_sex",
        choices=SEX_CHOICES,
        empty_label="Any",
        label="Patients include",
    )
    age = django_filters.ChoiceFilter(
        method="filter_age",
        choices=AGE_CHOICES,
        empty_label="Any age",
        label="Age group",
    )
    sort = SortFilter(
        choices=[(key, sort.label) for key, sort in SORTS.items()],
        empty_label=None,
        label="Sort by",
        widget=forms.Select(attrs={"form": "filter-form"}),
    )
    sort_order = SortFilter(
        choices=[("desc", "Descending"), ("asc", "Ascending")],
        empty_label=None,
        label="Order",
        widget=forms.Select(attrs={"form": "filter-form"}),
    )
    # Staff only (removed for everyone else in __init__): the public never sees statuses.
    status = django_filters.ChoiceFilter(
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

    # The search asked for, compiled (``filter_term``), and the articles the other filters
    # leave, None when none narrows the list (``filter_queryset``): what the list tells the
    # search (``ListPage``).
    search_plan: Plan | None = None
    filtered = None

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and self.lenient_sort:
            data = with_plain_sort(data)
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if not (user and user.is_staff):
            del self.filters["status"]

    def filter_queryset(self, queryset):
        """Every filter, then the search over the articles they leave, then the order."""
        self.search_plan = None
        filtered = super().filter_queryset(queryset)
        self.filtered = filtered if self.narrowing else None
        if self.search_plan is not None:
            filtered = apply(self.search_plan, filtered)
        return SORTS[self.sort_key].apply(filtered, ascending=self.ascending)

    @property
    def narrowing(self) -> bool:
        """Whether a filter other than the search narrows the list: one with a value, as
        django-filter skips a filter whose value is empty."""
        return any(
            value not in EMPTY_VALUES
            for name, value in self.form.cleaned_data.items()
            if name not in ("term", "sort", "sort_order")
        )

    @property
    def sort_key(self) -> str:
        """The ``SORTS`` key the rows are in: the one asked for, else the default; best match
        only with a search (the API keeps the sort as sent, and sorts by date without one)."""
        data = self.form.cleaned_data
        sort = data.get("sort") or default_sort(data)
        return "pubdate" if sort == "relevance" and not searching(data) else sort

    @property
    def ascending(self) -> bool:
        return self.form.cleaned_data.get("sort_order") == "asc"

    @property
    def ordering(self) -> tuple[SortKey, ...]:
        """The keys the filtered rows are sorted by."""
        return SORTS[self.sort_key].ordering(ascending=self.ascending)

    def filter_term(self, queryset, name, value):
        """Articles matching the PubMed-style query, in each article's search document:
        compiled here, applied by ``filter_queryset`` once the other filters have run, so
        that the list can tell the search what they leave."""
        self.search_plan = compile_search(read(value), value)
        # ``search_note`` says how the query was read when it needed repair, for the list.
        self.search_note = self.search_plan.parsed.note
        self.search_query = self.search_plan.parsed  # ``details``: the query as it was run
        return queryset

    def filter_journal(self, queryset, name, value):
        """Articles in the journals whose title, ISO or MEDLINE abbreviation contains it."""
        # People type either the full title or the abbreviation PubMed shows in citations.
        # Matching journals first (a few thousand rows), then their articles by index.
        return queryset.filter(
            journal__in=Journal.objects.filter(
                Q(title__icontains=value)
                | Q(iso_abbreviation__icontains=value)
                | Q(medline_ta__icontains=value)
            )
        )

    def filter_language(self, queryset, name, value):
        """Articles with the code, lower-cased, among their ``languages``."""
        code = value.strip().lower()
        return queryset.filter(in_language(code)) if code else queryset

    def filter_case_series(self, queryset, name, value):
        """Case series (``facts.kind``), or, with false, every other article, those without
        case facts included."""
        if value is None:
            return queryset
        if value:
            return queryset.filter(facts__kind=CaseFacts.Kind.CASE_SERIES)
        return queryset.exclude(facts__kind=CaseFacts.Kind.CASE_SERIES)

    def filter_sex(self, queryset, name, value: str):
        """Articles with at least one patient of that sex (``facts.male_count`` or
        ``facts.female_count`` above 0)."""
        return queryset.filter(**{f"{SEX_FIELDS[value]}__gt": 0})

    def filter_age(self, queryset, name, value: str):
        """Articles with a patient in that age group (one of ``facts``' age flags)."""
        return queryset.filter(**{AGE_FIELDS[value]: True})

    def filter_status(self, queryset, name, value):
        """Articles whose ``curation.status`` it is; unreviewed takes in articles nobody has
        curated yet, which have no curation row."""
        if value == Curation.Status.UNREVIEWED:
            others = [s for s in Curation.Status.values if s != value]
            return queryset.exclude(curation__status__in=others)
        return queryset.filter(curation__status=value)


class ApiArticleFilter(ArticleFilter):
    """The list's filters for the API: an unknown sort is a 400, not the default order."""

    lenient_sort = False
