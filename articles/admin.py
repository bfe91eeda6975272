"""Admin for the mirrored PubMed records and the curation that sits beside them.

Source tables are written only by ``articles.ingest.files``, so their admin is read-only: staff can
look, search and follow links, but not add, change or delete rows a re-ingest would undo.
Curation is the one thing staff edit, inline on the article page or on its own list.
"""

from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles.alerts.admin import SavedSearchAdmin  # noqa: F401  (registers it)
from articles.curation.admin import (
    CurationActionsMixin,
    CurationStatusFilter,
    audit_view,
    curation_links,
)
from articles.models import (
    AbstractSection,
    Affiliation,
    Article,
    ArticleConcept,
    ArticleId,
    ArticlePublicationType,
    ArticleSource,
    Author,
    CaseFacts,
    CommentCorrection,
    Curation,
    DeletedCitation,
    Grant,
    IngestRun,
    Journal,
    Keyword,
    MeshDescriptor,
    MeshEntryTerm,
    MeshHeading,
    MeshHeadingQualifier,
    MeshQualifier,
    MeshTreeNumber,
    PublicationType,
    Reference,
    Substance,
    SupplementaryConcept,
)


class SourceAdmin(admin.ModelAdmin):
    """A table ingest owns: browsable, never edited by hand."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SourceInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArticleChildAdmin(SourceAdmin):
    """Rows that belong to one article: shown with the article's PMID, never its title, so a
    list page does not join the article table."""

    raw_id_fields = ["article"]

    @admin.display(description="PMID", ordering="article_id")
    def pmid(self, obj):
        return obj.article_id


class AuthorInline(SourceInline):
    model = Author
    fields = [
        "role",
        "position",
        "last_name",
        "fore_name",
        "initials",
        "collective_name",
        "orcid",
        "equal_contrib",
    ]


class AbstractSectionInline(SourceInline):
    model = AbstractSection
    fields = ["position", "label", "nlm_category", "text"]


class MeshHeadingInline(SourceInline):
    model = MeshHeading
    fields = ["position", "descriptor", "major", "descriptor_type"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("descriptor")


class ArticleIdInline(SourceInline):
    model = ArticleId
    fields = ["position", "id_type", "value", "source", "valid"]


class CurationInline(admin.StackedInline):
    model = Curation
    fields = ["status", "exclusion_reason", "tags", "notes", "updated_at", "links"]
    readonly_fields = ["updated_at", "links"]
    filter_horizontal = ["tags"]
    can_delete = False

    @admin.display(description="see also")
    def links(self, obj):
        return curation_links(obj)


class WithdrawnFilter(admin.SimpleListFilter):
    title = "withdrawn"
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("yes", "Withdrawn"), ("no", "Visible")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


def _curation(article: Article) -> Curation | None:
    try:
        return article.curation
    except Curation.DoesNotExist:
        return None


@admin.register(Article)
class ArticleAdmin(CurationActionsMixin, admin.ModelAdmin):
    list_display = [
        "pmid",
        "short_title",
        "journal_name",
        "pub_year",
        "curation_status",
        "tag_list",
        "withdrawn",
    ]
    list_display_links = ["pmid", "short_title"]
    list_select_related = ["journal", "curation"]
    list_filter = [
        "kind",
        CurationStatusFilter,
        WithdrawnFilter,
        "is_retracted",
        "has_abstract",
        "pub_year",
    ]
    search_fields = ["=pmid", "title"]
    search_help_text = "An exact PMID, or words from the title."
    show_full_result_count = False
    readonly_fields = [
        *(field.name for field in Article._meta.fields),
        "public_page",
        "source_xml_display",
    ]
    # A chosen grouping of the record; a test holds it to show every field once.
    fieldsets = [
        (None, {"fields": ["pmid", "public_page", "version", "kind", "title", "title_html"]}),
        (
            "Citation",
            {
                "fields": [
                    "journal",
                    "volume",
                    "issue",
                    "pagination",
                    "start_page",
                    "end_page",
                    "pub_date_raw",
                    "pub_year",
                    "pub_month",
                    "pub_day",
                    "pub_date_precision",
                    "pub_date",
                    "epub_date",
                    "doi",
                    "pmcid",
                    "vernacular_title",
                    "book",
                ]
            },
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "citation_status",
                    "citation_owner",
                    "publication_status",
                    "languages",
                    "has_abstract",
                    "abstract_copyright",
                    "other_abstracts",
                    "authors_complete",
                    "article_dates",
                    "history",
                    "date_completed",
                    "date_revised",
                    "citation_subsets",
                    "coi_statement",
                    "is_retracted",
                ],
            },
        ),
        (
            "Ingest",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_file",
                    "source_key",
                    "source_position",
                    "source_hash",
                    "first_ingested_at",
                    "last_changed_at",
                    "deleted_at",
                    "source_xml_display",
                ],
            },
        ),
    ]
    inlines = [
        CurationInline,
        AuthorInline,
        AbstractSectionInline,
        MeshHeadingInline,
        ArticleIdInline,
    ]

    def get_queryset(self, request):
        # The list never shows the XML; the change page loads it once, on demand. The
        # curations come with the rows (list_select_related), their tags in one more query.
        return super().get_queryset(request).prefetch_related("curation__tags")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        return obj.title[:100] + ("…" if len(obj.title) > 100 else "")

    # A method, not the foreign key, so that a long name wraps (the admin keeps a foreign
    # key's column on one line) and the status, tags and withdrawn columns fit beside it.
    @admin.display(description="journal", ordering="journal__iso_abbreviation")
    def journal_name(self, obj):
        return str(obj.journal) if obj.journal else ""

    @admin.display(description="status", ordering="curation__status")
    def curation_status(self, obj):
        curation = _curation(obj)
        return curation.get_status_display() if curation else Curation.Status.UNREVIEWED.label

    @admin.display(description="tags")
    def tag_list(self, obj):
        curation = _curation(obj)
        return ", ".join(tag.name for tag in curation.tags.all()) if curation else ""

    # Text where it applies, blank elsewhere: a boolean column drew a red cross on every
    # article PubMed had not withdrawn.
    @admin.display(description="withdrawn", ordering="deleted_at")
    def withdrawn(self, obj):
        return f"withdrawn {obj.deleted_at:%Y-%m-%d}" if obj.is_deleted else ""

    @admin.display(description="public page")
    def public_page(self, obj):
        if obj.is_deleted:
            return "Withdrawn (the public page answers 410 Gone)"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    @admin.display(description="source XML")
    def source_xml_display(self, obj):
        if not (text := obj.source_xml_text()):
            return "- (not kept: CASEBOOK_KEEP_SOURCE_XML=0 when it was ingested)"
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>', text
        )


@admin.register(Journal)
class JournalAdmin(SourceAdmin):
    list_display = ["title", "iso_abbreviation", "issn_linking", "nlm_unique_id", "country"]
    search_fields = ["title", "iso_abbreviation", "medline_ta", "=nlm_unique_id", "=issn_linking"]


@admin.register(MeshDescriptor)
class MeshDescriptorAdmin(SourceAdmin):
    list_display = ["ui", "name"]
    search_fields = ["=ui", "name"]


@admin.register(MeshQualifier)
class MeshQualifierAdmin(SourceAdmin):
    list_display = ["ui", "name"]
    search_fields = ["=ui", "name"]


@admin.register(PublicationType)
class PublicationTypeAdmin(SourceAdmin):
    list_display = ["ui", "name"]
    search_fields = ["=ui", "name"]


@admin.register(AbstractSection)
class AbstractSectionAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "label", "nlm_category"]
    list_filter = ["nlm_category"]
    search_fields = ["=article__pmid", "label"]


@admin.register(ArticleSource)
class ArticleSourceAdmin(ArticleChildAdmin):
    list_display = ["pmid", "compressed_size"]
    search_fields = ["=article__pmid"]
    fields = ["article", "xml_text"]
    readonly_fields = ["article", "xml_text"]

    @admin.display(description="compressed bytes")
    def compressed_size(self, obj):
        return len(obj.xml)

    @admin.display(description="XML")
    def xml_text(self, obj):
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>',
            obj.text(),
        )


@admin.register(Author)
class AuthorAdmin(ArticleChildAdmin):
    list_display = ["pmid", "role", "position", "short_name", "orcid", "equal_contrib"]
    list_filter = ["role", "equal_contrib"]
    search_fields = ["=article__pmid", "last_name", "collective_name", "=orcid"]


@admin.register(Affiliation)
class AffiliationAdmin(SourceAdmin):
    list_display = ["pmid", "author", "position", "text"]
    list_select_related = ["author"]
    raw_id_fields = ["author"]
    search_fields = ["=author__article__pmid", "text"]

    @admin.display(description="PMID", ordering="author__article_id")
    def pmid(self, obj):
        return obj.author.article_id


@admin.register(MeshHeading)
class MeshHeadingAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "descriptor", "major", "descriptor_type"]
    list_select_related = ["descriptor"]
    list_filter = ["major"]
    raw_id_fields = ["article", "descriptor"]
    search_fields = ["=article__pmid", "descriptor__name"]


@admin.register(MeshHeadingQualifier)
class MeshHeadingQualifierAdmin(SourceAdmin):
    list_display = ["heading", "pmid", "position", "qualifier", "major"]
    list_select_related = ["heading__descriptor", "qualifier"]
    raw_id_fields = ["heading", "qualifier"]
    search_fields = ["=heading__article__pmid", "qualifier__name"]

    @admin.display(description="PMID", ordering="heading__article_id")
    def pmid(self, obj):
        return obj.heading.article_id


@admin.register(ArticlePublicationType)
class ArticlePublicationTypeAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "publication_type"]
    list_select_related = ["publication_type"]
    raw_id_fields = ["article", "publication_type"]
    search_fields = ["=article__pmid", "publication_type__name"]


@admin.register(SupplementaryConcept)
class SupplementaryConceptAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "ui", "name", "type"]
    search_fields = ["=article__pmid", "=ui", "name"]


@admin.register(Substance)
class SubstanceAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "ui", "name", "registry_number"]
    search_fields = ["=article__pmid", "=ui", "name"]


@admin.register(Keyword)
class KeywordAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "text", "major", "owner"]
    search_fields = ["=article__pmid", "text"]


@admin.register(Grant)
class GrantAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "grant_id", "acronym", "agency", "country"]
    search_fields = ["=article__pmid", "grant_id", "agency"]


@admin.register(ArticleId)
class ArticleIdAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "id_type", "value", "source", "valid"]
    list_filter = ["id_type", "source"]
    search_fields = ["=article__pmid", "=value"]


@admin.register(Reference)
class ReferenceAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "cited_pmid", "citation"]
    raw_id_fields = ["article", "cited"]
    search_fields = ["=article__pmid", "=cited__pmid", "citation"]

    @admin.display(description="cited PMID", ordering="cited_id")
    def cited_pmid(self, obj):
        return obj.cited_id


@admin.register(CommentCorrection)
class CommentCorrectionAdmin(ArticleChildAdmin):
    list_display = ["pmid", "position", "ref_type", "source", "target_pmid"]
    list_filter = ["ref_type"]
    raw_id_fields = ["article", "target"]
    search_fields = ["=article__pmid", "=target__pmid", "source"]

    @admin.display(description="target PMID", ordering="target_id")
    def target_pmid(self, obj):
        return obj.target_id


@admin.register(DeletedCitation)
class DeletedCitationAdmin(SourceAdmin):
    list_display = ["pmid", "deleted_at", "source_file"]
    search_fields = ["=pmid"]
    date_hierarchy = "deleted_at"


@admin.register(Curation)
class CurationAdmin(CurationActionsMixin, SimpleHistoryAdmin):
    list_display = ["pmid", "article_title", "status", "exclusion_reason", "tag_list", "updated_at"]
    list_filter = ["status", "exclusion_reason", "tags"]
    list_editable = ["status"]
    raw_id_fields = ["article"]
    filter_horizontal = ["tags"]
    fields = [
        "article",
        "status",
        "exclusion_reason",
        "tags",
        "notes",
        "reviewed_by",
        "updated_by",
        "updated_at",
        "links",
    ]
    readonly_fields = ["reviewed_by", "updated_by", "updated_at", "links"]
    search_fields = ["=article__pmid", "article__title", "notes"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "exclusion_reason")
            .prefetch_related("tags")
        )

    def get_readonly_fields(self, request, obj=None):
        # A curation is its article's (the article is its primary key): changing the article
        # would copy the decision onto an article nobody reviewed.
        if obj is not None:
            return ["article", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data or not change:
            obj.reviewed_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        # The whole article's audit trail: curation, corrections, blocklist.
        return audit_view(request, int(object_id), self)

    @admin.display(description="see also")
    def links(self, obj):
        return curation_links(obj)

    @admin.display(description="PMID", ordering="article_id")
    def pmid(self, obj):
        return obj.article_id

    @admin.display(description="title", ordering="article__title")
    def article_title(self, obj):
        return obj.article.title[:100]

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())


@admin.register(IngestRun)
class IngestRunAdmin(SourceAdmin):
    """E-utilities runs, as ``ingest_pubmed`` records them: read-only, like the records."""

    list_display = [
        "id",
        "source",
        "short_query",
        "status",
        "started_at",
        "finished_at",
        "progress",
        "created",
        "updated",
        "unchanged",
        "failed",
    ]
    list_filter = ["status", "source"]
    search_fields = ["query"]
    date_hierarchy = "started_at"
    fields = [
        "source",
        "query",
        "requested",
        "parameters",
        "status",
        "started_at",
        "finished_at",
        "plan",
        "matched",
        "to_fetch",
        "skipped",
        "blocked",
        "position",
        "created",
        "updated",
        "unchanged",
        "failed",
        "failures",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The PMID lists can hold tens of thousands of numbers; the list page needs none.
        return super().get_queryset(request).defer("pmids")

    @admin.display(description="query or PMIDs", ordering="query")
    def short_query(self, obj):
        if obj.source == IngestRun.Source.QUERY:
            return obj.query[:100]
        return f"{len(obj.requested_pmids)} PMIDs"

    @admin.display(description="requested PMIDs")
    def requested(self, obj):
        pmids = obj.requested_pmids
        shown = ", ".join(map(str, pmids[:50]))
        return shown + (f" … ({len(pmids)} in all)" if len(pmids) > 50 else "")

    @admin.display(description="position")
    def progress(self, obj):
        if obj.to_fetch is None:
            return "not planned"
        return f"{obj.position} of {obj.to_fetch}"


@admin.register(MeshTreeNumber)
class MeshTreeNumberAdmin(SourceAdmin):
    list_display = ["number", "descriptor"]
    list_select_related = ["descriptor"]
    search_fields = ["number", "=descriptor__ui"]


@admin.register(MeshEntryTerm)
class MeshEntryTermAdmin(SourceAdmin):
    list_display = ["term", "descriptor"]
    list_select_related = ["descriptor"]
    search_fields = ["normalized", "=descriptor__ui"]


@admin.register(ArticleConcept)
class ArticleConceptAdmin(ArticleChildAdmin):
    list_display = ["pmid", "role", "descriptor_id", "source", "major"]
    list_filter = ["role", "source", "major"]
    search_fields = ["=article__pmid", "=descriptor__ui"]


@admin.register(CaseFacts)
class CaseFactsAdmin(ArticleChildAdmin):
    list_display = [
        "pmid",
        "kind",
        "patient_count",
        "male_count",
        "female_count",
        "age_min_years",
        "age_max_years",
        "rules_version",
    ]
    list_filter = ["kind", "has_child", "has_adult", "has_older_adult"]
    search_fields = ["=article__pmid"]
