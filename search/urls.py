from django.urls import path

from . import views
from .feeds import SearchResultsFeed

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.search_export, name="export"),
    path("feed/", SearchResultsFeed(), name="feed"),
    path("feeds/<str:key>/search.atom", views.search_token_feed, name="token-feed"),
]
