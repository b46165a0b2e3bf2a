from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.DepartmentListView.as_view(), name="department-list"),
    path("<int:pk>/", views.DepartmentDetailView.as_view(), name="department-detail"),
]
