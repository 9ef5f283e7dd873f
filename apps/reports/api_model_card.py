"""GET /api/v1/model-versions/{id}/model-card/: a model version's model card as Markdown
(the page's export, for pipelines that publish it beside the model)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request

from apps.projects.api.serializers import ModelVersionSerializer
from apps.projects.selectors import model_version_list_visible
from apps.reports.views_model_card import markdown_response
from qualiti.api import ProjectScopedMixin


class ModelCardView(ProjectScopedMixin, generics.GenericAPIView):
    """The model card of a model version the caller may see, as a Markdown attachment."""

    serializer_class = ModelVersionSerializer  # the looked-up rows; the answer is Markdown

    def base_queryset(self):
        return model_version_list_visible(user=self.request.user).select_related(
            "project__development_team"
        )

    @extend_schema(
        operation_id="model_versions_model_card",
        tags=["model versions"],
        summary="Download a model version's model card (Markdown)",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The model version's id."
            )
        ],
        responses={
            (200, "text/markdown"): OpenApiResponse(
                OpenApiTypes.STR, description="The model card (Markdown)."
            ),
            404: OpenApiResponse(description="Not visible to the caller."),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The model version's model card as a Markdown attachment: its descriptive fields
        and the numbers of its runs (the model card page's export)."""
        return markdown_response(self.get_object())
