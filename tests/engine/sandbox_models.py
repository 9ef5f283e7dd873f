"""Deliberately odd "models" for the sandbox tests (crashing, greedy, slow, reporting).

They are dumped with skops and loaded only when a test adds their type to the allowlist.
"""

import ctypes
import time

import numpy as np


class SegfaultingModel:
    classes_ = np.array([0, 1])

    def predict(self, features):
        ctypes.string_at(0)  # reads address 0: SIGSEGV

    def predict_proba(self, features):
        return self.predict(features)


class GreedyModel:
    """Allocates without bound while predicting."""

    def predict(self, features):
        hoard = []
        while True:
            hoard.append(np.ones(50_000_000))


class SlowModel:
    def predict(self, features):
        time.sleep(120)


class ThreadCountModel:
    """Predicts, for every row, the largest thread count of the numeric libraries' pools."""

    def predict(self, features):
        from threadpoolctl import threadpool_info

        threads = max((pool["num_threads"] for pool in threadpool_info()), default=0)
        return np.full(len(features), float(threads))


class SlowLoadingModel:
    """Takes minutes to load: skops calls __setstate__ while it builds the object (when it
    has attributes to set)."""

    classes_ = np.array([0, 1])

    def __init__(self):
        self.weights = [1.0]

    def __setstate__(self, state):
        time.sleep(120)
        self.__dict__.update(state)

    def predict(self, features):
        return np.zeros(len(features), dtype=int)
