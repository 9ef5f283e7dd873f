"""`POST /api/v1/runs/{id}/sign/`: the runs viewset mixes this in, so signing is an action
of the run it signs (looked up, and scoped, like every other)."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action, project_action_check
from apps.evaluations.models import EvaluationRun
from apps.reports.api import ReportSerializer
from apps.reports.models import Conclusion, RunAnalysis
from apps.reports.services_signing import (
    ANALYSIS_MAX_CHARS,
    CONDITIONS_MAX_CHARS,
    run_analysis_save,
    run_report_sign,
)
from qualiti.http import request_user

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ViewsetBase = GenericAPIView
else:
    _ViewsetBase = object


class RunSignSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=ANALYSIS_MAX_CHARS,
        help_text="The analysis (Markdown). Given with the others, it is saved first; left "
        "out, the analysis saved on the run page is signed.",
    )
    conclusion = serializers.ChoiceField(
        choices=Conclusion.choices,
        required=False,
        help_text="release, release_with_conditions or do_not_release.",
    )
    conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CONDITIONS_MAX_CHARS,
        help_text='Required when the conclusion is "release_with_conditions".',
    )


class RunSignMixin(_ViewsetBase):
    """The runs viewset's `sign` action."""

    @extend_schema(
        summary="Sign a run's report", request=RunSignSerializer, responses={201: ReportSerializer}
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """Sign the run's report (the project's quality manager or an administrator): a new
        report freezing the analysis and conclusion, rendered now to HTML and PDF whose
        sha256 are stored; it replaces the run's previous signed report, if any."""
        run: EvaluationRun = self.get_object()
        user = request_user(request)
        # The refusal comes before anything the body would be told.
        project_action_check(user=user, project_id=run.project_id, action=Action.REPORT_SIGN)
        body = RunSignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data:
            saved = RunAnalysis.objects.filter(run=run).first()
            run_analysis_save(
                run=run,
                user=user,
                text=body.validated_data.get("text", saved.text if saved else ""),
                conclusion=body.validated_data.get("conclusion", saved.conclusion if saved else ""),
                conditions=body.validated_data.get("conditions", saved.conditions if saved else ""),
            )
        report = run_report_sign(run=run, user=user)
        answer = ReportSerializer(report, context={"request": request}).data
        return Response(answer, status=status.HTTP_201_CREATED)
