"""The floor Qualiti is measured against: read the Parquet file, load the model and run one
predict_proba pass with scikit-learn's defaults (every core the process may use). Writes the
predictions next to the data when given a path, so that Evidently and Qualiti's
predictions-only run get them too (neither runs the model then)."""

import sys
from pathlib import Path

import pyarrow.parquet as pq
import skops.io

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import FEATURES


def main(data: str, model: str, predictions_out: str) -> None:
    frame = pq.read_table(data).to_pandas()
    trusted = skops.io.get_untrusted_types(file=model)
    estimator = skops.io.load(model, trusted=trusted)
    frame["prediction_proba"] = estimator.predict_proba(frame[FEATURES])[:, 1]
    frame["prediction"] = (frame["prediction_proba"] >= 0.5).astype("int64")
    if predictions_out:
        frame.to_parquet(predictions_out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
