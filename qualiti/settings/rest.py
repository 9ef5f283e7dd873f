"""The REST API's settings: DRF, knox tokens, the OpenAPI schema (drf-spectacular)."""

from datetime import timedelta

import environ

env = environ.Env()  # base.py has read the optional .env into the environment already

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "qualiti.filters.QualitiFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "qualiti.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "ORDERING_PARAM": "ordering",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qualiti.api.exception_handler",
}
# API tokens expire: QUALITI_TOKEN_DAYS by default, up to QUALITI_TOKEN_MAX_DAYS when asked.
QUALITI_TOKEN_DAYS = env.int("QUALITI_TOKEN_DAYS", default=90)
QUALITI_TOKEN_MAX_DAYS = env.int("QUALITI_TOKEN_MAX_DAYS", default=365)
REST_KNOX = {"TOKEN_TTL": timedelta(days=QUALITI_TOKEN_DAYS), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qualiti API",
    "DESCRIPTION": "AI quality review: projects, criteria, test plans, runs and findings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FindingStatusEnum": "apps.findings.models.FindingStatus",
        "ActionStatusEnum": "apps.findings.models.ActionStatus",
        "RiskAcceptanceStateEnum": "apps.findings.models.RiskAcceptanceState",
        "PlanStatusEnum": "apps.testplans.models.PlanStatus",
        "RunStatusEnum": "apps.evaluations.models.RunStatus",
        "ValidationStatusEnum": "apps.projects.models.ValidationStatus",
        "RiskLevelEnum": "apps.projects.models.RiskLevel",
        "SeverityEnum": "apps.criteria.models.Severity",
        "ProjectRoleEnum": "apps.accounts.models.ProjectRole",
        "DatasetRoleEnum": "apps.projects.models.DatasetRole",
        "WebhookEventEnum": "apps.webhooks.models.WebhookEvent",
        "WebhookFormatEnum": "apps.webhooks.models.WebhookFormat",
        "WebhookDeliveryStatusEnum": "apps.webhooks.models.DeliveryStatus",
        "HistoryKindEnum": "apps.audit.models.HistoryKind",
        "ReportKindEnum": "apps.reports.models.ReportKind",
    },
}
