"""The curators' screens, under /curate/ (login required; see ``articles.curation.triage``)."""

from django.urls import path

from articles.curation import triage

app_name = "curation"
urlpatterns = [
    path("", triage.start, name="start"),
    path("queue/", triage.queue, name="queue"),
    path("filters/save/", triage.save_filter, name="save_filter"),
    path("<int:pmid>/", triage.article, name="triage_article"),
]
