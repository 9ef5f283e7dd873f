"""The role table's rows for criteria, process answers and test plans."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.role_cases import QM, Case, ids, reads, writes

CRITERIA_CASES: dict[tuple[str, str], Case] = {
    ("get", "/api/v1/criteria/"): Case(reads(outsider=200), project_object="criterion"),
    ("post", "/api/v1/criteria/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {
            "project": "credit",
            "template": world.ids["template"],
            "code": "NEW-01",
        },
    ),
    ("get", "/api/v1/criteria/{id}/"): Case(reads(), params=ids("criterion")),
    ("patch", "/api/v1/criteria/{id}/"): Case(
        writes(200, QM), params=ids("criterion"), body=lambda world: {"threshold": 0.9}
    ),
    ("put", "/api/v1/criteria/{id}/"): Case(
        writes(200, QM),
        params=ids("criterion"),
        body=lambda world: {
            "code": "FAIR-01",
            "name": "Parity",
            "category": "fairness",
            "check_key": "fairness.classification",
            "metric": "demographic_parity_ratio",
            "comparator": ">=",
            "threshold": 0.85,
            "severity": "high",
            "rationale": "r",
            "guidance": "g",
        },
    ),
    ("delete", "/api/v1/criteria/{id}/"): Case(writes(204, QM), params=ids("unused_criterion")),
    ("get", "/api/v1/attestations/"): Case(reads(outsider=200), project_object="attestation"),
    ("post", "/api/v1/attestations/"): Case(
        # The process criteria are answered by developers; this one has no answer waiting.
        writes(201, {"dev"}, outsider=400),
        body=lambda world: {
            "criterion": world.ids["process_criterion"],
            "answer": "Yes, approved.",
            "evidence_file": SimpleUploadedFile("use.pdf", b"%PDF-1.7 approved"),
        },
        multipart=True,
    ),
    ("get", "/api/v1/attestations/{id}/"): Case(reads(), params=ids("attestation")),
    ("post", "/api/v1/attestations/{id}/accept/"): Case(writes(200, QM), params=ids("attestation")),
    ("post", "/api/v1/attestations/{id}/refuse/"): Case(
        writes(200, QM), params=ids("attestation"), body=lambda world: {"reason": "Unsigned."}
    ),
    ("get", "/api/v1/attestations/{id}/evidence/"): Case(reads(), params=ids("attestation")),
    ("get", "/api/v1/test-plans/"): Case(reads(outsider=200), project_object="draft_plan"),
    ("post", "/api/v1/test-plans/"): Case(
        writes(201, QM, outsider=400), body=lambda world: {"project": "credit", "name": "Nightly"}
    ),
    ("get", "/api/v1/test-plans/{id}/"): Case(reads(), params=ids("draft_plan")),
    ("patch", "/api/v1/test-plans/{id}/"): Case(
        writes(200, QM), params=ids("draft_plan"), body=lambda world: {"description": "edited"}
    ),
    ("post", "/api/v1/test-plans/{id}/approve/"): Case(writes(200, QM), params=ids("draft_plan")),
    ("post", "/api/v1/test-plans/{id}/archive/"): Case(
        writes(200, QM), params=ids("approved_plan")
    ),
    ("post", "/api/v1/test-plans/{id}/revise/"): Case(writes(201, QM), params=ids("approved_plan")),
    ("get", "/api/v1/plan-checks/"): Case(reads(outsider=200), project_object="plan_check"),
    ("post", "/api/v1/plan-checks/"): Case(
        writes(201, QM, outsider=400),
        body=lambda world: {"plan": world.ids["draft_plan"], "criterion": world.ids["criterion"]},
    ),
    ("get", "/api/v1/plan-checks/{id}/"): Case(reads(), params=ids("plan_check")),
    ("patch", "/api/v1/plan-checks/{id}/"): Case(
        writes(200, QM),
        params=ids("plan_check"),
        body=lambda world: {"params": {"min_group_size": 50}},
    ),
    ("delete", "/api/v1/plan-checks/{id}/"): Case(writes(204, QM), params=ids("plan_check")),
}
