from django.http import HttpResponse
from django.urls import path

def _todo(request, **kwargs):  # placeholder until the page is built
    return HttpResponse("todo")


urlpatterns = [
    path("findings/", _todo, name="finding-list"),
    path("my-work/", _todo, name="my-work"),
]
