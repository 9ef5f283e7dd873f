"""The API of model versions and datasets: multipart uploads, lists, downloads.

Uploads are guarded before anything reads the body (`UploadGuardMixin`: 413 from the
Content-Length, then a streaming, hashing upload handler). Files leave only through the
`download` actions, after the same scoping as every other read.
"""

from collections.abc import Mapping

import django_filters
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action, dataset_upload_action
from apps.projects.api.model_cards import ModelCardPatchMixin
from apps.projects.api.serializers import (
    DatasetCreateSerializer,
    DatasetSerializer,
    ModelVersionCreateSerializer,
    ModelVersionSerializer,
)
from apps.projects.models import Dataset, ModelVersion, Project
from apps.projects.selectors import dataset_list_visible, model_version_list_visible
from apps.projects.services import (
    dataset_create,
    dataset_delete,
    model_version_create,
    model_version_delete,
)
from apps.projects.uploads.handlers import UploadGuardMixin
from qualiti.api import ProjectScopedMixin
from qualiti.api_schema import filter_help_texts
from qualiti.errors import NotFound
from qualiti.http import request_user
from qualiti.stored_files import stored_file_response

# --- filters ----------------------------------------------------------------------------


@filter_help_texts(
    task_type="Only versions of this task.",
    artifact_format="Only versions with an artifact of this format (none: predictions only).",
    sha256="Only the version whose artifact has this hex sha256: a pipeline reuses a file "
    "the project already has instead of sending it again.",
)
class ModelVersionFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__slug", help_text="Project slug.")

    class Meta:
        model = ModelVersion
        # sha256: the CI client reuses a file the project already has instead of sending it.
        fields = ["project", "task_type", "artifact_format", "sha256"]


@filter_help_texts(
    role="Only datasets of this role.",
    validation_status="Only datasets in this state of validation.",
    file_format="Only CSV or only Parquet files.",
    sha256="Only the datasets whose file has this hex sha256.",
)
class DatasetFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__slug", help_text="Project slug.")
    # A plain number, not a choice among all versions: an unknown id and an invisible one
    # answer alike (an empty list).
    model_version = django_filters.NumberFilter(
        field_name="model_version_id",
        help_text="Only datasets carrying the predictions of this model version (id).",
    )

    class Meta:
        model = Dataset
        fields = ["project", "role", "validation_status", "file_format", "model_version", "sha256"]


# --- viewsets ---------------------------------------------------------------------------


def _file_download(field_file: FieldFile, *, content_type: str, sha256: str) -> FileResponse:
    response = stored_file_response(field_file, content_type=content_type, as_attachment=True)
    response["ETag"] = f'"{sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def request_fields(request: Request) -> Mapping:
    """The request's fields; a body that is not an object of fields answers 400."""
    if not isinstance(request.data, Mapping):
        raise serializers.ValidationError(
            {"detail": "A JSON object or a multipart form is expected."}
        )
    return request.data


