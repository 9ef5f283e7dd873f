from functools import cached_property

from django.http import HttpRequest

from apps.findings.work_queues import work_waiting_counts


class WorkWaiting:
    """How many items wait in the user's queues on My work, counted (in one query) only
    when the page shows it; My work leaves its own counts on the request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def total(self) -> int:
        counts = getattr(self.request, "work_waiting_counts", None)
        if counts is None:
            counts = work_waiting_counts(user=self.request.user)  # type: ignore[arg-type]
        return int(counts["total"])


def work_waiting(request: HttpRequest) -> dict:
    """The top bar's "My work, N waiting", for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_waiting": WorkWaiting(request)}
