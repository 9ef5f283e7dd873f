"""The criteria pages: a project's quality bars, the template catalogue they come from, and
the editor of one criterion. Every member reads them; only who may manage criteria sees
and uses the forms (a POST from anyone else answers 403)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import User
from apps.accounts.permissions import (
    Action,
    can_import_criterion_packs,
    require_action,
    user_can,
)
from apps.criteria.forms import CatalogueFilterForm, CriterionForm, PackImportForm
from apps.criteria.models import Criterion, CriterionKind, CriterionTemplate
from apps.criteria.selectors import (
    criteria_behind_catalogue,
    criterion_list_for_project,
    criterion_pack_list,
    criterion_template_catalogue,
    criterion_template_ids_used,
    process_states_for_project,
)
from apps.criteria.services import (
    criteria_create_from_templates,
    criterion_create,
    criterion_create_from_template,
    criterion_delete,
    criterion_update,
)
from apps.criteria.views_process import process_page_context
from apps.evaluations import engine
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from qualiti.errors import InvalidInput, QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest

CRITERIA_PER_PAGE = 50


def _may_manage(request: AuthenticatedHttpRequest, project: Project) -> bool:
    return user_can(user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE)


def project_criterion_or_404(project: Project, pk: int) -> Criterion:
    return get_object_or_404(
        Criterion.objects.select_related("template", "project", "answerer"),
        project=project,
        pk=pk,
    )


def _members(project: Project) -> QuerySet[User]:
    """Who may be named to answer a process criterion: the project's members."""
    return User.objects.filter(memberships__project=project).order_by("username")


@login_required
@require_GET
def criteria_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    page = Paginator(criterion_list_for_project(project_id=project.pk), CRITERIA_PER_PAGE).get_page(
        request.GET.get("page")
    )
    states = process_states_for_project(project_id=project.pk)
    for criterion in page.object_list:
        criterion.process_state = states.get(criterion.pk)
    return render(
        request,
        "criteria/criteria_list.html",
        {
            "project": project,
            "tab": "criteria",
            "page": page,
            "may_manage": _may_manage(request, project),
            "behind_catalogue": criteria_behind_catalogue(project_id=project.pk),
        },
    )


@login_required
@require_GET
def criterion_catalogue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    return render(request, "criteria/catalogue.html", catalogue_context(request, project))


def catalogue_context(
    request: AuthenticatedHttpRequest, project: Project, **extra: Any
) -> dict[str, Any]:
    """What the catalogue page shows: also the answer of a refused pack import (`extra`)."""
    filters = CatalogueFilterForm(request.GET)
    search, category = "", ""
    if filters.is_valid():
        search, category = filters.cleaned_data["q"].strip(), filters.cleaned_data["category"]
    may_import = can_import_criterion_packs(user=request.user)
    return {
        "project": project,
        "tab": "criteria",
        "filters": filters,
        "groups": criterion_template_catalogue(search=search, category=category),
        "used_template_ids": criterion_template_ids_used(project_id=project.pk),
        "may_manage": _may_manage(request, project),
        "packs": criterion_pack_list(),
        "may_import": may_import,
        "import_form": PackImportForm() if may_import else None,
        **extra,
    }


@login_required
@require_POST
def criteria_add_from_templates(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The catalogue's "Add the chosen criteria": every ticked template, all or none."""
    project = project_visible_or_404(user=request.user, slug=slug)
    if not _may_manage(request, project):
        raise PermissionDenied("Only the project's quality manager and admins manage its criteria.")
    ids = [value for value in request.POST.getlist("template") if value.isdigit()]
    templates = list(CriterionTemplate.objects.filter(pk__in=ids))
    try:
        if len(templates) != len(set(request.POST.getlist("template"))):
            raise InvalidInput("A chosen template does not exist.", field="template")
        added = criteria_create_from_templates(
            project=project, templates=templates, user=request.user
        )
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("criterion-catalogue", slug=project.slug)
    codes = ", ".join(criterion.code for criterion in added)
    messages.success(
        request,
        f"Added {len(added)} criteri{'on' if len(added) == 1 else 'a'}: {codes}. "
        "Adjust a threshold or severity with Edit.",
    )
    return redirect("criteria-list", slug=project.slug)


@login_required
@require_POST
def criterion_add_from_template(
    request: AuthenticatedHttpRequest, slug: str, template_id: int
) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    template = get_object_or_404(CriterionTemplate, pk=template_id)
    try:
        criterion = criterion_create_from_template(
            project=project, template=template, user=request.user
        )
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("criterion-catalogue", slug=project.slug)
    adjust = "who answers and how long" if criterion.kind == CriterionKind.PROCESS else "threshold"
    messages.success(
        request, f"Added {criterion.code} {criterion.name}; adjust its {adjust} and severity."
    )
    return redirect("criterion-edit", slug=project.slug, pk=criterion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_create_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE)
    form = CriterionForm(request.POST or None, members=_members(project))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                criterion = criterion_create(
                    project=project, user=request.user, **form.cleaned_data
                )
            except QualitiError as error:
                service_error_add(form, error)
                status = error.status_code
            else:
                messages.success(request, f"Created {criterion.code} {criterion.name}.")
                return redirect("criteria-list", slug=project.slug)
    return render(
        request,
        "criteria/criterion_form.html",
        {"project": project, "tab": "criteria", "form": form, "criterion": None},
        status=status,
    )


def criterion_editor_form(
    project: Project, criterion: Criterion, data: QueryDict | None = None
) -> CriterionForm:
    return CriterionForm(
        data, initial=CriterionForm.initial_from(criterion), members=_members(project)
    )


def criterion_page(
    request: AuthenticatedHttpRequest,
    project: Project,
    criterion: Criterion,
    *,
    form: CriterionForm | None = None,
    status: int = 200,
    answer_refusal: str = "",
    **process_forms: Form,
) -> HttpResponse:
    """The page of one criterion: its editor (or its facts, read-only), and for a process
    criterion its answers with the forms to answer and to decide."""
    check = engine.registered_checks().get(criterion.check_key)
    context: dict[str, Any] = {
        "project": project,
        "tab": "criteria",
        "form": form or criterion_editor_form(project, criterion),
        "criterion": criterion,
        "check_metrics": sorted(check.metrics.items()) if check else [],
        "may_manage": _may_manage(request, project),
    }
    if criterion.kind == CriterionKind.PROCESS:
        context |= process_page_context(request.user, criterion, **process_forms)
        context["answer_refusal"] = answer_refusal
    return render(request, "criteria/criterion_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The page of one criterion, with its editor. Readers who may not manage see it
    read-only (GET)."""
    project = project_visible_or_404(user=request.user, slug=slug)
    criterion = project_criterion_or_404(project, pk)
    form = criterion_editor_form(project, criterion, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                criterion_update(criterion=criterion, user=request.user, **form.cleaned_data)
            except QualitiError as error:
                service_error_add(form, error)
                status = error.status_code
            else:
                messages.success(request, f"Saved {criterion.code} {criterion.name}.")
                return redirect("criteria-list", slug=project.slug)
    return criterion_page(request, project, criterion, form=form, status=status)


@login_required
@require_POST
def criterion_delete_view(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    criterion = project_criterion_or_404(project, pk)
    label = f"{criterion.code} {criterion.name}"
    try:
        criterion_delete(criterion=criterion, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("criterion-edit", slug=project.slug, pk=criterion.pk)
    messages.success(request, f"Deleted {label}.")
    return redirect("criteria-list", slug=project.slug)
