from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casebook import views
from casebook.login_lockout import limit_failures

handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("favicon.ico", views.favicon),
    # Before admin/ so that this one answers the admin's login URL.
    path("admin/login/", limit_failures(admin.site.login), name="admin_login"),
    path("admin/", admin.site.urls),
    # Any user signs in here (saved searches); the same lockout as the admin's login.
    path("accounts/login/", limit_failures(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("articles.api.urls")),
    path("curate/", include("articles.curation.urls")),
    path("", include("articles.alerts.urls")),
    path("", include("articles.urls")),
]
