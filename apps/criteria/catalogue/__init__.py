"""The criterion template catalogue: pure data, no Django, safe to import from migrations.

Each template names the engine check it relies on (`check_key`, one of CHECK_KEYS), the
metric of that check's `observed` values it is judged on, a default comparator, threshold
and severity, why the bar is where it is, and what a developer should do when it fails.
Process templates (`kind` "process", process.py) instead ask a question a person answers
with evidence, and name no check.
A data migration loads TEMPLATES; changing an entry needs a new migration that re-runs
the load so existing databases pick it up.
"""

from typing import Any

from apps.criteria.catalogue.anomalies import ANOMALY_TEMPLATES
from apps.criteria.catalogue.check_keys import CHECK_KEYS
from apps.criteria.catalogue.data_quality import DATA_QUALITY_TEMPLATES
from apps.criteria.catalogue.drift import DRIFT_TEMPLATES
from apps.criteria.catalogue.efficiency import EFFICIENCY_TEMPLATES
from apps.criteria.catalogue.fairness import FAIRNESS_TEMPLATES
from apps.criteria.catalogue.performance import PERFORMANCE_TEMPLATES
from apps.criteria.catalogue.process import PROCESS_TEMPLATES

TEMPLATES: list[dict[str, Any]] = [
    *PERFORMANCE_TEMPLATES,
    *FAIRNESS_TEMPLATES,
    *DATA_QUALITY_TEMPLATES,
    *DRIFT_TEMPLATES,
    *ANOMALY_TEMPLATES,
    *EFFICIENCY_TEMPLATES,
    *PROCESS_TEMPLATES,
]

__all__ = ["CHECK_KEYS", "TEMPLATES"]
