"""Admin for curators: bulk decisions and tags, the vocabularies, corrections, the blocklist,
saved filters, and the per-article audit trail (the "History" page of a curation).

Bulk actions save article by article (``articles.curation.actions``) so that each change is one
audit entry with its before and after; ``QuerySet.update`` would leave no trace.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from simple_history.admin import SimpleHistoryAdmin

from articles.curation import actions as curation
from articles.curation import audit
from articles.curation import export as curation_export
from articles.models import (
    Article,
    BlockedPMID,
    Correction,
    Curation,
    ExclusionReason,
    SavedFilter,
    Tag,
)


class CurationActionForm(ActionForm):
    """The action bar's extra fields: the tag to add or remove, the exclusion reason."""

    tag = forms.ModelChoiceField(Tag.objects.all(), required=False, empty_label="(tag)")
    exclusion_reason = forms.ModelChoiceField(
        ExclusionReason.objects.all(), required=False, empty_label="(exclusion reason)"
    )


def _pmids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _status_action(status: str, description: str):
    def action(modeladmin, request, queryset):
        reason = None
        if status == Curation.Status.EXCLUDED:
            pk = request.POST.get("exclusion_reason", "")
            reason = ExclusionReason.objects.filter(pk=pk).first() if pk.isdigit() else None
            if reason is None:
                modeladmin.message_user(
                    request, "Choose the exclusion reason to exclude with.", messages.WARNING
                )
                return
        changed = curation.set_status(_pmids(queryset), status, user=request.user, reason=reason)
        modeladmin.message_user(request, f"{description}: {changed} changed.", messages.SUCCESS)

    action.__name__ = f"set_status_{status}"
    return admin.action(description=description, permissions=["curate"])(action)


def _tag(request) -> Tag | None:
    pk = request.POST.get("tag", "")
    return Tag.objects.filter(pk=pk).first() if pk.isdigit() else None


@admin.action(description="Add the chosen tag", permissions=["curate"])
def add_tag(modeladmin, request, queryset):
    tag = _tag(request)
    if tag is None:
        modeladmin.message_user(request, "Choose a tag to add.", messages.WARNING)
        return
    changed = curation.add_tag(_pmids(queryset), tag, user=request.user)
    modeladmin.message_user(request, f"Tag “{tag}” added to {changed}.", messages.SUCCESS)


@admin.action(description="Remove the chosen tag", permissions=["curate"])
def remove_tag(modeladmin, request, queryset):
    tag = _tag(request)
    if tag is None:
        modeladmin.message_user(request, "Choose a tag to remove.", messages.WARNING)
        return
    changed = curation.remove_tag(_pmids(queryset), tag, user=request.user)
    modeladmin.message_user(request, f"Tag “{tag}” removed from {changed}.", messages.SUCCESS)


