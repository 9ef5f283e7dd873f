"""Process templates: questions a person answers with evidence, accepted by the quality
manager, for the duties no check can measure (documentation, oversight, records, risk
management). No check key, metric or threshold: a process criterion is never a plan check.
"""

from typing import Any


def _process(
    code: str,
    name: str,
    *,
    question: str,
    answered_by_role: str,
    evidence_expected: str,
    validity_days: int,
    severity: str,
    rationale: str,
    guidance: str,
    references: str,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": "governance",
        "kind": "process",
        "check_key": "",
        "metric": "",
        "comparator": "",
        "threshold": None,
        "question": question,
        "answered_by_role": answered_by_role,
        "evidence_expected": evidence_expected,
        "validity_days": validity_days,
        "severity": severity,
        "blocking": False,
        "params": {},
        "rationale": rationale,
        "guidance": guidance,
        "references": references,
    }


PROCESS_TEMPLATES: list[dict[str, Any]] = [
    _process(
        "PROC-01",
        "Intended use documented and approved",
        question=(
            "Is the system's intended use written down (purpose, users, setting, known "
            "limits and uses it must not serve) and approved by its owner?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="high",
        rationale=(
            "Every other bar is judged against what the system is for: accuracy, fairness "
            "and oversight mean little until the purpose, the people affected and the "
            "excluded uses are fixed and someone accountable has signed them off."
        ),
        guidance=(
            "Write a one-page statement of intended use: purpose, intended users, the setting "
            "of use, known limitations and uses that are out of scope. Have the system's "
            "owner approve it and keep the approved version with the model card. Revisit it "
            "whenever the use or the users change."
        ),
        references=(
            "EU AI Act, Article 13 and Annex IV point 1; ISO/IEC 42001 Annex A, control "
            "A.9.4; Mitchell M. et al. (2019), Model Cards for Model Reporting."
        ),
    ),
    _process(
        "PROC-02",
        "Technical documentation kept current",
        question=(
            "Does the technical documentation describe how the current model version was "
            "built, trained and validated, and was it updated for this version?"
        ),
        answered_by_role="developer",
        evidence_expected="file_or_link",
        validity_days=180,
        severity="high",
        rationale=(
            "Documentation that describes an earlier model misleads auditors and deployers; "
            "it must follow the system as it changes, version by version, to stay evidence."
        ),
        guidance=(
            "Keep the design, data, training and validation choices of each released model "
            "version in one maintained document or repository folder. Update it in the same "
            "change that produces a new version, and link the evaluation reports Qualiti "
            "generates."
        ),
        references=(
            "EU AI Act, Article 11 and Annex IV point 2; ISO/IEC 42001 Annex A, control A.6.2.7."
        ),
    ),
    _process(
        "PROC-03",
        "Events are logged in operation",
        question=(
            "Does the system record its inputs, outputs and decisions in operation, with "
            "timestamps, kept long enough to trace a result back to its cause?"
        ),
        answered_by_role="developer",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="medium",
        rationale=(
            "Without records of what the system did and when, an incident cannot be "
            "reconstructed, drift cannot be shown after the fact and complaints cannot be "
            "answered."
        ),
        guidance=(
            "Log each prediction with its time, model version, the inputs or a reference to "
            "them, and the output. Decide and document how long logs are kept and who may "
            "read them. Attach a sample record and the retention setting as evidence."
        ),
        references=(
            "EU AI Act, Article 12 and Annex IV point 3; ISO/IEC 42001 Annex A, control A.6.2.8."
        ),
    ),
    _process(
        "PROC-04",
        "Human oversight defined and possible",
        question=(
            "Is it defined who oversees the system in use, how they can override or stop "
            "it, and have those people been trained to do so?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="high",
        rationale=(
            "People can only prevent harm if they know the system's limits, see its outputs "
            "in time and have a working way to disregard, reverse or halt them."
        ),
        guidance=(
            "Name the oversight roles, describe the override and stop procedures, and test "
            "them at least once a year. Record the training the overseers received. "
            "Attach the procedure and the record of the last test."
        ),
        references=(
            "EU AI Act, Article 14; NIST AI RMF 1.0, MANAGE 2.4; ISO/IEC 25059, user "
            "controllability and intervenability."
        ),
    ),
    _process(
        "PROC-05",
        "Risk management process run and recorded",
        question=(
            "Were the system's risks identified, evaluated and treated for this version, "
            "with the residual risks recorded and accepted by an accountable person?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=180,
        severity="critical",
        rationale=(
            "Risk management is a cycle, not a document written once: each new model "
            "version, data source or use can bring risks that must be weighed and treated "
            "before release."
        ),
        guidance=(
            "Keep a risk register for the system: each risk with its likelihood, impact, "
            "treatment and owner. Review it for every release and record who accepted the "
            "remaining risks. Link the findings Qualiti opened to the risks they evidence."
        ),
        references=(
            "EU AI Act, Article 9 and Annex IV point 5; NIST AI RMF 1.0, MANAGE 1.1 and "
            "1.3; ISO/IEC 42001 Annex A, control A.5.2."
        ),
    ),
    _process(
        "PROC-06",
        "Post-market monitoring plan in place",
        question=(
            "Is there a written plan for monitoring the system after release (what is "
            "measured, how often, by whom, and what triggers action), and is it followed?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="high",
        rationale=(
            "Performance measured before release says little about the months after it: "
            "the data, the users and the world change, and only planned monitoring notices."
        ),
        guidance=(
            "Write the monitoring plan: metrics, data sources, frequency, thresholds and "
            "the people who act. Qualiti's monitoring schedules and drift criteria can carry "
            "most of it; attach the plan and the last monitoring report."
        ),
        references=(
            "EU AI Act, Article 72 and Annex IV point 9; NIST AI RMF 1.0, MANAGE 4.1; "
            "ISO/IEC 42001 Annex A, control A.6.2.6."
        ),
    ),
    _process(
        "PROC-07",
        "Quality management system covers the system",
        question=(
            "Does the organisation's quality management system cover this AI system: "
            "written procedures for design, testing, data, change and record keeping?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="medium",
        rationale=(
            "Single good results do not make a reliable provider; documented, followed "
            "procedures do, and they are what an assessor examines first."
        ),
        guidance=(
            "List the procedures that apply to this system (design control, testing, data "
            "management, change management, records) and where each is kept. Attach the "
            "list with the date of the last internal review."
        ),
        references="EU AI Act, Article 17; ISO/IEC 42001, clauses 4 to 10 and Annex A.",
    ),
    _process(
        "PROC-08",
        "Incident reporting process defined",
        question=(
            "Is there a defined way to report, record, investigate and communicate "
            "incidents and serious errors of the system, to users and to authorities?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="high",
        rationale=(
            "Incidents will happen; what matters is that they are noticed, recorded and "
            "told to those who must know, in time, and that their causes are fixed."
        ),
        guidance=(
            "Describe the incident process: how an incident is reported, who triages it, "
            "the deadlines for telling users and authorities, and how the fix is tracked. "
            "Attach the procedure and the contact points."
        ),
        references=(
            "NIST AI RMF 1.0, MANAGE 4.3; ISO/IEC 42001 Annex A, control A.8.4; EU AI Act, "
            "Article 72."
        ),
    ),
    _process(
        "PROC-09",
        "Roles and responsibilities assigned",
        question=(
            "Are the roles responsible for the system named (owner, developers, quality, "
            "oversight, incident handling), with a person behind each?"
        ),
        answered_by_role="quality_manager",
        evidence_expected="file_or_link",
        validity_days=365,
        severity="medium",
        rationale=(
            "Duties without named owners are nobody's: each responsibility the other "
            "criteria rely on needs a person who knows it is theirs."
        ),
        guidance=(
            "Write a short responsibility table for the system: each role, its duties and "
            "the person who holds it. Update it when people change, and share it with the "
            "team."
        ),
        references="ISO/IEC 42001 Annex A, control A.3.2; EU AI Act, Article 17.",
    ),
]
