import factory

from apps.criteria.models import (
    AnswererRole,
    Category,
    Comparator,
    Criterion,
    CriterionKind,
    CriterionTemplate,
    EvidenceKind,
    Severity,
)
from tests.factories import ProjectFactory


class CriterionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionTemplate

    code = factory.Sequence(lambda n: f"TEST-{n:03d}")
    name = factory.Sequence(lambda n: f"Test template {n}")
    category = Category.PERFORMANCE
    check_key = "performance.classification"
    metric = "roc_auc"
    comparator = Comparator.GE
    threshold = 0.75
    severity = Severity.HIGH
    params = factory.LazyFunction(lambda: {"n_bootstrap": 100})
    rationale = "Why the bar is there."
    guidance = "What to do when it fails."


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"C-{n:03d}")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    category = Category.PERFORMANCE
    check_key = "performance.classification"
    metric = "roc_auc"
    comparator = Comparator.GE
    threshold = 0.75
    severity = Severity.HIGH
    params = factory.LazyFunction(dict)
    rationale = "Why the bar is there."
    guidance = "What to do when it fails."


class ProcessCriterionFactory(factory.django.DjangoModelFactory):
    """A process criterion: a question a developer answers with a file or a link."""

    class Meta:
        model = Criterion

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"P-{n:03d}")
    name = factory.Sequence(lambda n: f"Process criterion {n}")
    category = Category.GOVERNANCE
    kind = CriterionKind.PROCESS
    check_key = ""
    metric = ""
    comparator = ""
    threshold = None
    question = "Is the intended use documented and approved?"
    answered_by_role = AnswererRole.DEVELOPER
    evidence_expected = EvidenceKind.FILE_OR_LINK
    validity_days = 90
    severity = Severity.HIGH
    params = factory.LazyFunction(dict)
    rationale = "Why the question is asked."
    guidance = "Write the intended use down and have it approved."
