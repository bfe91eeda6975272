"""Saved searches in the admin: for administrators to see and help with; users keep theirs at
/saved/."""

from django.contrib import admin
from django.utils.html import format_html

from articles.models import SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "query", "email_alerts", "alerted_until", "list_link"]
    list_filter = ["email_alerts"]
    list_select_related = ["user"]
    search_fields = ["name", "query", "user__username", "user__email"]
    fields = ["user", "name", "query", "email_alerts", "alerted_until", "created_at"]
    readonly_fields = ["created_at"]

    @admin.display(description="list")
    def list_link(self, obj):
        return format_html('<a href="{}">Open the list</a>', obj.get_absolute_url())