def _download(text: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private"
    return response


@admin.action(description="Export curation (decisions, corrections) as JSON", permissions=["view"])
def export_json(modeladmin, request, queryset):
    text = curation_export.as_json(_pmids(queryset))
    return _download(text, "application/json", "casebook-curation.json")


@admin.action(description="Export decisions as CSV", permissions=["view"])
def export_decisions_csv(modeladmin, request, queryset):
    text = curation_export.as_csv("decisions", _pmids(queryset))
    return _download(text, "text/csv; charset=utf-8", "casebook-decisions.csv")


@admin.action(description="Export corrections as CSV", permissions=["view"])
def export_corrections_csv(modeladmin, request, queryset):
    text = curation_export.as_csv("corrections", _pmids(queryset))
    return _download(text, "text/csv; charset=utf-8", "casebook-corrections.csv")


@admin.action(description="Export the audit trail as CSV", permissions=["view"])
def export_audit_csv(modeladmin, request, queryset):
    text = curation_export.as_csv("audit", _pmids(queryset))
    return _download(text, "text/csv; charset=utf-8", "casebook-audit.csv")


CURATION_ACTIONS = [
    _status_action(Curation.Status.INCLUDED, "Set status: included"),
    _status_action(Curation.Status.MAYBE, "Set status: maybe"),
    _status_action(Curation.Status.EXCLUDED, "Set status: excluded (with the chosen reason)"),
    _status_action(Curation.Status.UNREVIEWED, "Set status: unreviewed"),
    add_tag,
    remove_tag,
    export_json,
    export_decisions_csv,
    export_corrections_csv,
    export_audit_csv,
]


class CurationActionsMixin:
    """Bulk curation on a changelist whose rows' primary keys are PMIDs (articles,
    curations)."""

    actions = CURATION_ACTIONS
    action_form = CurationActionForm

    def has_curate_permission(self, request) -> bool:
        return request.user.has_perm("articles.change_curation")


class CurationStatusFilter(admin.SimpleListFilter):
    """Status of an article, "unreviewed" including articles nobody has touched."""

    title = "curation status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Curation.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == Curation.Status.UNREVIEWED:
            return queryset.exclude(
                curation__status__in=[s for s in Curation.Status.values if s != value]
            )
        if value in Curation.Status.values:
            return queryset.filter(curation__status=value)
        return queryset


def audit_view(request, pmid: int, model_admin: admin.ModelAdmin) -> TemplateResponse:
    """Who changed what about one article, when, before and after: its curation (status,
    reason, tags, notes), its corrections and its blocklist entry."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    article = Article.objects.filter(pk=pmid).first()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Audit trail of PMID {pmid}",
        "pmid": pmid,
        "article": article,
        "entries": audit.entries([pmid]),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/articles/audit.html", context)


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(ExclusionReason)
class ExclusionReasonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["article", "field", "corrected_value", "note"]
        help_texts = {
            # The admin renders help text as HTML: escaped, or "<n>" would vanish as a tag.
            "field": escape(
                "title, pub_date, abstract:<n>, author:<n>:name, "
                "author:<n>:affiliation:<n>, facts:<kind|patient_count|male_count|female_count>, "
                "concept:<disease|therapy|cause>:<MeSH UI>; positions count from 0."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("corrected_value", "")
        try:
            if self.instance.pk is not None:  # the article and key are read-only here
                curation.validate_value(self.instance.field, value)
            elif cleaned.get("article") and cleaned.get("field"):
                curation.validate_for_record(cleaned["article"].pk, cleaned["field"], value)
        except curation.CorrectionError as exc:
            on_key = exc.of == "key" and "field" in self.fields
            self.add_error("field" if on_key else "corrected_value", str(exc))
        return cleaned


@admin.register(Correction)
class CorrectionAdmin(SimpleHistoryAdmin):
    form = CorrectionForm
    list_display = ["article_id", "field", "corrected_value_short", "needs_review", "updated_at"]
    list_filter = ["needs_review"]
    raw_id_fields = ["article"]
    search_fields = ["=article__pmid", "field", "corrected_value"]
    readonly_fields = [
        "original_value",
        "needs_review",
        "source_value",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    actions = ["mark_reviewed"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the key and article are fixed; a new key is a new correction
            return ["article", "field", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            curation.capture_original(obj)
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        curation.on_corrections_changed([obj.article_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        curation.on_corrections_changed([obj.article_id])

    def delete_queryset(self, request, queryset):
        pmids = sorted(set(queryset.values_list("article_id", flat=True)))
        for correction in queryset:
            correction.delete()  # one by one, for the audit trail
        curation.on_corrections_changed(pmids)

    @admin.display(description="corrected value")
    def corrected_value_short(self, obj):
        return obj.corrected_value[:80]

    @admin.action(description="Mark reviewed: PubMed's new value becomes the original")
    def mark_reviewed(self, request, queryset):
        count = curation.mark_reviewed(queryset, user=request.user)
        self.message_user(request, f"{count} marked reviewed.", messages.SUCCESS)


@admin.register(BlockedPMID)
class BlockedPMIDAdmin(SimpleHistoryAdmin):
    """PMIDs no ingest may store. A stored article stays in the database but leaves the
    public list (``Article.objects.public()``) while it is blocked."""

    list_display = ["pmid", "reason", "blocked_by", "blocked_at"]
    search_fields = ["=pmid", "reason"]
    readonly_fields = ["blocked_by", "blocked_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["pmid", *self.readonly_fields] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.blocked_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    """A curator's saved list queries; each is a triage queue."""

    list_display = ["name", "query", "triage_link"]
    fields = ["name", "query"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="triage")
    def triage_link(self, obj):
        return format_html(
            '<a href="{}">Triage its unreviewed articles</a>', obj.get_absolute_url()
        )


def curation_links(obj: Curation | None) -> str:
    """Links shown beside a curation in the admin: its audit trail, its triage screen."""
    if obj is None or obj.pk is None:
        return "-"
    return format_html(
        '<a href="{}">Audit trail</a> · <a href="{}">Triage screen</a>',
        reverse("admin:articles_curation_history", args=[obj.pk]),
        reverse("curation:triage_article", args=[obj.pk]),
    )
