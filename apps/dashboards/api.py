"""GET /api/v1/search/?q=: the search page's results as JSON, from the same selector, so
the API finds exactly what the page does (and nothing the caller may not see)."""

from typing import Any

from django.db.models import Model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.dashboards.selectors.search import QUERY_MAX_LENGTH, SearchGroup, search
from apps.evaluations.models import EvaluationRun
from apps.findings.models import Finding
from apps.projects.models import ModelVersion, Project
from qualiti.http import request_user


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The object's id (a project's too; its slug names it).")
    title = serializers.CharField(help_text="What the page calls it.")
    project = serializers.CharField(help_text="The project's slug.")
    url = serializers.CharField(help_text="The object's page.")
    api_url = serializers.CharField(help_text="The object in this API.")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["projects", "model_versions", "runs", "findings"],
        help_text="What the group holds: projects, model versions, runs or findings.",
    )
    title = serializers.CharField(help_text="What the search page calls them.")
    total = serializers.IntegerField(help_text="Every match the caller may see.")
    more = serializers.IntegerField(help_text="Matches beyond the results listed.")
    results = SearchHitSerializer(many=True, help_text="The first matches, at most ten.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched (trimmed).")
    total = serializers.IntegerField(help_text="Every match the caller may see, in all groups.")
    groups = SearchGroupSerializer(many=True, help_text="Empty for an empty query.")


def _hit(row: Model) -> dict[str, Any]:
    """A row's id, title and links; the project is loaded with it (select_related)."""
    api: tuple[str, str | int]
    if isinstance(row, Project):
        project, title = row, row.name
        page, api = reverse("project-overview", args=[row.slug]), ("project", row.slug)
    elif isinstance(row, ModelVersion):
        project, title = row.project, f"v{row.sequence} {row.label}"
        page = reverse("model-version-page", args=[row.project.slug, row.pk])
        api = ("model-version", row.pk)
    elif isinstance(row, EvaluationRun):
        project, title = row.project, f"Run {row.pk}: {row.model_version.label}"
        page, api = reverse("run-detail", args=[row.project.slug, row.pk]), ("run", row.pk)
    elif isinstance(row, Finding):
        project, title = row.project, f"#{row.pk} {row.title}"
        page, api = reverse("finding-detail", args=[row.pk]), ("finding", row.pk)
    else:
        raise TypeError(f"No search hit for {type(row).__name__}.")
    return {
        "id": row.pk,
        "title": title,
        "project": project.slug,
        "url": page,
        "api_url": reverse(f"api:{api[0]}-detail", args=[api[1]]),
    }


def _group(group: SearchGroup) -> dict[str, Any]:
    return {
        "kind": group.kind,
        "title": group.label,
        "total": group.total,
        "more": group.more,
        "results": [_hit(row) for row in group.rows],
    }


class SearchView(APIView):
    """Projects, model versions, runs and findings the caller may see, by name, code or id."""

    @extend_schema(
        operation_id="search",
        tags=["search"],
        summary="Search projects, model versions, runs and findings",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    "Part of a name, label, title, criterion code, check or subject; a number "
                    "(`12`, `#12`) also finds that run and finding, `v3` a model's third "
                    f"version. At most {QUERY_MAX_LENGTH} characters."
                ),
            )
        ],
        responses={
            200: SearchResultsSerializer,
            400: OpenApiResponse(description="The query is too long or cannot be searched."),
        },
    )
    def get(self, request: Request) -> Response:
        results = search(user=request_user(request), query=request.query_params.get("q", ""))
        body = {
            "query": results.query,
            "total": results.total,
            "groups": [_group(group) for group in results.groups],
        }
        return Response(SearchResultsSerializer(body).data)
