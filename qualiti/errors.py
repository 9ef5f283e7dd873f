"""The one domain error type. Services raise it; the API and the pages turn it into a 4xx
answer carrying its message, so a stack trace never reaches a user."""


class QualitiError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class InvalidInput(QualitiError):
    """The request cannot be carried out as asked (400)."""


class PermissionRefused(QualitiError):
    status_code = 403
    code = "permission_denied"


class NotFound(QualitiError):
    status_code = 404
    code = "not_found"


class StaleVersion(QualitiError):
    """Someone else changed the object since the caller read it (409)."""

    status_code = 409
    code = "stale_version"


class TooLarge(QualitiError):
    status_code = 413
    code = "too_large"
