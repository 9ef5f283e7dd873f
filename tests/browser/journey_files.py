"""The files a browser journey uploads: a credit model dumped with skops, the data it was
trained on and fresh data to evaluate it on, all written to a test's tmp_path.

The training labels are biased against women (`label_bias`), so the model learns to
approve them less often and the four-fifths rule (FAIR-01) fails on the evaluation data:
the run then has a finding to triage. Small, so a run takes seconds.
"""

from dataclasses import dataclass
from pathlib import Path

import skops.io
from threadpoolctl import threadpool_limits

from qualiti.demo import data as demo_data

TRAIN_ROWS = 3000
EVALUATION_ROWS = 1500
LABEL_BIAS = 0.35


@dataclass(frozen=True)
class JourneyFiles:
    model: Path
    training: Path
    evaluation: Path
    features: list[str]
    target: str
    sensitive: list[str]


def journey_files(folder: Path) -> JourneyFiles:
    """Write the model (.skops), training CSV and evaluation CSV into `folder`."""
    train = demo_data.credit_applicants(TRAIN_ROWS, seed=1, label_bias=LABEL_BIAS)
    with threadpool_limits(limits=1):
        model = demo_data.credit_model(train)
    files = JourneyFiles(
        model=folder / "credit-model.skops",
        training=folder / "applicants-training.csv",
        evaluation=folder / "applicants-evaluation.csv",
        features=list(demo_data.FEATURES),
        target=demo_data.TARGET,
        sensitive=list(demo_data.SENSITIVE),
    )
    skops.io.dump(model, files.model)
    train.to_csv(files.training, index=False)
    demo_data.credit_applicants(EVALUATION_ROWS, seed=2).to_csv(files.evaluation, index=False)
    return files
