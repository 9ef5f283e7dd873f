from django.http import HttpResponse
from django.urls import path

def _todo(request, **kwargs):  # placeholder until the page is built
    return HttpResponse("todo")


urlpatterns = [
    path("", _todo, name="criteria-list"),
]
