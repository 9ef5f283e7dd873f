"""Evidently on the same files (run in bench/.venv-evidently): data drift, classification
and data summary presets, plus one classification report per sensitive group."""

import sys
from pathlib import Path

import pandas as pd
from evidently import BinaryClassification, DataDefinition, Dataset, Report
from evidently.presets import ClassificationPreset, DataDriftPreset, DataSummaryPreset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import CATEGORICAL, NUMERIC, SENSITIVE, TARGET


def main(current_path: str, reference_path: str) -> None:
    current = pd.read_parquet(current_path)
    reference = pd.read_parquet(reference_path)
    definition = DataDefinition(
        numerical_columns=[*NUMERIC, "prediction_proba"],
        categorical_columns=[*CATEGORICAL, SENSITIVE, TARGET, "prediction"],
        classification=[
            BinaryClassification(
                target=TARGET, prediction_labels="prediction", prediction_probas="prediction_proba"
            )
        ],
    )
    current_data = Dataset.from_pandas(current, data_definition=definition)
    reference_data = Dataset.from_pandas(reference, data_definition=definition)
    report = Report([DataDriftPreset(), ClassificationPreset(), DataSummaryPreset()])
    report.run(current_data, reference_data).dict()
    for group in current[SENSITIVE].unique():
        subset = Dataset.from_pandas(
            current[current[SENSITIVE] == group].reset_index(drop=True), data_definition=definition
        )
        Report([ClassificationPreset()]).run(subset, None).dict()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
