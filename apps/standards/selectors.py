"""Reads of frameworks and of a project's coverage of them, shared by the API, the pages
and the reports: a fixed number of queries however many requirements and templates there
are."""

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from apps.criteria import selectors as criteria_selectors
from apps.criteria.models import Criterion, CriterionKind, CriterionTemplate
from apps.evaluations.models import CheckResult, EvaluationRun, Outcome, RunStatus
from apps.projects.models import Project
from apps.standards.models import (
    Framework,
    FrameworkRevision,
    ProjectFramework,
    Requirement,
    RequirementExclusion,
)
from apps.standards.packs.changes import first_revision_in_words, framework_change_in_words


def framework_list() -> QuerySet[Framework]:
    """Every framework with its requirements, in order, and each requirement's templates."""
    requirements = Requirement.objects.order_by("position").prefetch_related(
        Prefetch("templates", queryset=CriterionTemplate.objects.order_by("code"))
    )
    return Framework.objects.order_by("identifier").prefetch_related(
        Prefetch("requirements", queryset=requirements)
    )


# Coverage of a framework by a project's criteria


class CoverageStatus(models.TextChoices):
    """A requirement's standing in a project, in the order the page lists them: gaps first."""

    NOT_COVERED = "not_covered", "Not covered"
    FAILING = "failing", "Failing"
    SATISFIED = "satisfied", "Satisfied"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


STATUS_ORDER: dict[str, int] = {status: rank for rank, status in enumerate(CoverageStatus)}

# A measured criterion judged on several subjects in one run takes its worst outcome; a
# pass beside skipped subjects is still a pass.
_OUTCOME_RANK: dict[str, int] = {
    Outcome.FAIL: 0,
    Outcome.ERROR: 1,
    Outcome.PASS: 2,
    Outcome.SKIPPED: 3,
}
NOT_EVALUATED = "not_evaluated"
PASSING_OUTCOMES = {Outcome.PASS, "satisfied"}
FAILING_OUTCOMES = {Outcome.FAIL, "failing"}
OUTCOME_LABELS = {
    Outcome.PASS: "Passed",
    Outcome.FAIL: "Failed",
    Outcome.ERROR: "Ended in an error",
    Outcome.SKIPPED: "Skipped",
    NOT_EVALUATED: "Not evaluated yet",
    "satisfied": "Answer accepted",
    "failing": "Answer failing",
    "unanswered": "Not answered yet",
    "pending": "Awaiting acceptance",
}


@dataclass
class CriterionEvidence:
    """One criterion giving evidence for a requirement, with its latest outcome: for a
    measured criterion pass, fail, error, skipped or not_evaluated (and the run that judged
    it); for a process criterion satisfied, failing, unanswered or pending (and the
    attestation that decides it)."""

    criterion: Criterion
    outcome: str
    run_id: int | None = None
    attestation: Any = None

    @property
    def passed(self) -> bool:
        return self.outcome in PASSING_OUTCOMES

    @property
    def failed(self) -> bool:
        return self.outcome in FAILING_OUTCOMES

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def words(self) -> str:
        """Why the criterion does not pass yet, in a few words."""
        code, run = self.criterion.code, f" in run {self.run_id}" if self.run_id else ""
        return {
            Outcome.FAIL: f"{code} failed{run}",
            Outcome.ERROR: f"{code} ended in an error{run}",
            Outcome.SKIPPED: f"{code} was skipped{run}",
            NOT_EVALUATED: f"{code} not evaluated yet",
            "failing": f"{code}'s answer is failing",
            "unanswered": f"{code} not answered yet",
            "pending": f"{code}'s answer awaits acceptance",
        }.get(self.outcome, f"{code}: {self.outcome}")


