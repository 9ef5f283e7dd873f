"""Models for the reliability tests, loaded in the engine's sandbox child of a worker.

They are dumped with skops and loaded only by workers started with their type in
QUALITI_RUN_TRUSTED_TYPES. The sandbox child imports this module by name, so it must stay
free of Django and of anything slow to import.
"""

import os
import signal
import time

import numpy as np

SLEEP_VARIABLE = "QUALITI_TEST_MODEL_SLEEP_SECONDS"


class SometimesSlowModel:
    """Predicts class 0 for every row, after sleeping as long as its worker's environment
    says (QUALITI_TEST_MODEL_SLEEP_SECONDS): slow on one worker, quick on another.

    While it sleeps it watches its parent: the engine's child is in its own session, so a
    worker killed with its process group would otherwise leave it sleeping on.
    """

    classes_ = np.array([0, 1])

    def predict(self, features):
        parent = os.getppid()
        deadline = time.monotonic() + float(os.environ.get(SLEEP_VARIABLE, "0"))
        while time.monotonic() < deadline:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.2)
        return np.zeros(len(features), dtype=int)


class WorkerKillingModel:
    """Its prediction SIGKILLs the worker process running the evaluation (its parent),
    then itself: a run that takes its worker down every time it is tried."""

    classes_ = np.array([0, 1])

    def predict(self, features):
        os.kill(os.getppid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
