"""JSON endpoints, included at /api/ (login required like every page)."""

from django.urls import path

from . import views

app_name = "search-api"

urlpatterns = [
    path("search/", views.search_api, name="search"),
]
