"""Packs as their authors write them, for the pack tests."""

ACME = """\
pack:
  id: acme
  version: 1
  name: ACME's criteria
templates:
  - code: FAIR-01
    name: Stricter parity
    category: fairness
    check_key: fairness.classification
    metric: demographic_parity_ratio
    comparator: ">="
    threshold: 0.9
    params: {min_group_size: 50}
    severity: critical
    blocking: true
    rationale: ACME's policy asks for 90%.
    guidance: Rebalance the training data.
    requirements: [acme-ai-policy/fair-1, eu-ai-act/art-10-2-f]
  - code: PROC-01
    name: A model card is published
    category: performance
    kind: process
    question: Is the model card published where users read it?
    answered_by_role: quality_manager
    evidence_expected: link
    validity_days: 180
    severity: medium
    rationale: Users must know what the model is for.
    guidance: Publish the model card on the intranet.
frameworks:
  - id: acme-ai-policy
    name: ACME's AI policy
    version: "2025"
    url: https://intranet.acme.example/ai-policy
    requirements:
      - id: fair-1
        title: Decisions are fair between groups
        url: https://intranet.acme.example/ai-policy#fair-1
"""


def acme(replacements: dict[str, str] | None = None) -> bytes:
    """The ACME pack with some of its text replaced: {"old": "new"}."""
    text = ACME
    for old, new in (replacements or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()
