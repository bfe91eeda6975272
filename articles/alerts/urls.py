from django.urls import path

from articles.alerts import feeds, views

app_name = "alerts"
urlpatterns = [
    path("saved/", views.saved_list, name="saved"),
    path("saved/save/", views.save, name="save"),
    path("saved/<int:pk>/alerts/", views.set_alerts, name="set_alerts"),
    path("saved/<int:pk>/delete/", views.delete, name="delete"),
    path("feeds/<str:token>/", feeds.SavedSearchFeed(), name="feed"),
]
