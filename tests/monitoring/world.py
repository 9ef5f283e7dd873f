"""A monitored credit-scoring project with real data and a real model: a monitoring plan
of catalogue criteria (drift per column, prediction drift, performance on labels), a
reference dataset, and production batches that drift further each time."""

import io

import pandas as pd
import skops.io
from django.core.files.uploadedfile import SimpleUploadedFile
from threadpoolctl import threadpool_limits

from apps.criteria.models import CriterionTemplate
from apps.criteria.services import criterion_create_from_template, criterion_templates_sync
from apps.testplans import services as plan_services
from apps.testplans.models import TestPlan
from qualiti.demo import data as demo_data

PLAN_NAME = "Production monitoring"
# DRIFT-01: PSI per feature; DRIFT-03: the scores' PSI; PERF-03: ROC AUC on the labels.
CRITERIA = ("DRIFT-01", "DRIFT-03", "PERF-03")


def monitoring_plan(*, project, qm) -> TestPlan:
    """The approved plan that compares each batch with the reference data."""
    criterion_templates_sync()  # transactional tests flush the migrated catalogue
    plan = plan_services.test_plan_create(project=project, user=qm, name=PLAN_NAME)
    for code in CRITERIA:
        template = CriterionTemplate.objects.get(code=code)
        criterion = criterion_create_from_template(project=project, template=template, user=qm)
        roles = ["evaluation", "reference"] if code.startswith("DRIFT") else ["evaluation"]
        plan_services.plan_check_add(user=None, plan=plan, criterion=criterion, dataset_roles=roles)
    return plan_services.test_plan_approve(plan=plan, user=qm)


def model_file() -> SimpleUploadedFile:
    with threadpool_limits(limits=1):
        model = demo_data.credit_model(demo_data.credit_applicants(2000, seed=1))
    buffer = io.BytesIO()
    skops.io.dump(model, buffer)
    return SimpleUploadedFile("credit.skops", buffer.getvalue())


def reference_frame() -> pd.DataFrame:
    return demo_data.credit_applicants(1200, seed=4)


def batch_frame(number: int) -> pd.DataFrame:
    """Production batch 1, 2, 3…: incomes shift further each time (batch 3 is well past
    DRIFT-01's PSI threshold on income)."""
    frame = demo_data.credit_applicants(800, seed=10 + number)
    frame["income"] = frame["income"] * (1 + 0.6 * (number - 1))
    return frame


def csv_file(name: str, frame: pd.DataFrame) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.to_csv(index=False).encode())
