"""The floor Qualiti is measured against: read the Parquet file and one predict_proba pass.
Writes the predictions next to the data so that Evidently gets them too (it runs no model)."""

import sys
from pathlib import Path

import pyarrow.parquet as pq
import skops.io
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import FEATURES


def main(data: str, model: str, predictions_out: str) -> None:
    frame = pq.read_table(data).to_pandas()
    trusted = skops.io.get_untrusted_types(file=model)
    estimator = skops.io.load(model, trusted=trusted)
    with threadpool_limits(limits=1):
        frame["prediction_proba"] = estimator.predict_proba(frame[FEATURES])[:, 1]
    frame["prediction"] = (frame["prediction_proba"] >= 0.5).astype("int64")
    if predictions_out:
        frame.to_parquet(predictions_out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
