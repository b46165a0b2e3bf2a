from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.DepartmentListView.as_view(), name="department-list"),
    path("<int:pk>/", views.DepartmentDetailView.as_view(), name="department-detail"),
    path("<int:pk>/feeds/<str:key>/calendar.ics", views.department_calendar_feed, name="department-calendar"),
    path("<int:pk>/feeds/<str:key>/tasks.atom", views.department_atom_feed, name="department-atom"),
    path("subscriptions/", views.FeedTokenView.as_view(), name="feed-token"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("documents/<int:pk>/tasks/", views.DocumentTasksExportView.as_view(), name="document-tasks-export"),
    path("review/", views.ReviewQueueView.as_view(), name="department-review"),
    path("review/merge/", views.DepartmentMergeView.as_view(), name="department-merge"),
    path("review/accept/", views.DepartmentAcceptView.as_view(), name="department-accept"),
]
