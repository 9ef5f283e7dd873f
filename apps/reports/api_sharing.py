"""Share links in the API.

`GET/POST /api/v1/reports/{report_id}/shares/`: a report's links (each with its number of
openings, never its token) and a new one, whose create answer alone carries `url`.
`GET /api/v1/report-shares/{id}/`, `POST …/{id}/revoke/` (the link and its log stay, so it
is a revocation, not a DELETE) and `GET …/{id}/openings/` (its access log).

Only the project's quality manager or an admin: anyone else who sees the report gets 403,
anyone who does not, 404.
"""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import User
from apps.reports import sharing
from apps.reports.models import ReportShare, ReportShareOpening
from qualiti.api import ProjectScopedMixin
from qualiti.api_schema import help_texts
from qualiti.http import request_user


class ReportShareSerializer(serializers.ModelSerializer):
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of who made the link."
    )
    opening_count = serializers.IntegerField(read_only=True, help_text="Times it was opened.")
    last_opened_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was last opened; null if never."
    )

    class Meta:
        model = ReportShare
        fields = [
            "id", "report", "label", "expires_at", "revoked_at", "created_by", "created_at",
            "opening_count", "last_opened_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The link's id.",
            report="Id of the report it opens.",
            expires_at="When it stops opening the report.",
            revoked_at="When it was revoked; null while it works.",
            created_at="When it was made.",
        )


class ReportShareCreatedSerializer(ReportShareSerializer):
    url = serializers.CharField(
        read_only=True,
        help_text="Shown in this answer only: the link opens the report without an account "
        "(its PDF at the same URL followed by pdf/). Qualiti keeps only its hash.",
    )

    class Meta(ReportShareSerializer.Meta):
        fields = [*ReportShareSerializer.Meta.fields, "url"]
        read_only_fields = fields


class ReportShareCreateSerializer(serializers.Serializer):
    # A Serializer is a Field, whose own `label` the stubs type as a string.
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True, help_text="Who the link is for."
    )
    days = serializers.IntegerField(
        min_value=sharing.MIN_DAYS,
        max_value=sharing.MAX_DAYS,
        required=False,
        help_text="Days until it expires (the server's default, 14 unless configured, when "
        "absent).",
    )


class ReportShareOpeningSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportShareOpening
        fields = ["id", "share", "opened_at", "address", "user_agent", "format"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The opening's id.",
            share="Id of the link opened.",
            opened_at="When it was opened.",
            address="The IP address it was opened from, if known.",
            user_agent="The browser's User-Agent, cut to 300 characters.",
            format="What was opened: html or pdf.",
        )


REPORT_ID = OpenApiParameter(
    "report_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The report's id."
)


@extend_schema(tags=["report shares"])
@extend_schema_view(
    list=extend_schema(summary="List a report's share links, newest first", parameters=[REPORT_ID]),
    create=extend_schema(
        summary="Make a share link to a report",
        description="A new link to a ready report; the answer carries its `url`, once.",
        parameters=[REPORT_ID],
        request=ReportShareCreateSerializer,
        responses={201: ReportShareCreatedSerializer},
    ),
)
class ReportSharesOfReportViewSet(
    ProjectScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """A report's share links, newest first."""

    serializer_class = ReportShareSerializer
    project_field = "report__project"
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def base_queryset(self) -> QuerySet[ReportShare]:
        return sharing.share_annotated(ReportShare.objects.all())

    def list(self, request: Request, report_id: str) -> Response:
        report = sharing.report_for_sharing(user=request_user(request), report_id=int(report_id))
        shares = self.filter_queryset(self.get_queryset()).filter(report=report)
        page = self.paginate_queryset(shares)
        items = page if page is not None else list(shares)
        body = ReportShareSerializer(items, many=True).data
        return self.get_paginated_response(body) if page is not None else Response(body)

    def create(self, request: Request, report_id: str) -> Response:
        user = request_user(request)
        report = sharing.report_for_sharing(user=user, report_id=int(report_id))
        data = ReportShareCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = sharing.report_share_create(user=user, report=report, **data.validated_data)
        share = self.get_queryset().get(pk=created.share.pk)
        body = {**ReportShareSerializer(share).data, "url": created.url}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["report shares"])
@extend_schema_view(retrieve=extend_schema(summary="Read a share link"))
class ReportShareViewSet(ProjectScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One share link: read it, revoke it, read its access log."""

    serializer_class = ReportShareSerializer
    project_field = "report__project"

    def base_queryset(self) -> QuerySet[ReportShare]:
        return sharing.share_annotated(ReportShare.objects.all())

    def managed_object(self) -> ReportShare:
        """The link (404 when its report is out of sight), 403 unless the caller may share
        the report."""
        share = self.get_object()
        sharing.report_share_check(user=request_user(self.request), report=share.report)
        return share

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ReportShareSerializer(self.managed_object()).data)

    @extend_schema(
        summary="Revoke a share link",
        request=inline_serializer("ReportShareRevoke", fields={}),
        responses=ReportShareSerializer,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        """The link opens nothing from now on; revoking it again changes nothing."""
        share = sharing.report_share_revoke(user=request_user(request), share=self.managed_object())
        return Response(ReportShareSerializer(self.get_queryset().get(pk=share.pk)).data)

    @extend_schema(
        summary="List a share link's openings, newest first",
        responses=ReportShareOpeningSerializer(many=True),
        parameters=[OpenApiParameter("ordering", exclude=True)],
    )
    @action(detail=True, methods=["get"])
    def openings(self, request: Request, pk: str) -> Response:
        """The link's access log, newest first: time, address, browser, format."""
        openings = sharing.opening_list(share=self.managed_object())
        page = self.paginate_queryset(openings)
        items = page if page is not None else list(openings)
        body = ReportShareOpeningSerializer(items, many=True).data
        return self.get_paginated_response(body) if page is not None else Response(body)
