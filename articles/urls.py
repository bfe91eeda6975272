from django.urls import path

from articles import views

app_name = "articles"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("<int:pmid>/", views.ArticleDetailView.as_view(), name="detail"),
]
