"""Project pages: create a project. The uploads pages live in views_uploads.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import can_create_project
from apps.projects.forms import ProjectCreateForm
from apps.projects.services import project_create
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Admins and organisation quality managers create projects; the service makes the
    creator the project's quality manager."""
    if not can_create_project(user=request.user):
        raise PermissionDenied("Only admins and quality managers create projects.")
    form = ProjectCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = project_create(user=request.user, **form.cleaned_data)
            except (QualitiError, ValidationError) as error:
                service_error_add(form, error)
                status = getattr(error, "status_code", 400)
            else:
                messages.success(
                    request, f"Project “{project.name}” created; you are its quality manager."
                )
                return redirect("project-overview", slug=project.slug)
    return render(request, "projects/project_create.html", {"form": form}, status=status)
