from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache

from gazette.views import HomeView


@login_not_required
@never_cache
def healthz(request):
    """For a proxy's or load balancer's health check: 200 when the database answers."""
    connection.ensure_connection()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", include("search.urls")),
    path("api/", include("search.api_urls")),
    path("departments/", include("policies.urls")),
    path("", HomeView.as_view(), name="home"),
    path("", include("gazette.urls")),
]
