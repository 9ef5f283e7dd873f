"""/api/v1/: flat resources, filtered with `?project=<slug>`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.accounts.api import MembershipViewSet, NotificationViewSet, TeamViewSet, UserViewSet
from apps.accounts.api_tokens import TokenCreateView, TokenViewSet
from apps.audit.api import StatusChangeViewSet
from apps.criteria.api import CriterionTemplateViewSet, CriterionViewSet
from apps.criteria.api_attestations import AttestationViewSet
from apps.dashboards.api import SearchView
from apps.evaluations.api import CheckResultViewSet, CheckViewSet, EvaluationRunViewSet
from apps.findings.api import (
    CommentViewSet,
    CorrectiveActionViewSet,
    FindingViewSet,
    RiskAcceptanceViewSet,
)
from apps.monitoring.api import MonitoringScheduleViewSet
from apps.monitoring.api_settings import MonitoringSettingsView
from apps.notifications.api import NotificationPreferenceViewSet
from apps.projects.api import DatasetViewSet, ModelVersionViewSet, ProjectViewSet
from apps.reports.api import ReportViewSet
from apps.reports.api_model_card import ModelCardView
from apps.reports.api_sharing import ReportSharesOfReportViewSet, ReportShareViewSet
from apps.standards.api import FrameworkViewSet
from apps.standards.api_coverage import (
    CoverageView,
    ProjectFrameworkViewSet,
    RequirementExclusionViewSet,
)
from apps.testplans.api import PlanCheckViewSet, TestPlanViewSet
from apps.webhooks.api import WebhookViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("model-versions", ModelVersionViewSet, basename="model-version")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("users", UserViewSet, basename="user")
router.register("criterion-templates", CriterionTemplateViewSet, basename="criterion-template")
router.register("criteria", CriterionViewSet, basename="criterion")
router.register("attestations", AttestationViewSet, basename="attestation")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("project-frameworks", ProjectFrameworkViewSet, basename="project-framework")
router.register(
    "requirement-exclusions", RequirementExclusionViewSet, basename="requirement-exclusion"
)
router.register("test-plans", TestPlanViewSet, basename="test-plan")
router.register("plan-checks", PlanCheckViewSet, basename="plan-check")
router.register("runs", EvaluationRunViewSet, basename="run")
router.register("check-results", CheckResultViewSet, basename="check-result")
router.register("checks", CheckViewSet, basename="check")
router.register("findings", FindingViewSet, basename="finding")
router.register("risk-acceptances", RiskAcceptanceViewSet, basename="risk-acceptance")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("comments", CommentViewSet, basename="comment")
router.register("history", StatusChangeViewSet, basename="history")
router.register("notifications", NotificationViewSet, basename="notification")
router.register(
    "notification-preferences", NotificationPreferenceViewSet, basename="notification-preference"
)
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("monitoring-schedules", MonitoringScheduleViewSet, basename="monitoring-schedule")
router.register("reports", ReportViewSet, basename="report")
router.register(
    r"reports/(?P<report_id>[0-9]+)/shares", ReportSharesOfReportViewSet, basename="report-shares"
)
router.register("report-shares", ReportShareViewSet, basename="report-share")
router.register("auth/tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("v1/auth/token/", TokenCreateView.as_view(), name="token-create"),
    path("v1/model-versions/<int:pk>/model-card/", ModelCardView.as_view(), name="model-card-api"),
    path(
        "v1/projects/<slug:slug>/monitoring/",
        MonitoringSettingsView.as_view(),
        name="monitoring-settings-api",
    ),
    # Not in the router: without its two required parameters it answers 400, not a list.
    path("v1/coverage/", CoverageView.as_view(), name="coverage-api"),
    path("v1/search/", SearchView.as_view(), name="search-api"),
    # Namespaced: the router's names ("finding-list", "run-detail"…) would otherwise shadow or
    # be shadowed by the pages' own, and the API root would link to HTML pages.
    path("v1/", include((router.urls, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("schema/ui/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
