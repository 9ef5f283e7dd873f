"""What every page form shares: a service's refusal put back on the form that caused it."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qualiti.errors import NotFound, PermissionRefused, QualitiError


def refusal_raise(error: QualitiError | ValidationError) -> None:
    """A service's refusal to act at all is the page's answer (403, or 404 for what the
    user may not see), not a message beside a field: raise it as Django's own."""
    if isinstance(error, PermissionRefused):
        raise PermissionDenied(error.message) from error
    if isinstance(error, NotFound):
        raise Http404(error.message) from error


def service_error_add(form: forms.Form, error: QualitiError | ValidationError) -> None:
    """Show a service's refusal beside the field it names, or above the form; a refusal
    of permission is raised instead (see `refusal_raise`)."""
    refusal_raise(error)
    if isinstance(error, QualitiError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    for field, field_messages in getattr(error, "message_dict", {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, field_messages)
