from django.urls import path

from articles import views

app_name = "articles"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("export/<slug:format>/", views.list_export, name="list_export"),
    path("concepts/suggest/", views.concept_suggestions, name="concept_suggestions"),
    path("<int:pmid>/", views.ArticleDetailView.as_view(), name="detail"),
    path("<int:pmid>/export/<slug:format>/", views.article_export, name="export"),
    path("basket/", views.basket_detail, name="basket"),
    path("basket/add/", views.basket_add, name="basket_add"),
    path("basket/remove/", views.basket_remove, name="basket_remove"),
    path("basket/clear/", views.basket_clear, name="basket_clear"),
    path("basket/export/<slug:format>/", views.basket_export, name="basket_export"),
]
