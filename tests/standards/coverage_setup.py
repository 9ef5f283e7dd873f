"""A project cast with the EU AI Act at hand: criteria taken from catalogue templates, runs
that judge them, and a process template mapped to a requirement with none."""

from apps.criteria.models import Criterion, CriterionKind, CriterionTemplate
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.standards.models import Framework, Requirement
from tests.criteria.factories import CriterionFactory, CriterionTemplateFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast

PROCESS_FIELDS = {
    "kind": CriterionKind.PROCESS,
    "check_key": "",
    "metric": "",
    "comparator": "",
    "threshold": None,
    "question": "Is a risk management process documented and kept current?",
    "answered_by_role": "quality_manager",
    "evidence_expected": "link",
    "validity_days": 365,
}


class CoverageCast(ProjectCast):
    def __init__(self) -> None:
        super().__init__()
        self.framework = Framework.objects.get(identifier="eu-ai-act")

    def requirement(self, identifier: str, framework: str = "eu-ai-act") -> Requirement:
        return Requirement.objects.get(framework__identifier=framework, identifier=identifier)

    def criterion(self, code: str, **fields) -> Criterion:
        """The project's criterion taken from the catalogue template of that code."""
        template = CriterionTemplate.objects.get(code=code)
        return CriterionFactory(project=self.project, code=code, template=template, **fields)

    def process_criterion(self, requirement: str = "art-9") -> Criterion:
        """A process criterion from a process template mapped to the requirement."""
        template = CriterionTemplateFactory(code="PROC-RISK", **PROCESS_FIELDS)
        self.requirement(requirement).templates.add(template)
        return CriterionFactory(
            project=self.project, code=template.code, template=template, **PROCESS_FIELDS
        )

    def run(
        self, outcomes: dict[Criterion, str | list[str]], *, status: str = RunStatus.SUCCEEDED
    ) -> EvaluationRun:
        """A run of the project judging each criterion; a list of outcomes is one result
        per subject."""
        run = EvaluationRunFactory(project=self.project, status=status)
        for criterion, outcome in outcomes.items():
            for number, each in enumerate([outcome] if isinstance(outcome, str) else outcome):
                CheckResultFactory(
                    run=run, criterion=criterion, outcome=each, subject=f"column {number}"
                )
        return run
