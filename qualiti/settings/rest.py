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
    "DEFAULT_SCHEMA_CLASS": "qualiti.api_schema.QualitiAutoSchema",
    "EXCEPTION_HANDLER": "qualiti.api.exception_handler",
}
# API tokens expire: QUALITI_TOKEN_DAYS by default, up to QUALITI_TOKEN_MAX_DAYS when asked.
QUALITI_TOKEN_DAYS = env.int("QUALITI_TOKEN_DAYS", default=90)
QUALITI_TOKEN_MAX_DAYS = env.int("QUALITI_TOKEN_MAX_DAYS", default=365)
REST_KNOX = {"TOKEN_TTL": timedelta(days=QUALITI_TOKEN_DAYS), "AUTH_HEADER_PREFIX": "Token"}
API_TAGS = {
    "search": "One query over the projects, model versions, runs and findings you may see, by "
    "name, label, code, check, subject or number; the top bar's search as JSON.",
    "tokens": "API tokens: exchange a username and password for one, then send it as "
    "`Authorization: Token <token>`. Tokens expire; list yours by their public prefix and "
    "revoke one with DELETE.",
    "projects": "AI systems under quality review, named by slug. Administrators and the "
    "organisation's quality managers create them; the project's quality manager changes "
    "their settings (risk level, development team, SLA days per severity). Every list of "
    "project data takes `?project=<slug>`; a project you may not see answers 404.",
    "memberships": "Who works on a project, and in which role (quality manager, developer, "
    "viewer). The project's quality manager and administrators manage them.",
    "teams": "Organisation-wide development teams; findings are assigned to them. "
    "Administrators and quality managers manage them.",
    "users": "The users who share a project with you (everyone, for administrators and "
    "management). Read-only.",
    "model versions": "Uploaded versions of a project's model: a .skops or .onnx artifact, "
    "or none for a predictions-only version. Upload (multipart), list, read, change the "
    "model card's fields, delete, download the artifact and the model card.",
    "datasets": "A project's data files (CSV or Parquet) with the columns they name: "
    "training, evaluation, reference data and production samples. Validated in the "
    "background after the upload (`validation_status`).",
    "frameworks": "Regulations and standards (the EU AI Act, NIST AI RMF, ISO/IEC 42001 and "
    "25059) with their requirements, in Qualiti's own words with links to the official "
    "texts, and the catalogue templates that give evidence for each. Read-only.",
    "coverage": "How a project's criteria cover a framework's requirements: one row per "
    "requirement with its criteria's latest outcomes and a status (satisfied, failing, not "
    "covered, not applicable), gaps first; the frameworks a project follows (its reports "
    "show them) and the requirements its quality manager marked not applicable, with why.",
    "criterion templates": "The catalogue from which projects take their criteria, readable "
    "by every signed-in user. Templates travel between organisations in packs (YAML, the "
    "format at `pack-schema/`): any signed-in user exports one, administrators and "
    "organisation quality managers import one. An imported template's code is "
    "`<pack>:<code>`.",
    "criteria": "A project's quality criteria: which check and metric, compared with which "
    "threshold, how severe a failure is. Members read them; the project's quality manager "
    "and administrators edit them.",
    "attestations": "Answers to process criteria (questions a person answers with evidence, "
    "a file or a link): submitted by whoever the criterion names, accepted or sent back by "
    "the project's quality manager. A refused or expired answer opens the criterion's "
    "finding; an accepted one verifies it.",
    "checks": "The evaluation engine's check catalogue: what each check measures, its "
    "parameters with their defaults, its metrics and its documentation.",
    "test plans": "Named, versioned test plans. An approved version never changes: editing "
    "it makes the next draft.",
    "plan checks": "The checks of a test plan, each bound to a criterion, with its engine "
    "parameters.",
    "runs": "Evaluation runs of a model version against an approved plan: launched here "
    "(queued for a worker), followed by polling, cancelled, compared, signed.",
    "check results": "What each check of a run found, one result per subject (a column, a "
    "group, a slice, or the whole data).",
    "findings": "Tracked quality problems, opened by failing checks or by hand: triage, "
    "assignment, status changes and corrective actions. A check failing again updates the "
    "same finding.",
    "corrective actions": "What is done about a finding, by whom and by when. Proposed by "
    "the finding's team, accepted by its quality manager.",
    "risk acceptances": "A quality manager's request to accept a finding's risk until a "
    "date; approved or rejected by management or an administrator.",
    "comments": "The discussion of a finding (Markdown).",
    "history": "Every status change of every finding, corrective action, test plan and run, "
    "and the other lines of a finding's life (assignments, actions taken and proposed).",
    "reports": "Generated documents (HTML and PDF) about a run, a project or the portfolio "
    "over a period, or a model version's model card: requested here, generated by a worker, "
    "then downloaded.",
    "report shares": "Links that open one report without an account. Only the project's "
    "quality manager or an administrator manages them.",
    "webhooks": "A project's outgoing webhooks, their delivery log, and sending a delivery "
    "again. Only the project's quality manager or an administrator manages them.",
    "monitoring schedules": "A test plan re-run on the project's latest production sample "
    "at a time of the week. Members read them; the project's quality manager and "
    "administrators manage them.",
    "notifications": "Your own in-app notifications.",
    "notification preferences": "How each kind of notice reaches you: in the app only, by "
    "e-mail at once, or in a daily digest.",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qualiti API",
    "DESCRIPTION": "AI quality review: projects, criteria, test plans, runs and findings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped by resource, in the order of a review's work.
    "TAGS": [{"name": name, "description": description} for name, description in API_TAGS.items()],
    "ENUM_NAME_OVERRIDES": {
        "FindingStatusEnum": "apps.findings.models.FindingStatus",
        "ActionStatusEnum": "apps.findings.models.ActionStatus",
        "RiskAcceptanceStateEnum": "apps.findings.models.RiskAcceptanceState",
        "AttestationStatusEnum": "apps.criteria.models.AttestationStatus",
        "CriterionKindEnum": "apps.criteria.models.CriterionKind",
        "AnswererRoleEnum": "apps.criteria.models.AnswererRole",
        "EvidenceKindEnum": "apps.criteria.models.EvidenceKind",
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
        "CoverageStatusEnum": "apps.standards.selectors.CoverageStatus",
    },
}
