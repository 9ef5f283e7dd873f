"""What every page owes its users, read from its HTML: labelled form fields and controls a
keyboard can reach."""

from html.parser import HTMLParser

FIELDS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.label_targets: set[str] = set()
        self.open_labels = 0
        self.fields: list[tuple[str, dict[str, str | None], bool]] = []
        self.unreachable: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        if tag in FIELDS and attributes.get("type") not in UNLABELLED_INPUT_TYPES:
            self.fields.append((tag, attributes, self.open_labels > 0))
        if attributes.get("tabindex", "0").startswith("-") and tag in FIELDS | {"a", "button"}:
            self.unreachable.append(f"<{tag} {attributes}>")
        if "onclick" in attributes and tag not in {"a", "button", "input"}:
            self.unreachable.append(f"<{tag} onclick>")  # a click a keyboard cannot make

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)


def page_problems(html: str) -> list[str]:
    """Form fields without a label (for=, wrapping label, aria-label or aria-labelledby)
    and controls taken out of the keyboard's reach."""
    audit = _PageAudit()
    audit.feed(html)
    problems = list(audit.unreachable)
    for tag, attributes, wrapped in audit.fields:
        labelled = (
            wrapped
            or attributes.get("id") in audit.label_targets
            or attributes.get("aria-label")
            or attributes.get("aria-labelledby")
        )
        if not labelled:
            problems.append(f"unlabelled <{tag} name={attributes.get('name')!r}>")
    return problems
