from django.contrib import admin
from django.urls import include, path

from casebook.views import favicon

urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", include("articles.api.urls")),
    path("curate/", include("articles.curation_urls")),
    path("", include("articles.urls")),
]
