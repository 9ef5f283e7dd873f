"""The Compliance tab: how the project's criteria cover a framework's requirements, gaps
first. Every member reads it; the project's quality manager and admins choose the
frameworks the project follows, mark requirements not applicable and fill gaps from the
catalogue (a POST from anyone else answers 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import Action, require_action, user_can
from apps.criteria.models import Criterion, CriterionKind
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from apps.standards.forms import ExclusionForm, FrameworkPickerForm
from apps.standards.models import Framework, Requirement
from apps.standards.selectors import (
    CoverageStatus,
    coverage_counts,
    frameworks_for_project,
    project_coverage,
)
from apps.standards.services import (
    project_framework_choose,
    project_framework_unchoose,
    requirement_exclude,
    requirement_gap_fill,
    requirement_include,
)
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest


def _render(
    request: AuthenticatedHttpRequest,
    project: Project,
    identifier: str,
    *,
    failed_exclusion: tuple[int, ExclusionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    frameworks, chosen = frameworks_for_project(project=project)
    if not frameworks:  # the packs load with the migrations: only an emptied table lacks them
        return render(
            request,
            "standards/compliance.html",
            {"project": project, "tab": "compliance", "framework": None},
            status=status,
        )
    framework = next((f for f in frameworks if f.identifier == identifier), None)
    if identifier and framework is None:
        raise Http404("No such framework.")
    framework = framework or frameworks[0]  # the first one followed, else the first one
    rows = project_coverage(project=project, framework=framework)
    counts = coverage_counts(rows)
    picker = FrameworkPickerForm(
        initial={"framework": framework.identifier}, frameworks=frameworks, chosen=chosen
    )
    return render(
        request,
        "standards/compliance.html",
        {
            "project": project,
            "tab": "compliance",
            "framework": framework,
            "followed": framework.pk in chosen,
            "picker": picker,
            "rows": rows,
            "counts": [(value, label, counts[value]) for value, label in CoverageStatus.choices],
            "may_decide": user_can(
                user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE
            ),
            "failed_exclusion": failed_exclusion,
        },
        status=status,
    )


def _back(project: Project, framework: Framework, anchor: str = "") -> HttpResponse:
    url = f"{reverse('compliance', args=[project.slug])}?framework={framework.identifier}"
    return redirect(f"{url}#{anchor}" if anchor else url)


def _project_to_decide(request: AuthenticatedHttpRequest, slug: str) -> Project:
    """The project, refused (403) before any form is read to whom may not decide."""
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.CRITERIA_MANAGE)
    return project


def _requirement_or_404(pk: int) -> Requirement:
    return get_object_or_404(Requirement.objects.select_related("framework"), pk=pk)


@login_required
@require_GET
def compliance(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    return _render(request, project, request.GET.get("framework", "").strip())


def _framework_posted(request: AuthenticatedHttpRequest) -> Framework:
    return get_object_or_404(Framework, identifier=request.POST.get("framework", ""))


def _framework_choice(
    request: AuthenticatedHttpRequest, slug: str, *, follow: bool
) -> HttpResponse:
    project = _project_to_decide(request, slug)
    framework = _framework_posted(request)
    change = project_framework_choose if follow else project_framework_unchoose
    try:
        change(project=project, framework=framework, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"The project follows {framework.name}; its reports show it."
            if follow
            else f"The project no longer follows {framework.name}.",
        )
    return _back(project, framework)


@login_required
@require_POST
def framework_follow(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _framework_choice(request, slug, follow=True)


@login_required
@require_POST
def framework_unfollow(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _framework_choice(request, slug, follow=False)


@login_required
@require_POST
def requirement_not_applicable(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    project = _project_to_decide(request, slug)
    requirement = _requirement_or_404(pk)
    form = ExclusionForm(request.POST)
    if form.is_valid():
        try:
            requirement_exclude(
                project=project,
                requirement=requirement,
                justification=form.cleaned_data["justification"],
                user=request.user,
            )
        except QualitiError as error:
            service_error_add(form, error)
        else:
            messages.success(request, f"{requirement.identifier} is marked not applicable.")
            return _back(project, requirement.framework, f"requirement-{requirement.pk}")
    return _render(
        request,
        project,
        requirement.framework.identifier,
        failed_exclusion=(requirement.pk, form),
        status=400,
    )


@login_required
@require_POST
def requirement_applicable(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project_to_decide(request, slug)
    requirement = _requirement_or_404(pk)
    try:
        requirement_include(project=project, requirement=requirement, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"{requirement.identifier} applies to the project again.")
    return _back(project, requirement.framework, f"requirement-{requirement.pk}")


@login_required
@require_POST
def requirement_add_templates(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    """A gap's "Add these templates": every mapped template the project lacks, at once."""
    project = _project_to_decide(request, slug)
    requirement = _requirement_or_404(pk)
    try:
        added = requirement_gap_fill(project=project, requirement=requirement, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _added_in_words(added))
    return _back(project, requirement.framework, f"requirement-{requirement.pk}")


def _added_in_words(added: list[Criterion]) -> str:
    """What was added and what each kind of criterion needs next: a measured one, a place
    in a test plan; a process one, an answer."""
    codes = ", ".join(criterion.code for criterion in added)
    measured = [c for c in added if c.kind == CriterionKind.MEASURED]
    process = [c for c in added if c.kind == CriterionKind.PROCESS]
    steps = []
    if measured:
        names = ", ".join(c.code for c in measured)
        steps.append(
            f"put {names} in a test plan so a run judges {'it' if len(measured) == 1 else 'them'}"
        )
    if process:
        if len(process) == 1:
            steps.append(f"{process[0].code}'s question waits for an answer on its page")
        else:
            names = ", ".join(c.code for c in process)
            steps.append(f"the questions of {names} wait for answers on their pages")
    word = "criterion" if len(added) == 1 else "criteria"
    return f"Added {len(added)} {word}: {codes}. Next, {' and '.join(steps)}."
