"""`{{ text|markdown }}`: Markdown written by users, as HTML safe to put in a page.

The Markdown renderer passes raw HTML through, so its output is sanitised with nh3 (an
allow-list of tags and attributes; scripts, styles, event handlers and javascript: links
go), and only then marked safe."""

import markdown as markdown_renderer
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

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
