"""Templates for serving efficiency: latency, throughput, memory and size."""

from typing import Any

EFFICIENCY_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "EFF-01",
        "name": "Single-row predictions answer quickly (p95 latency)",
        "category": "efficiency",
        "check_key": "efficiency.latency",
        "metric": "p95_latency_ms",
        "comparator": "<=",
        "threshold": 100.0,
        "severity": "medium",
        "blocking": False,
        "params": {"batch_size": 1, "warmup": 10, "repeats": 200},
        "rationale": (
            "About 0.1 s is the limit for a response to feel instantaneous to a user. This suits "
            "an interactive service; set the project's own budget for its deployment (batch "
            "scoring needs none, real-time bidding far less)."
        ),
        "guidance": (
            "Profile one prediction: preprocessing in Python loops, per-call model loading or "
            "very large ensembles are common culprits. Vectorise preprocessing, load the model "
            "once, reduce the number or depth of trees, or export to ONNX for a faster runtime."
        ),
        "references": (
            "Nielsen J. (1993), Usability Engineering, ch. 5 (response time limits); ONNX "
            "Runtime performance tuning documentation."
        ),
    },
    {
        "code": "EFF-02",
        "name": "Latency tail stays close to the median",
        "category": "efficiency",
        "check_key": "efficiency.latency",
        "metric": "p99_to_p50_latency_ratio",
        "comparator": "<=",
        "threshold": 5.0,
        "severity": "low",
        "blocking": False,
        "params": {"batch_size": 1, "warmup": 10, "repeats": 500},
        "rationale": (
            "A p99 latency more than five times the median means some requests wait far longer "
            "than typical ones; at scale, every user meets the tail. 5 is a working bound."
        ),
        "guidance": (
            "Look for work done on some calls only: lazy initialisation, caches filling, garbage "
            "collection of large temporary arrays, or thread-pool start-up. Warm the model up at "
            "start, reuse buffers, and pin the number of threads of the numeric libraries."
        ),
        "references": (
            "Dean J., Barroso L. A. (2013), The Tail at Scale, Communications of the ACM."
        ),
    },
    {
        "code": "EFF-03",
        "name": "Batch scoring has enough throughput",
        "category": "efficiency",
        "check_key": "efficiency.throughput",
        "metric": "rows_per_second",
        "comparator": ">=",
        "threshold": 1000.0,
        "severity": "low",
        "blocking": False,
        "params": {"batch_size": 1000, "repeats": 5},
        "rationale": (
            "1000 rows a second scores a million rows in under 20 minutes on one worker. The "
            "number is a placeholder: derive it from the project's data volume and time window."
        ),
        "guidance": (
            "Make sure predictions are made on whole batches, not row by row in a loop. Check "
            "that numeric libraries use the available cores, drop features that cost more to "
            "compute than they add, and consider a lighter model or ONNX Runtime."
        ),
        "references": "scikit-learn 'Computational performance' user guide.",
    },
    {
        "code": "EFF-04",
        "name": "Prediction fits in a modest memory budget",
        "category": "efficiency",
        "check_key": "efficiency.memory",
        "metric": "peak_memory_mb",
        "comparator": "<=",
        "threshold": 1024.0,
        "severity": "medium",
        "blocking": False,
        "params": {"batch_size": 1000},
        "rationale": (
            "1 GB of peak memory fits ordinary containers and workers; more limits how many "
            "replicas a node can run. Adjust to the deployment target."
        ),
        "guidance": (
            "Measure the model alone and then with preprocessing: dense one-hot encodings of "
            "high-cardinality columns and float64 copies of the input are typical. Use sparse "
            "output, float32, smaller batches, or prune the model."
        ),
        "references": "scikit-learn 'Computational performance' user guide (memory).",
    },
    {
        "code": "EFF-05",
        "name": "Model artifact is of a deployable size",
        "category": "efficiency",
        "check_key": "efficiency.model_size",
        "metric": "artifact_size_mb",
        "comparator": "<=",
        "threshold": 500.0,
        "severity": "low",
        "blocking": False,
        "params": {},
        "rationale": (
            "Large artifacts slow deployment, cold starts and rollbacks. 500 MB is a generic "
            "ceiling for server deployment; edge and mobile targets need far less."
        ),
        "guidance": (
            "Check what the artifact stores besides the model: training data kept inside a "
            "pipeline step, or thousands of deep trees. Limit tree depth and count, strip "
            "unneeded attributes, or quantise an ONNX export."
        ),
        "references": "ONNX Runtime quantization documentation; skops persistence documentation.",
    },
]
