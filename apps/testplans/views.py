"""The test plan pages: the list of plans, one plan's editor with its versions, approval,
revision, and what changed between two versions. The checks of a draft are edited in
views_checks. Everyone who sees the project reads; only who may manage criteria writes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import Action, require_action, user_can
from apps.evaluations.selectors import check_catalogue
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from apps.testplans import services
from apps.testplans.forms import (
    CheckChoiceForm,
    PlanCheckForm,
    TestPlanCreateForm,
    check_params_form,
)
from apps.testplans.models import TestPlan
from apps.testplans.selectors import (
    plan_check_list,
    plan_version_diff,
    test_plan_list_for_project,
    test_plan_versions,
)
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest

PLANS_PER_PAGE = 25


def may_manage(request: AuthenticatedHttpRequest, project: Project) -> bool:
    return user_can(user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE)


def project_plan_or_404(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> tuple[Project, TestPlan]:
    """The visible project and its plan; a plan of another project is 404."""
    project = project_visible_or_404(user=request.user, slug=slug)
    plan = get_object_or_404(
        TestPlan.objects.select_related("approved_by", "created_by", "previous"),
        project=project,
        pk=pk,
    )
    return project, plan


def project_plan_for_change(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> tuple[Project, TestPlan]:
    """As project_plan_or_404, then 403 unless the user may manage the project's plans."""
    project, plan = project_plan_or_404(request, slug, pk)
    require_action(user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE)
    return project, plan


def _render_list(
    request: AuthenticatedHttpRequest, project: Project, form: TestPlanCreateForm, status: int = 200
) -> HttpResponse:
    page = Paginator(test_plan_list_for_project(project_id=project.pk), PLANS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "project": project,
        "tab": "plans",
        "page": page,
        "form": form,
        "may_manage": may_manage(request, project),
    }
    return render(request, "testplans/plan_list.html", context, status=status)


@login_required
@require_GET
def plan_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    return _render_list(request, project, TestPlanCreateForm())


@login_required
@require_POST
def plan_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    form = TestPlanCreateForm(request.POST)
    if form.is_valid():
        try:
            plan = services.test_plan_create(
                project=project, user=request.user, **form.cleaned_data
            )
        except QualitiError as error:
            service_error_add(form, error)
            return _render_list(request, project, form, status=error.status_code)
        messages.success(request, f"Created the draft test plan “{plan.name}”; add its checks.")
        return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    return _render_list(request, project, form, status=400)


def render_plan_detail(
    request: AuthenticatedHttpRequest,
    project: Project,
    plan: TestPlan,
    *,
    add_forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The editor page; `add_forms` carries a refused "Add check" form back to the user."""
    editable = plan.is_editable and may_manage(request, project)
    context: dict[str, Any] = {
        "project": project,
        "tab": "plans",
        "plan": plan,
        "checks": list(plan_check_list(plan=plan)),
        "versions": list(test_plan_versions(plan=plan)),
        "may_manage": may_manage(request, project),
        "editable": editable,
    }
    if editable:
        catalogue = check_catalogue()
        chosen = (add_forms or {}).get("check_key") or request.GET.get("check", "")
        known = {check["key"] for check in catalogue if check["implemented"]}
        chooser = CheckChoiceForm({"check": chosen} if chosen else None, catalogue=catalogue)
        chooser.fields["check"].widget.attrs.update(
            {
                # htmx swaps in the parameter form of the chosen check; without JavaScript
                # the "Choose" button reloads the page with ?check=<key>.
                "hx-get": reverse("plan-check-params", args=[project.slug, plan.pk]),
                "hx-target": "#check-add",
                "hx-trigger": "change",
            }
        )
        context["chooser"] = chooser
        if chosen in known:
            context["add"] = add_forms or new_check_forms(plan, chosen, catalogue)
    return render(request, "testplans/plan_detail.html", context, status=status)


def new_check_forms(plan: TestPlan, check_key: str, catalogue: list[dict]) -> dict[str, Any]:
    """The unbound forms of the "Add check" form for one chosen check."""
    return {
        "check_key": check_key,
        "check": next(check for check in catalogue if check["key"] == check_key),
        "plan_form": PlanCheckForm(plan=plan, check_key=check_key),
        "params_form": check_params_form(check_key),
    }


@login_required
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    return render_plan_detail(request, project, plan)


@login_required
@require_POST
def plan_approve(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    try:
        plan = services.test_plan_approve(plan=plan, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    messages.success(request, f"Approved “{plan.name}” v{plan.version}; runs can now use it.")
    return redirect("plan-detail", slug=project.slug, pk=plan.pk)


@login_required
@require_POST
def plan_revise(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    try:
        draft = services.test_plan_revise(plan=plan, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    messages.success(request, f"Draft v{draft.version} of “{draft.name}” is ready to edit.")
    return redirect("plan-detail", slug=project.slug, pk=draft.pk)


@login_required
@require_POST
def plan_archive(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    services.test_plan_archive(plan=plan, user=request.user)
    messages.success(request, f"Archived “{plan.name}” v{plan.version}.")
    return redirect("plan-detail", slug=project.slug, pk=plan.pk)


@login_required
@require_GET
def plan_diff(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """What changed from another version (`?against=<pk>`, by default the previous one)
    to this one."""
    project, plan = project_plan_or_404(request, slug, pk)
    against_id = request.GET.get("against") or plan.previous_id
    if against_id is None:
        raise Http404("This plan has no earlier version to compare with.")
    try:
        against_id = int(against_id)
    except (TypeError, ValueError) as error:
        raise Http404("Unknown version.") from error
    other = get_object_or_404(TestPlan, project=project, pk=against_id)
    return render(
        request,
        "testplans/plan_diff.html",
        {
            "project": project,
            "tab": "plans",
            "plan": plan,
            "other": other,
            "diff": plan_version_diff(old=other, new=plan),
            "versions": list(test_plan_versions(plan=plan)),
        },
    )
