from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("articles.api.urls")),
    path("curate/", include("articles.curation_urls")),
    path("", include("articles.urls")),
]