@dataclass
class CoverageRow:
    """One requirement of a framework as it stands in one project.

    Status: not_applicable when the quality manager excluded it (the reason is their
    justification); not_covered when no criterion of the project maps to it (then
    `suggested_templates` lists the catalogue templates that would, not yet in the project);
    failing when a mapped criterion fails, and also when one has no passing outcome yet (never
    evaluated, errored, skipped, unanswered or awaiting acceptance): the issue names four
    statuses only, and a requirement without evidence is not satisfied, so `reason` says
    which criteria and why; satisfied when every mapped criterion passes.
    """

    requirement: Requirement
    status: str
    reason: str
    criteria: list[CriterionEvidence] = field(default_factory=list)
    suggested_templates: list[CriterionTemplate] = field(default_factory=list)
    exclusion: RequirementExclusion | None = None

    @property
    def status_label(self) -> str:
        return CoverageStatus(self.status).label


@dataclass
class FrameworkCoverage:
    """A framework's rows in one project and how many of them stand in each status."""

    framework: Framework
    rows: list[CoverageRow]

    @property
    def counts(self) -> dict[str, int]:
        return coverage_counts(self.rows)


def coverage_counts(rows: list[CoverageRow]) -> dict[str, int]:
    """How many rows stand in each status, every status named (gaps first)."""
    counts = dict.fromkeys(CoverageStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def _process_states(project_id: int) -> dict[int, Any]:
    """The process criteria's states from their attestations, by criterion id, as
    apps.criteria.selectors.process_states_for_project reads them. Where that reader does
    not exist (before attestations), every process criterion is unanswered."""
    reader = getattr(criteria_selectors, "process_states_for_project", None)
    if reader is None:
        return {}
    return reader(project_id=project_id)


def _measured_outcomes(
    *, criterion_ids: list[int], run: EvaluationRun | None
) -> dict[int, tuple[str, int]]:
    """Each measured criterion's outcome and run, in one query: its results in the
    project's latest succeeded run that judged it (or in `run` only, when given)."""
    results = CheckResult.objects.filter(criterion_id__in=criterion_ids)
    if run is not None:
        results = results.filter(run=run)
    else:
        latest = (
            CheckResult.objects.filter(
                criterion_id=OuterRef("criterion_id"), run__status=RunStatus.SUCCEEDED
            )
            .order_by("-run__created_at", "-run_id")
            .values("run_id")[:1]
        )
        results = results.filter(run__status=RunStatus.SUCCEEDED, run_id=Subquery(latest))
    outcomes: dict[int, tuple[str, int]] = {}
    for criterion_id, run_id, outcome in results.values_list("criterion_id", "run_id", "outcome"):
        known = outcomes.get(criterion_id)
        if known is None or _OUTCOME_RANK.get(outcome, 9) < _OUTCOME_RANK.get(known[0], 9):
            outcomes[criterion_id] = (outcome, run_id)
    return outcomes


def _row(
    requirement: Requirement,
    evidence: list[CriterionEvidence],
    missing: list[CriterionTemplate],
    exclusion: RequirementExclusion | None,
) -> CoverageRow:
    row = CoverageRow(requirement=requirement, status="", reason="", criteria=evidence)
    if exclusion is not None:
        row.status, row.reason, row.exclusion = (
            CoverageStatus.NOT_APPLICABLE,
            exclusion.justification,
            exclusion,
        )
    elif not evidence:
        row.status, row.suggested_templates = CoverageStatus.NOT_COVERED, missing
        row.reason = "No criterion of the project gives evidence for it."
    elif all(item.passed for item in evidence):
        row.status = CoverageStatus.SATISFIED
        row.reason = f"Every criterion passes ({len(evidence)})."
    else:
        row.status = CoverageStatus.FAILING
        pending = sorted((item for item in evidence if not item.passed), key=lambda i: not i.failed)
        row.reason = "; ".join(item.words() for item in pending) + "."  # each begins with a code
    return row


def project_coverage(
    *, project: Project, framework: Framework, run: EvaluationRun | None = None
) -> list[CoverageRow]:
    """One row per requirement of the framework (chosen by the project or not), gaps
    first: not covered, failing, satisfied, not applicable, each in the framework's order.

    A requirement's criteria are the project's criteria whose template maps to it; a
    measured criterion's outcome is its results in the latest succeeded run that judged it
    (in `run` only, for a run's report), a process criterion's its attestation's state. Five
    queries however many requirements, criteria and results (and the attestations' reader's
    own when process criteria give evidence).
    """
    requirements = list(
        framework.requirements.order_by("position").prefetch_related(
            Prefetch("templates", queryset=CriterionTemplate.objects.order_by("code"))
        )
    )
    criteria = list(Criterion.objects.filter(project=project).order_by("code"))
    exclusions = {
        exclusion.requirement_id: exclusion
        for exclusion in RequirementExclusion.objects.filter(
            project=project, requirement__framework=framework
        ).select_related("decided_by")
    }
    by_template: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        if criterion.template_id is not None:
            by_template.setdefault(criterion.template_id, []).append(criterion)
    mapped_ids = {
        template.pk for requirement in requirements for template in requirement.templates.all()
    }
    mapped = [c for template_id in mapped_ids for c in by_template.get(template_id, [])]
    outcomes = _measured_outcomes(
        criterion_ids=[c.pk for c in mapped if c.kind == CriterionKind.MEASURED], run=run
    )
    states = (
        _process_states(project.pk) if any(c.kind == CriterionKind.PROCESS for c in mapped) else {}
    )

    def evidence_of(criterion: Criterion) -> CriterionEvidence:
        if criterion.kind == CriterionKind.PROCESS:
            state = states.get(criterion.pk)
            if state is None:
                return CriterionEvidence(criterion=criterion, outcome="unanswered")
            return CriterionEvidence(
                criterion=criterion, outcome=state.status, attestation=state.attestation
            )
        outcome, run_id = outcomes.get(criterion.pk, (NOT_EVALUATED, None))
        return CriterionEvidence(criterion=criterion, outcome=outcome, run_id=run_id)

    taken_codes = {criterion.code for criterion in criteria}
    rows = []
    for requirement in requirements:
        templates = list(requirement.templates.all())
        evidence = sorted(
            (evidence_of(c) for t in templates for c in by_template.get(t.pk, [])),
            key=lambda item: item.criterion.code,
        )
        missing = [t for t in templates if t.pk not in by_template and t.code not in taken_codes]
        rows.append(_row(requirement, evidence, missing, exclusions.get(requirement.pk)))
    return sorted(rows, key=lambda row: STATUS_ORDER[row.status])


def project_framework_coverage(
    *, project: Project, run: EvaluationRun | None = None
) -> list[FrameworkCoverage]:
    """Coverage of each framework the project has chosen, for its reports."""
    chosen = Framework.objects.filter(project_choices__project=project).order_by("identifier")
    return [
        FrameworkCoverage(
            framework=framework,
            rows=project_coverage(project=project, framework=framework, run=run),
        )
        for framework in chosen
    ]


def frameworks_for_project(*, project: Project) -> tuple[list[Framework], set[int]]:
    """Every framework, the project's chosen ones first, and the ids of the chosen ones."""
    frameworks = list(Framework.objects.order_by("identifier"))
    chosen = set(
        ProjectFramework.objects.filter(project=project).values_list("framework_id", flat=True)
    )
    return sorted(frameworks, key=lambda f: f.pk not in chosen), chosen


def framework_revisions(*, limit: int = 100) -> list[tuple[FrameworkRevision, list[str]]]:
    """Every framework pack's revisions, newest first, each with what changed in words
    (the first revision: as first published)."""
    revisions = FrameworkRevision.objects.select_related("framework").order_by(
        "-created_at", "framework__identifier", "-revision"
    )[:limit]
    return [
        (
            revision,
            [framework_change_in_words(change) for change in revision.changes]
            or [first_revision_in_words(revision.requirement_count)],
        )
        for revision in revisions
    ]
