"""The check families; importing this package registers every check.

Adding a check: write its class in the family's module (or a new module imported here),
declare what it reads (`reads`: a run's launch refuses data without labels by it) and
decorate it with `@register`.
"""

from apps.evaluations.engine.checks import (  # noqa: F401
    anomalies,
    anomalies_regression,
    baselines,
    calibration,
    data_quality_columns,
    data_quality_coverage,
    data_quality_repeats,
    data_quality_rows,
    data_quality_schema,
    drift,
    drift_importance,
    drift_outputs,
    drift_population,
    efficiency,
    estimated_performance,
    fairness,
    fairness_regression,
    performance,
    robustness,
    robustness_behaviour,
    robustness_inputs,
    weak_segments,
)
