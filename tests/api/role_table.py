"""DESIGN.md's role table as data: every API operation, what each role gets.

Keys are (method, path) exactly as the OpenAPI schema names them; a new endpoint that is
not listed here fails the role-table test until someone decides who may use it.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.role_cases import IN_A_YEAR, PACK, QM, TEAM, VISIBLE, Case, ids, reads, writes
from tests.api.role_table_criteria import CRITERIA_CASES
from tests.api.world import PASSWORD

ROLE_TABLE: dict[tuple[str, str], Case] = {
    ("post", "/api/v1/auth/token/"): Case(
        {role: 201 for role in [*VISIBLE, "outsider", "anonymous"]},
        body=lambda world: {"username": "viewer", "password": PASSWORD},
    ),
    ("get", "/api/v1/auth/tokens/"): Case(reads(outsider=200)),
    ("delete", "/api/v1/auth/tokens/{token_key}/"): Case(
        {
            "admin": 404,
            "qm": 204,
            "dev": 404,
            "viewer": 404,
            "manager": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        params=ids("token_key", "token_key"),
    ),
    ("get", "/api/v1/projects/"): Case(reads(outsider=200), project_object="project"),
    ("post", "/api/v1/projects/"): Case(
        writes(201, QM, outsider=403), body=lambda world: {"name": "Churn model"}
    ),
    ("get", "/api/v1/projects/{slug}/"): Case(reads(), params=lambda world: {"slug": "credit"}),
    ("patch", "/api/v1/projects/{slug}/"): Case(
        writes(200, QM),
        params=lambda world: {"slug": "credit"},
        body=lambda world: {"sla_high_days": 14},
    ),
    ("get", "/api/v1/projects/{slug}/monitoring/"): Case(
        reads(), params=lambda world: {"slug": "credit"}
    ),
    ("patch", "/api/v1/projects/{slug}/monitoring/"): Case(
        writes(200, QM),
        params=lambda world: {"slug": "credit"},
        body=lambda world: {"production_model_version": world.ids["model_version"]},
    ),
    ("get", "/api/v1/model-versions/"): Case(reads(outsider=200), project_object="model_version"),
    ("post", "/api/v1/model-versions/"): Case(
        writes(201, TEAM),
        body=lambda world: {
            "project": "credit",
            "label": "predictions only",
            "task_type": "binary",
        },
    ),
    ("get", "/api/v1/model-versions/{id}/"): Case(reads(), params=ids("model_version")),
    ("delete", "/api/v1/model-versions/{id}/"): Case(
        writes(204, TEAM), params=ids("unused_model_version")
    ),
    ("get", "/api/v1/model-versions/{id}/download/"): Case(reads(), params=ids("model_version")),
    ("patch", "/api/v1/model-versions/{id}/"): Case(
        writes(200, TEAM),
        params=ids("model_version"),
        body=lambda world: {"intended_use": "Scoring consumer credit applications."},
    ),
    ("get", "/api/v1/model-versions/{id}/model-card/"): Case(reads(), params=ids("model_version")),
    ("get", "/api/v1/datasets/"): Case(reads(outsider=200), project_object="dataset"),
    ("post", "/api/v1/datasets/"): Case(
        # An evaluation dataset: developers may upload training data only.
        writes(201, QM),
        body=lambda world: {
            "project": "credit",
            "name": "Q2",
            "role": "evaluation",
            "target_column": "repaid",
            "file": SimpleUploadedFile("q2.csv", b"age,repaid\n40,1\n41,0\n"),
        },
        multipart=True,
    ),
    ("get", "/api/v1/datasets/{id}/"): Case(reads(), params=ids("dataset")),
    ("delete", "/api/v1/datasets/{id}/"): Case(writes(204, TEAM), params=ids("unused_dataset")),
    ("get", "/api/v1/datasets/{id}/download/"): Case(reads(), params=ids("dataset")),
    ("get", "/api/v1/teams/"): Case(reads(outsider=200)),
    ("post", "/api/v1/teams/"): Case(
        writes(201, QM, outsider=403), body=lambda world: {"name": "New team"}
    ),
    ("get", "/api/v1/teams/{id}/"): Case(reads(outsider=200), params=ids("team")),
    ("patch", "/api/v1/teams/{id}/"): Case(
        writes(200, QM, outsider=403), params=ids("team"), body=lambda world: {"name": "Renamed"}
    ),
    ("delete", "/api/v1/teams/{id}/"): Case(writes(204, QM, outsider=403), params=ids("team")),
    ("get", "/api/v1/memberships/"): Case(reads(outsider=200), project_object="membership"),
    ("post", "/api/v1/memberships/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {
            "project": "credit",
            "user": world.users["newcomer"].pk,
            "role": "viewer",
        },
    ),
    ("get", "/api/v1/memberships/{id}/"): Case(reads(), params=ids("membership")),
    ("patch", "/api/v1/memberships/{id}/"): Case(
        writes(200, QM), params=ids("membership"), body=lambda world: {"role": "developer"}
    ),
    ("delete", "/api/v1/memberships/{id}/"): Case(writes(204, QM), params=ids("membership")),
    ("get", "/api/v1/users/"): Case(reads(outsider=200), project_object="user"),
    ("get", "/api/v1/users/{id}/"): Case(reads(), params=ids("user")),
    ("get", "/api/v1/criterion-templates/"): Case(reads(outsider=200)),
    ("get", "/api/v1/criterion-templates/{id}/"): Case(reads(outsider=200), params=ids("template")),
    ("get", "/api/v1/criterion-templates/export/"): Case(reads(outsider=200)),
    ("get", "/api/v1/criterion-templates/pack-schema/"): Case(reads(outsider=200)),
    ("post", "/api/v1/criterion-templates/import/"): Case(
        writes(201, {"admin", "qm"}, outsider=403),  # organisation roles: qm is an org QM
        body=lambda world: {"file": SimpleUploadedFile("pack.yaml", PACK, "application/yaml")},
        multipart=True,
    ),
    ("get", "/api/v1/frameworks/"): Case(reads(outsider=200)),
    ("get", "/api/v1/frameworks/{identifier}/"): Case(
        reads(outsider=200), params=lambda world: {"identifier": "eu-ai-act"}
    ),
    # Coverage (issue 18): members read it; the quality manager decides what it is judged by.
    ("get", "/api/v1/coverage/"): Case(
        reads(), body=lambda world: {"project": "credit", "framework": "eu-ai-act"}
    ),
    ("get", "/api/v1/project-frameworks/"): Case(
        reads(outsider=200), project_object="project_framework"
    ),
    ("post", "/api/v1/project-frameworks/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {"project": "credit", "framework": "iso-iec-42001"},
    ),
    ("delete", "/api/v1/project-frameworks/{id}/"): Case(
        writes(204, QM), params=ids("project_framework")
    ),
    ("get", "/api/v1/requirement-exclusions/"): Case(
        reads(outsider=200), project_object="requirement_exclusion"
    ),
    ("post", "/api/v1/requirement-exclusions/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {
            "project": "credit",
            "framework": "eu-ai-act",
            "requirement": "art-12",
            "justification": "The serving platform keeps the logs, outside this system.",
        },
    ),
    ("delete", "/api/v1/requirement-exclusions/{id}/"): Case(
        writes(204, QM), params=ids("requirement_exclusion")
    ),
    **CRITERIA_CASES,
    ("get", "/api/v1/runs/"): Case(reads(outsider=200), project_object="run"),
    ("get", "/api/v1/runs/{id}/"): Case(reads(), params=ids("run")),
    ("post", "/api/v1/runs/"): Case(
        writes(201, TEAM, outsider=400),
        body=lambda world: {
            "project": "credit",
            "test_plan": world.ids["approved_plan"],
            "model_version": world.ids["model_version"],
            "dataset": world.ids["dataset"],
        },
    ),
    # A finished run: cancelling it is allowed and harmless (it stays as it is).
    ("post", "/api/v1/runs/{id}/cancel/"): Case(writes(200, TEAM), params=ids("run")),
    ("get", "/api/v1/runs/{id}/comparison/"): Case(reads(), params=ids("run")),
    ("post", "/api/v1/runs/{id}/sign/"): Case(
        # Signing renders the report (HTML and PDF) at once: a new signed report, 201.
        writes(201, QM),
        params=ids("run"),
        body=lambda world: {"text": "Parity is too low.", "conclusion": "do_not_release"},
    ),
    ("get", "/api/v1/checks/"): Case(reads(outsider=200)),
    ("get", "/api/v1/search/"): Case(reads(outsider=200)),  # finds only what each may see
    ("get", "/api/v1/checks/{key}/"): Case(
        reads(outsider=200), params=lambda world: {"key": "performance.classification"}
    ),
    ("get", "/api/v1/check-results/"): Case(reads(outsider=200), project_object="check_result"),
    ("get", "/api/v1/check-results/{id}/"): Case(reads(), params=ids("check_result")),
    ("get", "/api/v1/findings/"): Case(reads(outsider=200), project_object="finding"),
    ("post", "/api/v1/findings/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {
            "project": "credit",
            "title": "Manual",
            "severity": "low",
            "category": "anomaly",
        },
    ),
    ("get", "/api/v1/findings/{id}/"): Case(reads(), params=ids("finding")),
    ("patch", "/api/v1/findings/{id}/"): Case(
        writes(200, QM), params=ids("finding"), body=lambda world: {"version": 1, "severity": "low"}
    ),
    ("post", "/api/v1/findings/{id}/transition/"): Case(
        writes(200, TEAM),
        params=ids("finding"),
        body=lambda world: {"to": "in_progress", "version": 1},
    ),
    ("get", "/api/v1/risk-acceptances/"): Case(
        reads(outsider=200), project_object="risk_acceptance"
    ),
    ("post", "/api/v1/risk-acceptances/"): Case(
        # The world's finding already has a pending request; this one asks on a fresh finding.
        writes(201, QM, outsider=400),
        body=lambda world: {
            "finding": world.ids["fresh_finding"],
            "justification": "j",
            "expires_on": IN_A_YEAR,
        },
    ),
    ("get", "/api/v1/risk-acceptances/{id}/"): Case(reads(), params=ids("risk_acceptance")),
    ("post", "/api/v1/risk-acceptances/{id}/approve/"): Case(
        writes(200, {"admin", "manager"}), params=ids("risk_acceptance")
    ),
    ("post", "/api/v1/risk-acceptances/{id}/reject/"): Case(
        writes(200, {"admin", "manager"}), params=ids("risk_acceptance")
    ),
    ("get", "/api/v1/corrective-actions/"): Case(reads(outsider=200), project_object="action"),
    ("post", "/api/v1/corrective-actions/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {"finding": world.ids["finding"], "description": "Retrain"},
    ),
    ("get", "/api/v1/corrective-actions/{id}/"): Case(reads(), params=ids("action")),
    ("patch", "/api/v1/corrective-actions/{id}/"): Case(
        writes(200, TEAM),
        params=ids("action"),
        body=lambda world: {"version": 1, "status": "in_progress"},
    ),
    ("post", "/api/v1/corrective-actions/{id}/take/"): Case(
        writes(200, TEAM), params=ids("action"), body=lambda world: {"version": 1}
    ),
    ("post", "/api/v1/findings/{id}/propose-action/"): Case(
        writes(201, TEAM),
        params=ids("finding"),
        body=lambda world: {"description": "Reweigh the training data"},
    ),
    ("get", "/api/v1/comments/"): Case(reads(outsider=200), project_object="comment"),
    ("post", "/api/v1/comments/"): Case(
        writes(201, TEAM, outsider=400),
        body=lambda world: {"finding": world.ids["finding"], "body": "On it"},
    ),
    ("get", "/api/v1/comments/{id}/"): Case(reads(), params=ids("comment")),
    ("get", "/api/v1/history/"): Case(reads(outsider=200), project_object="history"),
    ("get", "/api/v1/history/{id}/"): Case(reads(), params=ids("history")),
    ("get", "/api/v1/notifications/"): Case(reads(outsider=200)),
    ("get", "/api/v1/notifications/{id}/"): Case(
        {
            "admin": 404,
            "qm": 200,
            "dev": 404,
            "viewer": 404,
            "manager": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        params=ids("notification"),
    ),
    ("post", "/api/v1/notifications/{id}/read/"): Case(
        {
            "admin": 404,
            "qm": 200,
            "dev": 404,
            "viewer": 404,
            "manager": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        params=ids("notification"),
    ),
    ("get", "/api/v1/notification-preferences/"): Case(reads(outsider=200)),
    ("patch", "/api/v1/notification-preferences/{kind}/"): Case(
        {**dict.fromkeys([*VISIBLE, "outsider"], 200), "anonymous": 401},
        params=lambda world: {"kind": "mention"},
        body=lambda world: {"delivery": "digest"},
    ),
    ("get", "/api/v1/webhooks/"): Case(reads(outsider=200)),
    ("post", "/api/v1/webhooks/"): Case(
        writes(201, QM),
        body=lambda world: {
            "project": "credit",
            "url": "https://hooks.example.com/qualiti",
            "events": ["run.finished"],
        },
    ),
    ("get", "/api/v1/webhooks/{id}/"): Case(writes(200, QM), params=ids("webhook")),
    ("patch", "/api/v1/webhooks/{id}/"): Case(
        writes(200, QM), params=ids("webhook"), body=lambda world: {"events": ["finding.opened"]}
    ),
    ("delete", "/api/v1/webhooks/{id}/"): Case(writes(204, QM), params=ids("webhook")),
    ("get", "/api/v1/webhooks/{id}/deliveries/"): Case(writes(200, QM), params=ids("webhook")),
    ("post", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/"): Case(
        writes(202, QM),
        params=lambda world: {"id": world.ids["webhook"], "delivery_id": world.ids["delivery"]},
    ),
    ("get", "/api/v1/monitoring-schedules/"): Case(
        reads(outsider=200), project_object="monitoring_schedule"
    ),
    ("post", "/api/v1/monitoring-schedules/"): Case(
        writes(201, QM),
        body=lambda world: {
            "project": "credit",
            "plan_name": "Gate",
            "day_of_week": "1-5",
            "time": "06:00",
        },
    ),
    ("get", "/api/v1/monitoring-schedules/{id}/"): Case(reads(), params=ids("monitoring_schedule")),
    ("patch", "/api/v1/monitoring-schedules/{id}/"): Case(
        writes(200, QM), params=ids("monitoring_schedule"), body=lambda world: {"enabled": False}
    ),
    ("delete", "/api/v1/monitoring-schedules/{id}/"): Case(
        writes(204, QM), params=ids("monitoring_schedule")
    ),
    ("get", "/api/v1/reports/{report_id}/shares/"): Case(
        writes(200, QM), params=ids("shared_report", "report_id")
    ),
    ("post", "/api/v1/reports/{report_id}/shares/"): Case(
        writes(201, QM),
        params=ids("shared_report", "report_id"),
        body=lambda world: {"label": "External auditor", "days": 7},
    ),
    ("get", "/api/v1/report-shares/{id}/"): Case(writes(200, QM), params=ids("report_share")),
    ("post", "/api/v1/report-shares/{id}/revoke/"): Case(
        writes(200, QM), params=ids("report_share")
    ),
    ("get", "/api/v1/report-shares/{id}/openings/"): Case(
        writes(200, QM), params=ids("report_share")
    ),
    # Reports: whoever sees the project reads and requests its reports (issue 15, point 6).
    ("get", "/api/v1/reports/"): Case(reads(outsider=200), project_object="shared_report"),
    ("post", "/api/v1/reports/"): Case(
        {**dict.fromkeys(VISIBLE, 201), "outsider": 400, "anonymous": 401},
        body=lambda world: {"kind": "run", "run": world.ids["run"]},
    ),
    ("get", "/api/v1/reports/{id}/"): Case(reads(), params=ids("shared_report")),
    ("get", "/api/v1/reports/{id}/html/"): Case(reads(), params=ids("shared_report")),
    ("get", "/api/v1/reports/{id}/pdf/"): Case(reads(), params=ids("shared_report")),
}
