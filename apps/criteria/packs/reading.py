"""A pack's YAML read safely, keeping where each value was written.

Only the JSON subset of YAML is read: mappings with text keys (each once), lists, text,
numbers, booleans and null. Refused: a file over the size cap (413), anchors and aliases
(they let a few bytes expand into gigabytes, the "billion laughs"), tags beyond the plain
types, more than one document and deep nesting. PyYAML's safe loader composes the nodes
(it never builds objects from tags); the values are built here from the nodes, so each one
keeps its line and its text as written, which the errors quote.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.template.defaultfilters import filesizeformat

from apps.criteria.packs.problems import PackProblem, Path, located, pack_refusal, quoted
from qualiti.errors import TooLarge

MAX_DEPTH = 32

_PLAIN_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR = "tag:yaml.org,2002:str"
# A date-like scalar (version: 2025-01-31) stays the text it was written as.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass
class PackDocument:
    """The pack's data, and for each place in it (a path of keys and list positions) the
    line it was written on and, for a scalar, its text as written."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of the nearest place that holds it."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def text(self, path: Path, value: Any) -> str:
        """The value at `path` as written in the file."""
        return self.texts[path] if path in self.texts else quoted(value)


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else None
        self.message = message


class _PackLoader(yaml.SafeLoader):
    """The safe loader, composing nodes only, that refuses anchors, aliases and nesting
    deeper than MAX_DEPTH before the composer follows them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                event.start_mark,
                "anchors (&name) and aliases (*name) are not allowed in a pack: they let a "
                "small file expand into a huge one. Write each value out.",
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"values are nested more than {MAX_DEPTH} deep.")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def pack_too_large(*, max_bytes: int) -> TooLarge:
    return TooLarge(
        f"The pack is larger than the limit of {filesizeformat(max_bytes)} ({max_bytes} bytes, "
        "setting QUALITI_PACK_MAX_BYTES); nothing was imported.",
        extra={"limit_bytes": max_bytes},
    )


# A multipart body carries the file and a little more: its boundaries and headers.
MULTIPART_ALLOWANCE = 64 * 1024


def pack_body_check(content_length: str | None, *, max_bytes: int) -> None:
    """Refuse a request body announced larger than a pack may be, before anything reads
    it (an unannounced or false length is caught when the body is read)."""
    try:
        length = int(content_length or 0)
    except ValueError:
        return
    if length > max_bytes + MULTIPART_ALLOWANCE:
        raise pack_too_large(max_bytes=max_bytes)


def pack_yaml_read(content: bytes, *, max_bytes: int) -> PackDocument:
    """The pack's data with its lines; TooLarge over `max_bytes`, InvalidInput (listing
    every problem found) when it is not a readable YAML document."""
    if len(content) > max_bytes:
        raise pack_too_large(max_bytes=max_bytes)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise pack_refusal(
            [PackProblem(f"the file is not UTF-8 text (byte {error.start} cannot be read).")]
        ) from error
    loader = _PackLoader(text)
    try:
        node = loader.get_single_node()
    except _Refused as error:
        raise pack_refusal([PackProblem(error.message, line=error.line)]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise pack_refusal(
            [
                PackProblem(
                    f"this is not valid YAML: {problem}.", line=mark.line + 1 if mark else None
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise pack_refusal([PackProblem(f"this is not valid YAML: {error}.")]) from error
    finally:
        loader.dispose()
    if node is None:
        raise pack_refusal([PackProblem("the file is empty: a pack has `pack` and `templates`.")])
    document = PackDocument(data=None, lines={(): node.start_mark.line + 1})
    problems: list[PackProblem] = []
    document.data = _value(node, (), document, problems, loader)
    if problems:
        raise pack_refusal(problems)
    return document


def _value(
    node: yaml.Node,
    path: Path,
    document: PackDocument,
    problems: list[PackProblem],
    loader: _PackLoader,
) -> Any:
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            problems.append(_tag_problem(node, path))
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = (
                    key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                )
                problems.append(
                    located(
                        path, "keys must be text; quote this one.", line=line, value=quoted(shown)
                    )
                )
                continue
            key = key_node.value
            if key in mapping:
                first = document.lines[(*path, key)]
                problems.append(
                    located((*path, key), f"given twice (first on line {first}).", line=line)
                )
                continue
            document.lines[(*path, key)] = line
            mapping[key] = _value(value_node, (*path, key), document, problems, loader)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            problems.append(_tag_problem(node, path))
        items = []
        for index, item in enumerate(node.value):
            document.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_value(item, (*path, index), document, problems, loader))
        return items
    document.texts[path] = node.value
    if node.tag in (_STR, _TIMESTAMP):
        return node.value
    if node.tag in _PLAIN_TAGS:
        try:
            return loader.construct_object(node, deep=True)
        except ValueError:  # an integer of thousands of digits, say
            problems.append(
                located(
                    path,
                    "this number cannot be read.",
                    line=node.start_mark.line + 1,
                    value=quoted(node.value),
                )
            )
            return None
    problems.append(_tag_problem(node, path))
    return None


def _tag_problem(node: yaml.Node, path: Path) -> PackProblem:
    return located(
        path,
        f"the tag {node.tag} is not allowed: a pack holds only text, numbers, booleans, "
        "lists and mappings.",
        line=node.start_mark.line + 1,
        value=quoted(node.value) if isinstance(node, yaml.ScalarNode) else None,
    )
