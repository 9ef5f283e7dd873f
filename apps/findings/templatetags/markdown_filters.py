"""`{{ text|markdown }}`: Markdown written by users, as HTML safe to put in a page.

The Markdown renderer passes raw HTML through, so its output is sanitised with nh3 (an
allow-list of tags and attributes; scripts, styles, event handlers and javascript: links
go), and only then marked safe."""

import re

import markdown as markdown_renderer
import nh3
from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.models import User

register = template.Library()

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
EXTENSIONS = ["fenced_code", "tables", "sane_lists"]


def markdown_to_safe_html(text: str) -> str:
    html = markdown_renderer.markdown(text or "", extensions=EXTENSIONS)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(markdown_to_safe_html(text))  # noqa: S308 - sanitised by nh3 just above


# Split sanitised HTML into tags and text; mentions are linked in text outside a, code, pre.
_TAG = re.compile(r"(<[^>]*>)")
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")
_NO_LINKS_INSIDE = ("a", "code", "pre")


def mentions_linked(html: str) -> str:
    """Each @username of an existing user becomes a link to the findings assigned to them."""
    names = set(_MENTION.findall(re.sub(_TAG, " ", html)))
    if not names:
        return html
    known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    if not known:
        return html
    base = reverse("finding-list")
    depth = 0
    parts = []
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _NO_LINKS_INSIDE:
                depth += -1 if part.startswith("</") else 1
            parts.append(part)
        elif depth > 0:
            parts.append(part)
        else:
            parts.append(
                _MENTION.sub(
                    lambda m: (
                        f'<a class="mention" href="{base}?assignee={m.group(1)}">@{m.group(1)}</a>'
                        if m.group(1) in known
                        else m.group(0)
                    ),
                    part,
                )
            )
    return "".join(parts)


@register.filter(name="comment_markdown")
def comment_markdown_filter(text: str) -> SafeString:
    """A comment: Markdown, sanitised, with @mentions linked (usernames hold only
    letters, digits and . + - _, so the link adds no markup of its own)."""
    return mark_safe(mentions_linked(markdown_to_safe_html(text)))  # noqa: S308
