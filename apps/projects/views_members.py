"""A project's members: everyone who sees the project reads the list; its quality manager
(or an admin) adds people, changes their role and removes them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Membership, ProjectRole, User
from apps.accounts.permissions import Action, require_action, user_can
from apps.accounts.services import membership_create, membership_delete, membership_update
from apps.projects.forms import MemberAddForm, MemberRoleForm
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest


def _candidates(project: Project) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .exclude(memberships__project=project)
        .order_by("username")
    )


def _render(
    request: AuthenticatedHttpRequest,
    project: Project,
    *,
    add_form: MemberAddForm | None = None,
    status=200,
) -> HttpResponse:
    may_manage = user_can(user=request.user, project_id=project.pk, action=Action.PROJECT_MANAGE)
    members = list(
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )
    context = {
        "project": project,
        "tab": "overview",
        "members": members,
        "roles": ProjectRole.choices,
        "may_manage": may_manage,
        "add_form": add_form
        or (MemberAddForm(candidates=_candidates(project)) if may_manage else None),
    }
    return render(request, "projects/members.html", context, status=status)


def _back(project: Project) -> HttpResponse:
    return redirect(reverse("project-members", args=[project.slug]))


def _project_to_manage(request: AuthenticatedHttpRequest, slug: str) -> Project:
    """The project, refused (403) before any form is read to whom may not manage it: the
    add form lists the organisation's people. The services decide again."""
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.PROJECT_MANAGE)
    return project


@login_required
@require_GET
def members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _render(request, project_visible_or_404(user=request.user, slug=slug))


@login_required
@require_POST
def member_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = _project_to_manage(request, slug)
    form = MemberAddForm(request.POST, candidates=_candidates(project))
    if not form.is_valid():
        return _render(request, project, add_form=form, status=400)
    user, role = form.cleaned_data["user"], form.cleaned_data["role"]
    try:
        membership_create(project=project, user=user, role=role, actor=request.user)
    except QualitiError as error:
        service_error_add(form, error)
        return _render(request, project, add_form=form, status=error.status_code)
    messages.success(request, f"{user.username} joined as {ProjectRole(role).label.lower()}.")
    return _back(project)


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project_to_manage(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, project=project
    )
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return _back(project)
    membership_update(membership=membership, role=form.cleaned_data["role"], actor=request.user)
    label = ProjectRole(form.cleaned_data["role"]).label.lower()
    messages.success(request, f"{membership.user.username} is now {label}.")
    return _back(project)


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project_to_manage(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, project=project
    )
    membership_delete(membership=membership, actor=request.user)
    messages.success(request, f"{membership.user.username} left {project.name}.")
    return _back(project)
