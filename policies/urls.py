from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.DepartmentListView.as_view(), name="department-list"),
    path("<int:pk>/", views.DepartmentDetailView.as_view(), name="department-detail"),
    path("review/", views.ReviewQueueView.as_view(), name="department-review"),
    path("review/merge/", views.DepartmentMergeView.as_view(), name="department-merge"),
    path("review/accept/", views.DepartmentAcceptView.as_view(), name="department-accept"),
]
