"""Logging filters.

A refused request (403, 404) is the application working as meant: Django logs it as a
warning with the exception that refused it, so every 403 printed a traceback that looked
like a crash to whoever reads the logs. Its one line (method, address, status) stays; the
traceback is kept for server errors only."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