class _UploadViewSet(
    UploadGuardMixin,
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    def upload_project(self, request: Request, action: Action) -> Project:
        """The project the upload names: 404 when the user may not see it (or it does not
        exist), 403 when their role may not do `action` there. The service decides again;
        asking here refuses before a large body is read."""
        slug = request_fields(request).get("project")
        if not slug:
            raise serializers.ValidationError({"project": ["This field is required."]})
        project = Project.objects.filter(slug=str(slug)).first()
        if project is None:  # answered exactly as a project the user may not see
            raise NotFound("No such project.")
        self.require(project, action)
        return project


@extend_schema(tags=["model versions"])
@extend_schema_view(
    list=extend_schema(summary="List model versions"),
    retrieve=extend_schema(summary="Read a model version"),
    destroy=extend_schema(
        summary="Delete a model version and its artifact",
        description="Refused while evaluation runs refer to it.",
    ),
)
class ModelVersionViewSet(ModelCardPatchMixin, _UploadViewSet):
    """Model versions: upload (multipart: a .skops or .onnx artifact, or none), list with
    `?project=<slug>`, read, change the model card's fields (PATCH), delete, and download
    the artifact."""

    serializer_class = ModelVersionSerializer
    parser_classes = [MultiPartParser, JSONParser]
    filterset_class = ModelVersionFilter
    ordering_fields = ["created_at", "sequence"]

    def base_queryset(self):
        return model_version_list_visible(user=self.request.user)

    @extend_schema(
        summary="Upload a model version",
        request={
            "multipart/form-data": ModelVersionCreateSerializer,
            "application/json": ModelVersionCreateSerializer,  # predictions-only versions
        },
        responses={201: ModelVersionSerializer},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """The artifact is judged in a sandbox, never loaded here: a sound skops archive of
        trusted types or an ONNX model of standard operators, else 400 with the reason. The
        task is read from the model when not given. Without a file (JSON or multipart), a
        predictions-only version, which must say its task. Numbered after the project's
        last version."""
        project = self.upload_project(request, Action.MODEL_UPLOAD)
        serializer = ModelVersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        model_version = model_version_create(
            project=project,
            user=request_user(request),
            uploaded_file=data.get("artifact"),
            label=data["label"],
            task_type=data["task_type"],
            features=data["features"],
            notes=data["notes"],
        )
        return Response(ModelVersionSerializer(model_version).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ModelVersion) -> None:
        model_version_delete(model_version=instance, actor=request_user(self.request))

    @extend_schema(
        summary="Download a model version's artifact",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Invisible, or a predictions-only version."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The artifact's exact bytes."""
        model_version = self.get_object()
        self.require(model_version.project, Action.VIEW)
        if not model_version.artifact:
            raise Http404("This model version has no artifact (predictions only).")
        return _file_download(
            model_version.artifact,
            content_type="application/octet-stream",
            sha256=model_version.sha256,
        )


@extend_schema(tags=["datasets"])
@extend_schema_view(
    list=extend_schema(summary="List datasets"),
    retrieve=extend_schema(summary="Read a dataset"),
    destroy=extend_schema(
        summary="Delete a dataset and its file",
        description="Refused while evaluation runs refer to it.",
    ),
)
class DatasetViewSet(_UploadViewSet):
    """Datasets: upload (multipart: a CSV or Parquet file and the columns it names), list
    with `?project=<slug>&role=&validation_status=`, read, delete, download the file."""

    serializer_class = DatasetSerializer
    parser_classes = [MultiPartParser]
    filterset_class = DatasetFilter
    ordering_fields = ["created_at", "name"]

    def base_queryset(self):
        return dataset_list_visible(user=self.request.user)

    @extend_schema(
        summary="Upload a dataset",
        request={"multipart/form-data": DatasetCreateSerializer},
        responses={201: DatasetSerializer},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """A CSV (UTF-8) or Parquet file, by content; the columns it names are checked
        against its header at once, and the whole file is then validated in the background:
        follow `validation_status`."""
        role = str(request_fields(request).get("role", ""))
        project = self.upload_project(request, dataset_upload_action(role))
        serializer = DatasetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        model_version = None
        if (version_id := data["model_version"]) is not None:
            model_version = ModelVersion.objects.filter(project=project, pk=version_id).first()
            if model_version is None:
                message = f"No model version with id {version_id} in this project."
                raise serializers.ValidationError({"model_version": [message]})
        dataset = dataset_create(
            project=project,
            user=request_user(request),
            uploaded_file=data["file"],
            name=data["name"],
            role=data["role"],
            target_column=data["target_column"],
            sensitive_columns=data["sensitive_columns"],
            prediction_column=data["prediction_column"],
            probability_columns=data["probability_columns"],
            model_version=model_version,
        )
        return Response(DatasetSerializer(dataset).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Dataset) -> None:
        dataset_delete(dataset=instance, actor=request_user(self.request))

    @extend_schema(
        summary="Download a dataset's file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Not visible to the caller."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The dataset file's exact bytes."""
        dataset = self.get_object()
        self.require(dataset.project, Action.VIEW)
        content_type = "text/csv" if dataset.file_format == "csv" else "application/octet-stream"
        return _file_download(dataset.file, content_type=content_type, sha256=dataset.sha256)
