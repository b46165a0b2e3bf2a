from django.urls import path

from . import views
from .feeds import GazetteIssuesFeed

app_name = "gazette"

urlpatterns = [
    path("gazettes/", views.GazetteListView.as_view(), name="gazette-list"),
    path("gazettes/<int:pk>/", views.GazetteDetailView.as_view(), name="gazette-detail"),
    path("gazettes/<int:pk>/feed/", GazetteIssuesFeed(), name="gazette-feed"),
    path("issues/<int:pk>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("issuers/<path:name>/", views.IssuerDetailView.as_view(), name="issuer-detail"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/history/", views.ImportRecordListView.as_view(), name="import-history"),
    path("import/progress/<uuid:batch>/", views.ImportProgressView.as_view(), name="import-progress"),
    path(
        "import/progress/<uuid:batch>/status/",
        views.ImportProgressStatusView.as_view(),
        name="import-progress-status",
    ),
]
