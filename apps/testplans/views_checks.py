"""Editing the checks of a draft plan: add one (its parameter form generated from the
check's schema, refreshed by htmx when the check changes), edit its parameters, remove it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.evaluations import engine
from apps.evaluations.selectors import check_catalogue
from apps.testplans import services
from apps.testplans.forms import PlanCheckForm, check_params_form, plan_item_error
from apps.testplans.models import PlanCheck
from apps.testplans.views import (
    new_check_forms,
    project_plan_for_change,
    project_plan_or_404,
    render_plan_detail,
)
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


def _implemented_check(check_key: str) -> dict[str, Any] | None:
    return next((c for c in check_catalogue() if c["key"] == check_key and c["implemented"]), None)


def _validated(plan_form: PlanCheckForm, params_form: Any, check_key: str) -> bool:
    """Both forms valid and the engine accepts the criterion's metric and the parameters;
    the engine's objection is shown above the form."""
    if not (plan_form.is_valid() and params_form.is_valid()):
        return False
    problem = plan_item_error(
        check_key=check_key,
        criterion=plan_form.cleaned_data["criterion"],
        params=params_form.cleaned_data,
    )
    if problem:
        plan_form.add_error(None, problem)
        return False
    return True


@login_required
@require_GET
def plan_check_params(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The "Add check" form for the check chosen in the select (the htmx fragment)."""
    project, plan = project_plan_for_change(request, slug, pk)
    check_key = request.GET.get("check", "")
    if not plan.is_editable:
        raise Http404("This plan version is not a draft.")
    check = _implemented_check(check_key)
    context: dict[str, Any] = {"project": project, "plan": plan}
    if check is not None:
        context["add"] = new_check_forms(plan, check_key, check_catalogue())
    return render(request, "testplans/_check_add_form.html", context)


@login_required
@require_POST
def plan_check_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    check_key = request.POST.get("check_key", "")
    check = _implemented_check(check_key)
    if check is None:
        messages.error(request, f"Unknown check {check_key!r}: choose one from the list.")
        return render_plan_detail(request, project, plan, status=400)
    plan_form = PlanCheckForm(request.POST, plan=plan)
    params_form = check_params_form(check_key, request.POST)
    if _validated(plan_form, params_form, check_key):
        try:
            added = services.plan_check_add(
                plan=plan,
                user=request.user,
                criterion=plan_form.cleaned_data["criterion"],
                check_key=check_key,
                params=params_form.cleaned_data,
                dataset_roles=plan_form.cleaned_data["dataset_roles"],
            )
        except QualitiError as error:
            refusal_raise(error)
            if plan.is_editable:
                plan_form.add_error(None, error.message)
            else:  # the page shows no form for a frozen version: say it above
                messages.error(request, error.message)
            status = error.status_code
        else:
            messages.success(
                request, f"Added {engine.check_name(added.check_key)} for {added.criterion.code}."
            )
            return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    else:
        status = 400
    add_forms = {
        "check_key": check_key,
        "check": check,
        "plan_form": plan_form,
        "params_form": params_form,
    }
    return render_plan_detail(request, project, plan, add_forms=add_forms, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_check_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int, check_id: int
) -> HttpResponse:
    """Edit a check's parameters and dataset roles; its criterion stays (remove and add the
    check again to bind another). A form page only, so readers get 403 here too."""
    project, plan = project_plan_for_change(request, slug, pk)
    plan_check = get_object_or_404(
        PlanCheck.objects.select_related("criterion"), plan=plan, pk=check_id
    )
    if not plan.is_editable:
        messages.error(request, f"v{plan.version} is {plan.status}: revise it to change checks.")
        return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    data = request.POST if request.method == "POST" else None
    initial = {"criterion": plan_check.criterion_id, "dataset_roles": plan_check.dataset_roles}
    plan_form = PlanCheckForm(data, plan=plan, initial=initial)
    plan_form.fields["criterion"].disabled = True
    params_form = check_params_form(plan_check.check_key, data, initial=plan_check.params)
    status = 200
    if request.method == "POST":
        status = 400
        if _validated(plan_form, params_form, plan_check.check_key):
            try:
                services.plan_check_update(
                    check=plan_check,
                    user=request.user,
                    params=params_form.cleaned_data,
                    dataset_roles=plan_form.cleaned_data["dataset_roles"],
                )
            except QualitiError as error:
                refusal_raise(error)
                plan_form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(
                    request,
                    f"Saved {engine.check_name(plan_check.check_key)} "
                    f"for {plan_check.criterion.code}.",
                )
                return redirect("plan-detail", slug=project.slug, pk=plan.pk)
    return render(
        request,
        "testplans/check_edit.html",
        {
            "project": project,
            "tab": "plans",
            "plan": plan,
            "plan_check": plan_check,
            "check": _implemented_check(plan_check.check_key),
            "plan_form": plan_form,
            "params_form": params_form,
        },
        status=status,
    )


@login_required
@require_POST
def plan_check_remove(
    request: AuthenticatedHttpRequest, slug: str, pk: int, check_id: int
) -> HttpResponse:
    project, plan = project_plan_or_404(request, slug, pk)
    plan_check = get_object_or_404(
        PlanCheck.objects.select_related("criterion", "plan"), plan=plan, pk=check_id
    )
    label = f"{engine.check_name(plan_check.check_key)} for {plan_check.criterion.code}"
    try:
        services.plan_check_remove(check=plan_check, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {label}.")
    return redirect("plan-detail", slug=project.slug, pk=plan.pk)
