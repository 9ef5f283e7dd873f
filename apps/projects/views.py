from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.projects.selectors import project_list_visible


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = project_list_visible(user=request.user)
    return render(request, "projects/project_list.html", {"projects": projects})
