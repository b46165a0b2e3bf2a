from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gazette.views import HomeView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", include("search.urls")),
    path("api/", include("search.api_urls")),
    path("departments/", include("policies.urls")),
    path("", HomeView.as_view(), name="home"),
    path("", include("gazette.urls")),
]
