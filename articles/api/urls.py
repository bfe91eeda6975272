from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from articles.api import views

app_name = "api"
urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("articles/<int:pmid>/", views.ArticleDetail.as_view(), name="article-detail"),
    path("articles/doi/<path:value>", views.ArticleByDoi.as_view(), name="article-by-doi"),
    path("articles/pmcid/<str:value>/", views.ArticleByPmcid.as_view(), name="article-by-pmcid"),
    path("mesh/", views.MeshLookup.as_view(), name="mesh-lookup"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
