"""A project with one of each thing the search finds, all holding "credit"."""

from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import ModelVersionFactory


class SearchableProject(ProjectCast):
    def __init__(self) -> None:
        super().__init__()
        self.project.name = "Credit scoring"
        self.project.save()
        criterion = CriterionFactory(project=self.project, code="FAIR-01")
        self.version = ModelVersionFactory(project=self.project, label="credit-gbm", sequence=1)
        self.run = EvaluationRunFactory(project=self.project, model_version=self.version)
        self.found = FindingFactory(
            project=self.project, title="Credit parity gap", criterion=criterion
        )
