"""The engine's one error type: a message a user can act on, never a traceback."""


class EngineError(Exception):
    """Bad input, a refused or broken model, or an invalid plan.

    The message is written for the person who runs the evaluation and is shown as is; the
    command line turns it into exit status 2, the worker into the run's error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ModelCrashed(EngineError):
    """The model's child process died, ran out of memory or time while loading/predicting.

    `cause` says which: "timeout" (wall time), "cpu" (CPU time), "memory", or "crash".
    """

    def __init__(self, message: str, *, cause: str = "crash") -> None:
        super().__init__(message)
        self.cause = cause


class PlanError(EngineError):
    """The plan JSON is malformed or names an unknown check, metric or parameter."""


class ArtifactRefused(EngineError):
    """A model file the gate refuses: unsafe, damaged, or not a model Qualiti can load."""
