"""Statuses by their names ("Fix submitted"), not their keys ("fix_submitted")."""

from django import template

from apps.findings.models import FindingStatus

register = template.Library()


@register.filter
def finding_status_label(value: str) -> str:
    """A finding status's name; an unknown key is shown in words."""
    try:
        return str(FindingStatus(value).label)
    except ValueError:
        return str(value).replace("_", " ")
