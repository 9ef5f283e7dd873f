import factory

from apps.criteria.models import Category, Comparator, Criterion, CriterionTemplate, Severity
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
