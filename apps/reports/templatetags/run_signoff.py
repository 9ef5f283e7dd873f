"""`{% run_signoff_panel %}`: the run page's "Analysis and sign-off" section, so the run page
includes it with one line and its view knows nothing of reports; and the filters the run
report's sign-off block words its signer, time and conclusion with."""

from datetime import datetime
from typing import Any

from django import template

from apps.accounts.models import User
from apps.accounts.permissions import Action, user_can
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.reports.forms_signing import RunAnalysisForm
from apps.reports.models import Conclusion, RunAnalysis
from apps.reports.selectors_signing import signed_run_reports
from apps.reports.verification import moment_words, signer_words

register = template.Library()


def sign_blocker(run: EvaluationRun, analysis: RunAnalysis | None) -> str:
    """Why the report cannot be signed yet, in words; empty when it can."""
    if run.status != RunStatus.SUCCEEDED:
        return "Only a run that succeeded has a report to sign."
    if analysis is None or not analysis.text:
        return "Write and save the analysis before signing."
    if not analysis.conclusion:
        return "Choose and save a conclusion before signing."
    return ""


@register.inclusion_tag("reports/_run_page_signoff.html", takes_context=True)
def run_signoff_panel(context: template.Context) -> dict[str, Any]:
    run: EvaluationRun = context["run"]
    user = context["request"].user
    analysis = RunAnalysis.objects.filter(run=run).select_related("updated_by").first()
    may_sign = user_can(user=user, project_id=run.project_id, action=Action.REPORT_SIGN)
    signed = signed_run_reports(run)
    form = None
    if may_sign and run.status == RunStatus.SUCCEEDED:
        form = RunAnalysisForm(
            initial={
                "text": analysis.text if analysis else "",
                "conclusion": analysis.conclusion if analysis else "",
                "conditions": analysis.conditions if analysis else "",
            },
            auto_id="id_analysis_%s",
        )
    return {
        "run": run,
        "analysis": analysis,
        "may_sign": may_sign,
        "form": form,
        "sign_blocker": sign_blocker(run, analysis),
        "signed_reports": list(signed),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }


@register.filter(name="signer_words")
def signer_words_filter(user: User | None) -> str:
    return signer_words(user)


@register.filter(name="moment_words")
def moment_words_filter(moment: datetime | None) -> str:
    return moment_words(moment) if moment else ""


@register.filter(name="conclusion_words")
def conclusion_words_filter(conclusion: str) -> str:
    return str(Conclusion(conclusion).label) if conclusion in Conclusion.values else conclusion
