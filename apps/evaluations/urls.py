from django.urls import path

from apps.evaluations import views

from django.http import HttpResponse


def _todo(request, **kwargs):  # placeholder until the page is built
    return HttpResponse("todo")


urlpatterns = [
    path("new/", _todo, name="run-launch"),
    path("<int:run_id>/", views.run_detail, name="run-detail"),
    path("<int:run_id>/progress/", views.run_progress, name="run-progress"),
]
