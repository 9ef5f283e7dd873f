from django.urls import path

from apps.evaluations import views, views_launch

urlpatterns = [
    path("new/", views_launch.run_launch, name="run-launch"),
    path("<int:run_id>/", views.run_detail, name="run-detail"),
    path("<int:run_id>/progress/", views.run_progress, name="run-progress"),
    path("<int:run_id>/cancel/", views.run_cancel, name="run-cancel"),
]
