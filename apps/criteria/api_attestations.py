"""/api/v1/attestations/: answers to process criteria. Listed for the projects the caller
sees; created (multipart, with an evidence file, or JSON with a link) by whoever must
answer; accepted or sent back by the project's quality manager; the evidence file leaves
only through the `evidence` action, as an attachment, after the same scoping."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action
from apps.criteria.evidence import evidence_body_guard, evidence_download
from apps.criteria.models import Attestation, Criterion
from apps.criteria.selectors import attestation_list
from apps.criteria.services_attestations import (
    attestation_accept,
    attestation_refuse,
    attestation_submit,
)
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter, VisibleRelatedField
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.filters import IntegerFilter
from qualiti.http import request_user


class AttestationSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        source="criterion.project",
        slug_field="slug",
        read_only=True,
        help_text="The project's slug.",
    )
    criterion_code = serializers.CharField(
        source="criterion.code", read_only=True, help_text="The code of the criterion answered."
    )
    evidence_download = serializers.SerializerMethodField(
        help_text="Where the evidence file downloads (an attachment); null without a file."
    )

    class Meta:
        model = Attestation
        fields = [
            "id", "project", "criterion", "criterion_code", "answer", "evidence_name",
            "evidence_size", "evidence_url", "evidence_download", "status", "submitted_by",
            "submitted_at", "decided_by", "decided_at", "decision_note", "valid_until",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The answer's id.",
            criterion="Id of the process criterion answered.",
            answer="The answer to the criterion's question.",
            evidence_name="The evidence file's name as uploaded; empty without a file.",
            evidence_size="The evidence file's size in bytes; null without a file.",
            evidence_url="A link to the evidence; empty without one.",
            status="submitted (waiting for the quality manager), accepted, refused (sent "
            "back) or expired (accepted, then past its validity).",
            submitted_by="Id of who answered.",
            submitted_at="When it was answered.",
            decided_by="Id of who accepted or sent it back; null while waiting.",
            decided_at="When it was accepted or sent back; null while waiting.",
            decision_note="Why it was sent back, or the note given with the acceptance.",
            valid_until="The last day an accepted answer holds; null until accepted.",
        )

    def get_evidence_download(self, attestation: Attestation) -> str | None:
        if not attestation.evidence_file:
            return None
        return reverse("api:attestation-evidence", args=[attestation.pk])


class AttestationCreateSerializer(serializers.Serializer):
    criterion = VisibleRelatedField(
        model=Criterion, help_text="Id of the process criterion answered."
    )
    answer = serializers.CharField(help_text="The answer to the criterion's question.")
    evidence_file = serializers.FileField(
        required=False,
        allow_null=True,
        help_text="A document as evidence (multipart), up to QUALITI_MAX_EVIDENCE_BYTES.",
    )
    evidence_url = serializers.URLField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="A link to the evidence. The criterion's evidence_expected says whether a "
        "file, a link, or either is needed.",
    )


class AcceptSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A note on the acceptance."
    )


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text="Why the answer is sent back; the criterion's finding opens with it."
    )


@filter_help_texts(status="Only answers in this state.")
class AttestationFilter(ProjectSlugFilter):
    criterion = IntegerFilter(
        field_name="criterion_id", help_text="Only answers to this criterion (id)."
    )

    class Meta:
        model = Attestation
        fields = ["project", "criterion", "status"]


@extend_schema(tags=["attestations"])
@extend_schema_view(
    list=extend_schema(summary="List answers to process criteria, newest first"),
    retrieve=extend_schema(summary="Read an answer to a process criterion"),
)
class AttestationViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Answers to process criteria, with their evidence and the quality manager's decision."""

    project_field = "criterion__project"
    serializer_class = AttestationSerializer
    filterset_class = AttestationFilter
    parser_classes = [MultiPartParser, JSONParser]
    ordering_fields = ["submitted_at"]
    ordering = ["-submitted_at", "-id"]

    def base_queryset(self):
        return attestation_list()

    def initial(self, request: Request, *args, **kwargs) -> None:
        # Before authentication: DRF's CSRF check would read the body.
        if request.method == "POST" and self.action == "create":
            evidence_body_guard(request.META)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Answer a process criterion",
        request={
            "multipart/form-data": AttestationCreateSerializer,
            "application/json": AttestationCreateSerializer,
        },
        responses={201: AttestationSerializer},
    )
    def create(self, request: Request) -> Response:
        """Only whoever must answer (the criterion's named answerer, else a member with
        its answered_by_role). The answer waits for the quality manager's decision; one
        answer at a time waits per criterion. A file over the limit answers 413."""
        data = AttestationCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        attestation = attestation_submit(user=request_user(request), **data.validated_data)
        return Response(self._output(attestation), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept an answer", request=AcceptSerializer, responses=AttestationSerializer
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The project's quality manager or an administrator: the answer holds for the
        criterion's validity_days from today, and the criterion's open finding is verified."""
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accepted = attestation_accept(
            attestation=self.get_object(), user=request_user(request), **data.validated_data
        )
        return Response(self._output(accepted))

    @extend_schema(
        summary="Send an answer back", request=RefuseSerializer, responses=AttestationSerializer
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        """The project's quality manager or an administrator, saying why: the criterion
        counts as failing and its finding opens (or reopens) with the reason."""
        data = RefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refused = attestation_refuse(
            attestation=self.get_object(), user=request_user(request), **data.validated_data
        )
        return Response(self._output(refused))

    @extend_schema(
        summary="Download an answer's evidence file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Not visible to the caller, or no file."),
        },
    )
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> FileResponse:
        """The evidence file's bytes, as an attachment."""
        attestation = self.get_object()
        self.require(attestation.criterion.project, Action.VIEW)
        return evidence_download(attestation)

    def _output(self, attestation: Attestation) -> dict:
        return AttestationSerializer(attestation, context=self.get_serializer_context()).data
