"""The uploads pages of a project: the lists of model versions and datasets with their
upload forms, and one page per upload showing what Qualiti read from it.

The two upload views guard the body before anything reads it, as the API does: the
Content-Length alone decides a 413, and a streaming, hashing handler is installed before
the multipart parse. The CSRF middleware would parse the body first, so those views are
exempted from it and run the same check themselves, after the guard (Django's documented
way to change upload handlers in a view).
"""

from collections.abc import Callable
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import Action, dataset_upload_action, require_action, user_can
from apps.evaluations.engine.loading.allowlist import trusted_skops_types
from apps.projects.forms import DatasetUploadForm, ModelCardForm, ModelVersionUploadForm
from apps.projects.models import (
    MODEL_CARD_FIELDS,
    Dataset,
    DatasetRole,
    ModelVersion,
    Project,
    ValidationStatus,
    model_card_field,
)
from apps.projects.selectors import (
    dataset_list_visible,
    model_version_list_visible,
    model_version_owners,
    project_visible_or_404,
)
from apps.projects.services import dataset_create, model_version_create, model_version_describe
from apps.projects.uploads.handlers import upload_request_guard
from apps.projects.views_pagination import page_with_links
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest

UPLOADS_PER_PAGE = 20
PROBLEMS_SHOWN = 50


def _upload_rights(request: AuthenticatedHttpRequest, project: Project) -> dict[str, bool]:
    def can(action: Action) -> bool:
        return user_can(user=request.user, project_id=project.pk, action=action)

    return {
        "may_upload_model": can(Action.MODEL_UPLOAD),
        "may_upload_any_dataset": can(Action.DATASET_UPLOAD),
        "may_upload_train_dataset": can(Action.TRAIN_DATASET_UPLOAD),
    }


def _dataset_form(project: Project, rights: dict[str, bool], data=None, files=None):
    form = DatasetUploadForm(data, files, project=project)
    if not rights["may_upload_any_dataset"]:
        role = cast(forms.ChoiceField, form.fields["role"])
        role.choices = [(DatasetRole.TRAIN, DatasetRole.TRAIN.label)]
    return form


def _uploads_render(
    request: AuthenticatedHttpRequest,
    project: Project,
    *,
    model_form: ModelVersionUploadForm | None = None,
    dataset_form: DatasetUploadForm | None = None,
    status: int = 200,
    refusals: dict[str, str] | None = None,
) -> HttpResponse:
    rights = _upload_rights(request, project)
    versions = model_version_list_visible(user=request.user).filter(project=project)
    datasets = dataset_list_visible(user=request.user).filter(project=project)
    context = {
        "project": project,
        "tab": "uploads",
        "versions": page_with_links(
            request, versions, per_page=UPLOADS_PER_PAGE, param="models_page"
        ),
        "datasets": page_with_links(
            request, datasets, per_page=UPLOADS_PER_PAGE, param="datasets_page"
        ),
        "model_form": model_form or ModelVersionUploadForm(),
        "dataset_form": dataset_form or _dataset_form(project, rights),
        "refusals": refusals or {},
        **rights,
    }
    return render(request, "projects/uploads.html", context, status=status)


