"""Checks and metrics by their names, linked to their guide page (a check) or glossary
entry (a metric, a status), with the key that engineers use on hover (the link's title,
which screen readers announce as its description; the page shows it too).

    {% load glossary_terms %}
    {% check_name result.check_key %}           a link to the check's guide page
    {% guide_link finding.check_key before=" · " %}  a "Guide" link to it, after " · "
    {% metric_name result.metric link=False %}  plain text, for reports and PDFs
    {% check_name key link=False show_key=True %}  the key in small type after the name
    {{ key|check_label }}                       the name alone, for attributes and titles
    {% term "finding-status" finding.status finding.get_status_display %}  a status

A key the engine no longer knows (an old result) is shown as the key itself.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from apps.dashboards.selectors.glossary import glossary_anchor
from apps.evaluations import engine

register = template.Library()


def _term(
    kind: str, key: str, name: str, *, link: bool, show_key: bool, href: str = ""
) -> SafeString:
    if link:
        shown = format_html(
            '<a class="term" href="{}" title="key: {}">{}</a>',
            href or f"{reverse('glossary')}#{glossary_anchor(kind, key)}",
            key,
            name,
        )
    else:
        shown = format_html('<span class="term" title="key: {}">{}</span>', key, name)
    if show_key:
        return format_html('{} <code class="term-key">{}</code>', shown, key)
    return shown


@register.simple_tag
def check_name(key: str | None, link: bool = True, show_key: bool = False) -> SafeString:
    """A check by its name, linked to its guide page, its key on hover."""
    if not key:
        return mark_safe("")
    name = engine.check_name(key)
    if name == key:  # no longer registered: a registered check's name is never its key
        return format_html("<code>{}</code>", key)
    href = reverse("guide-check", args=[key])
    return _term("check", key, name, link=link, show_key=show_key, href=href)


@register.simple_tag
def guide_link(key: str | None, before: str = "") -> SafeString:
    """A "Guide" link to a check's guide page, after `before` (" · "), its name for screen
    readers; nothing for no check or one the engine no longer knows (it has no page)."""
    if not key or engine.check_name(key) == key:
        return mark_safe("")
    return format_html(
        '{}<a class="guide-link" href="{}">Guide<span class="visually-hidden"> to {}</span></a>',
        before,
        reverse("guide-check", args=[key]),
        engine.check_name(key),
    )


@register.simple_tag
def metric_name(key: str | None, link: bool = True, show_key: bool = False) -> SafeString:
    """A metric by its name, linked to the glossary, its key on hover."""
    if not key:
        return mark_safe("")
    if key not in engine.METRIC_NAMES:
        return format_html('<span title="key: {}">{}</span>', key, engine.metric_name(key))
    return _term("metric", key, engine.METRIC_NAMES[key], link=link, show_key=show_key)


@register.simple_tag
def term(kind: str, key: str | None, name: str) -> SafeString:
    """Any other glossary term, a status for one: `{% term "finding-status" finding.status
    finding.get_status_display %}` links the status's name to its entry."""
    if not key:
        return format_html("{}", name)
    return _term(kind, key, name, link=True, show_key=False)


@register.filter
def check_label(key: str | None) -> str:
    """A check's name as plain text (for a title or an aria-label); the key if unknown."""
    return engine.check_name(key) if key else ""


@register.filter
def metric_label(key: str | None) -> str:
    """A metric's name as plain text."""
    return engine.metric_name(key) if key else ""
