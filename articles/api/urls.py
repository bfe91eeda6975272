from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from articles.api import views

app_name = "api"
urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("articles/<int:pmid>/", views.ArticleDetail.as_view(), name="article-detail"),
    path("articles/doi/<path:value>", views.ArticleByDoi.as_view(), name="article-by-doi"),
    path("articles/pmcid/<str:value>/", views.ArticleByPmcid.as_view(), name="article-by-pmcid"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