@login_required
@require_GET
def uploads(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    return _uploads_render(request, project)


def _upload_success(request: AuthenticatedHttpRequest, url: str, message: str) -> HttpResponse:
    """A redirect; for the progress-bar script (XMLHttpRequest) a 200 naming where to go,
    since a followed redirect would show, and so use up, the success message."""
    messages.success(request, message)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        response = HttpResponse(status=200)
        response["X-Redirect"] = url
        return response
    return redirect(url)


def _guarded_upload(
    request: AuthenticatedHttpRequest,
    project: Project,
    refusal_key: str,
    view: Callable[[AuthenticatedHttpRequest, Project], HttpResponse],
) -> HttpResponse:
    """Run `view` once the body is guarded; a body over the limit is refused on the page
    (413), above the form it was sent from."""
    try:
        upload_request_guard(request)
        return view(request, project)
    except QualitiError as error:  # too large, or no usable Content-Length
        return _uploads_render(
            request, project, status=error.status_code, refusals={refusal_key: error.message}
        )


@csrf_protect
def _model_version_upload(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = ModelVersionUploadForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = model_version_create(
                project=project,
                user=request.user,
                uploaded_file=data["artifact"],
                label=data["label"],
                task_type=data["task_type"],
                features=data["features"],
                notes=data["notes"],
            )
        except (QualitiError, ValidationError) as error:
            service_error_add(form, error)
            status = getattr(error, "status_code", 400)
        else:
            url = reverse("model-version-page", args=[project.slug, version.pk])
            return _upload_success(request, url, f"Model version {version.sequence} uploaded.")
    return _uploads_render(request, project, model_form=form, status=status)


@csrf_exempt  # checked by _model_version_upload, after the guard: see the module docstring
@login_required
@require_POST
def model_version_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.MODEL_UPLOAD)
    return _guarded_upload(request, project, "model", _model_version_upload)


@csrf_protect
def _dataset_upload(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    # Refused before the form judges the file; dataset_create asks the same rule again.
    action = dataset_upload_action(request.POST.get("role", ""))
    require_action(user=request.user, project_id=project.pk, action=action)
    form = _dataset_form(project, _upload_rights(request, project), request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        uploaded_file = data.pop("file")
        try:
            dataset = dataset_create(
                project=project, user=request.user, uploaded_file=uploaded_file, **data
            )
        except (QualitiError, ValidationError) as error:
            service_error_add(form, error)
            status = getattr(error, "status_code", 400)
        else:
            url = reverse("dataset-page", args=[project.slug, dataset.pk])
            message = f"Dataset “{dataset.name}” uploaded; it is being validated."
            return _upload_success(request, url, message)
    return _uploads_render(request, project, dataset_form=form, status=status)


@csrf_exempt  # checked by _dataset_upload, after the guard: see the module docstring
@login_required
@require_POST
def dataset_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    rights = _upload_rights(request, project)
    if not (rights["may_upload_any_dataset"] or rights["may_upload_train_dataset"]):
        raise PermissionDenied("Your role on this project does not allow uploading datasets.")
    return _guarded_upload(request, project, "dataset", _dataset_upload)


def _visible_version(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> tuple[Project, ModelVersion]:
    project = project_visible_or_404(user=request.user, slug=slug)
    version = get_object_or_404(
        model_version_list_visible(user=request.user).filter(project=project), pk=pk
    )
    return project, version


def _model_version_render(
    request: AuthenticatedHttpRequest,
    project: Project,
    version: ModelVersion,
    *,
    card_form: ModelCardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # skops names the types it does not trust by itself; a run loads those Qualiti's
    # allowlist trusts (TreePredictor, Tree...) and refuses only the others.
    trusted = trusted_skops_types(tuple(settings.QUALITI_RUN_TRUSTED_TYPES))
    untrusted = (version.artifact_audit or {}).get("untrusted_types") or []
    may_describe = user_can(user=request.user, project_id=project.pk, action=Action.MODEL_UPLOAD)
    initial = {field: getattr(version, field) for field in MODEL_CARD_FIELDS}
    context = {
        "project": project,
        "tab": "uploads",
        "version": version,
        "refused_types": [name for name in untrusted if name not in trusted],
        "may_launch": user_can(user=request.user, project_id=project.pk, action=Action.RUN_LAUNCH),
        "card_fields": [
            (
                model_card_field(field).verbose_name,
                model_version_owners(version) if field == "owners" else getattr(version, field),
            )
            for field in MODEL_CARD_FIELDS
        ],
        "card_form": (card_form or ModelCardForm(initial=initial)) if may_describe else None,
    }
    return render(request, "projects/model_version_detail.html", context, status=status)


@login_required
@require_GET
def model_version_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, version = _visible_version(request, slug, pk)
    return _model_version_render(request, project, version)


@login_required
@require_POST
def model_version_card_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Keep the model card's descriptive fields of a version."""
    project, version = _visible_version(request, slug, pk)
    require_action(user=request.user, project_id=project.pk, action=Action.MODEL_UPLOAD)
    form = ModelCardForm(request.POST)
    if form.is_valid():
        try:
            model_version_describe(model_version=version, actor=request.user, **form.cleaned_data)
        except (QualitiError, ValidationError) as error:
            service_error_add(form, error)
        else:
            messages.success(request, "Model card saved.")
            url = reverse("model-version-page", args=[project.slug, version.pk])
            return redirect(f"{url}#model-card-heading")
    version.refresh_from_db()  # the page shows what is kept, the form what was sent
    return _model_version_render(request, project, version, card_form=form, status=400)


def _visible_dataset(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> tuple[Project, Dataset]:
    project = project_visible_or_404(user=request.user, slug=slug)
    dataset = get_object_or_404(
        dataset_list_visible(user=request.user).filter(project=project), pk=pk
    )
    return project, dataset


def _dataset_status_context(project: Project, dataset: Dataset) -> dict:
    return {
        "project": project,
        "dataset": dataset,
        "validating": dataset.validation_status == ValidationStatus.VALIDATING,
        "problems": dataset.validation_problems[:PROBLEMS_SHOWN],
        "schema_rows": [
            (column, dataset.schema.get(column, "")) for column in dataset.columns or []
        ],
    }


@login_required
@require_GET
def dataset_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project, dataset = _visible_dataset(request, slug, pk)
    context = {"tab": "uploads", **_dataset_status_context(project, dataset)}
    return render(request, "projects/dataset_detail.html", context)


@login_required
@require_GET
def dataset_status(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The validation fragment htmx polls while the worker reads the file; once it is
    done, the fragment comes back without its polling attributes, so polling stops."""
    project, dataset = _visible_dataset(request, slug, pk)
    return render(
        request, "projects/_dataset_status.html", _dataset_status_context(project, dataset)
    )
