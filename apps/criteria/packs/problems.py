"""What is wrong with a pack, said so that its author can find and fix each thing at once:
which entry (its position and code), which line, which field, and the value as written."""

import json
from dataclasses import asdict, dataclass
from typing import Any

from qualiti.errors import InvalidInput

# A value is quoted as written, up to this many characters.
QUOTE_CHARS = 120
SECTIONS = ("pack", "templates", "frameworks")
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class PackProblem:
    message: str  # what is wrong, in words, without the where
    line: int | None = None
    section: str = ""  # "pack", "templates", "frameworks" or "" for the whole file
    entry: int | None = None  # the entry's position in its list, counting from 1
    code: str | None = None  # the entry's code (a template) or id (a framework), as written
    field: str = ""  # the field within the entry, e.g. "check_key", "params.alpha"
    value: str | None = None  # the bad value as written, None when it is missing

    def where(self) -> str:
        parts = []
        if self.section and self.entry is not None:
            name = "template" if self.section == "templates" else "framework"
            parts.append(f"{name} {self.entry}" + (f" ({self.code})" if self.code else ""))
        elif self.section:
            parts.append(self.section)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)

    def sentence(self) -> str:
        """Where, what, and the value as written (unless the words already quote it)."""
        message = self.message
        if self.value is not None and repr(self.value) not in message:
            message = f"{message.rstrip('.')}; given {self.value!r}."
        where = self.where()
        return f"{where[:1].upper()}{where[1:]}: {message}" if where else message

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.sentence()}


def located(
    path: Path,
    message: str,
    *,
    line: int | None,
    code: str | None = None,
    value: str | None = None,
) -> PackProblem:
    """A problem at a place of the document: `("templates", 2, "params", "alpha")` is the
    field params.alpha of template 3."""
    section, entry, rest = "", None, path
    if path and path[0] in SECTIONS:
        section, rest = str(path[0]), path[1:]
        if section != "pack" and rest and isinstance(rest[0], int):
            entry, rest = rest[0] + 1, rest[1:]
    return PackProblem(
        message, line=line, section=section, entry=entry, code=code, field=dotted(rest), value=value
    )


def dotted(path: Path) -> str:
    """A path for people: requirements[2].url, params.alpha."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def quoted(value: Any) -> str:
    """A value as written (scalars keep their text), cut to a readable length."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= QUOTE_CHARS else f"{text[: QUOTE_CHARS - 1]}…"


def pack_refusal(problems: list[PackProblem]) -> InvalidInput:
    """The refusal of a whole pack: its message counts the problems, `errors` lists each."""
    ordered = sorted(problems, key=lambda problem: (problem.line or 0, problem.field))
    count = len(ordered)
    noun = "problem" if count == 1 else "problems"
    return InvalidInput(
        f"The pack was refused ({count} {noun}); nothing was imported.",
        extra={"errors": [problem.as_dict() for problem in ordered]},
    )
