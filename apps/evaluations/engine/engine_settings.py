"""How an evaluation may use the machine: seeds, threads, sampling budgets."""

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSettings:
    seed: int = 0
    threads: int = 1  # BLAS/OpenMP threads for the engine's own models
    workers: int = 1  # checks run side by side in this many threads (see evaluate)
    bootstrap_max_rows: int = 50_000  # above it, an m-out-of-n bootstrap (see stats)
    flagged_rows_limit: int = 1000
    prediction_part_rows: int = 262_144  # a dataset goes to the model in parts this large
    copy_chunk_cells: int = 4_000_000  # per request of perturbed copies (perturbed_copies)
