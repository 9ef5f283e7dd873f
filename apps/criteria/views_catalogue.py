"""The living catalogue's pages: a project takes a newer template version, and "What's new"
lists the catalogue's changes by version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.criteria.models import Criterion
from apps.criteria.selectors import catalogue_revisions
from apps.criteria.services_catalogue import criterion_catalogue_update_take
from apps.projects.selectors import project_visible_or_404
from apps.standards.models import Framework
from apps.standards.selectors import framework_revisions
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


@login_required
@require_POST
def criterion_take_update(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    criterion = get_object_or_404(Criterion, project=project, pk=pk)
    try:
        taken = criterion_catalogue_update_take(criterion=criterion, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("criteria-list", slug=project.slug)
    drafts = ", ".join(f"“{plan.name}” v{plan.version}" for plan in taken.drafts)
    messages.success(
        request,
        f"{criterion.code} now follows version {taken.criterion.template_version} of its "
        f"template"
        + (f" ({', '.join(taken.changed)} changed)" if taken.changed else "")
        + (f"; the draft {drafts} carries it, for approval." if drafts else "."),
    )
    return redirect("criteria-list", slug=project.slug)


@login_required
@require_GET
def catalogue_whats_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "criteria/whats_new.html",
        {
            "revisions": catalogue_revisions(),
            "framework_revisions": framework_revisions(),
            "frameworks": Framework.objects.annotate(requirement_total=Count("requirements")),
        },
    )
