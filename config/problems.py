"""Validation problems as `{file}: {dotted.path}: {reason}` lines, all of them at once.

Pydantic reports a problem at the location of the value it was checking. Rules that compare
several values (duplicate codes, weights that must add up, references between sections) run in
model validators, whose errors pydantic places at the model itself; those validators raise
`problems_error(...)`, which carries each problem's location *relative to the model*, so the
final message still points at the exact key the user has to edit.
"""

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

PROBLEMS_TYPE = "config_problems"
_PLAIN_KEY = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_-]*|[0-9]+)$")
# Pydantic prefixes the message of a ValueError/AssertionError raised in a validator.
_PREFIXES = ("Value error, ", "Assertion failed, ")
_SCALAR = (str, int, float, bool, type(None))


def problems_error(problems: Iterable[Problem]) -> PydanticCustomError:
    """An error for a model validator to raise, keeping every problem's own location."""
    problems = tuple(problems)
    summary = "; ".join(f"{format_path(loc)}: {reason}" if loc else reason for loc, reason in problems)
    return PydanticCustomError(PROBLEMS_TYPE, "{summary}", {"summary": summary, "problems": problems})


def raise_problems(problems: list[Problem]) -> None:
    """Raise `problems_error` when there is anything to report."""
    if problems:
        raise problems_error(problems)


def format_path(loc: Loc, data: Any = None) -> str:
    """`cycles.annual.stages.self_assessment`, `indicators[2].code`, `curve."Sangat Baik".max`.

    With the raw document at hand, an integer is shown as a list index only where the document
    has a list (scale labels use integer *keys*: `scale.labels.7`).
    """
    text = ""
    node = data
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself is wrong"
            continue
        if isinstance(part, int) and (isinstance(node, list) or node is None and data is None):
            text += f"[{part}]"
        else:
            key = str(part)
            text += ("." if text else "") + (key if _PLAIN_KEY.match(key) else f'"{key}"')
        node = _child(node, part)
    return text


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _reason(error: Mapping[str, Any], *, show_input: bool = True) -> str:
    kind = error["type"]
    message = str(error["msg"])
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        return "unknown key (not allowed here; check its spelling and indentation)"
    value = error.get("input")
    if show_input and isinstance(value, _SCALAR):
        return f"{message} (got {value!r})"
    return message


def iter_problems(error: ValidationError, *, secret_fields: Collection[str] = ()) -> Iterator[Problem]:
    """Every problem of a ValidationError with its full location, problems_error expanded.

    The offending value is quoted in the reason, except under `secret_fields` (never echo a key).
    """
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if item["type"] == PROBLEMS_TYPE:
            for relative, reason in item["ctx"]["problems"]:
                yield loc + tuple(relative), reason
        else:
            yield loc, _reason(item, show_input=not (loc and loc[0] in secret_fields))


def _line_for(loc: Loc, lines: Mapping[Loc, int]) -> int | None:
    loc = tuple(part for part in loc if part != "[key]")
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def format_problems(
    source: str, problems: Iterable[Problem], data: Any = None, lines: Mapping[Loc, int] | None = None
) -> str:
    """One line per problem: `{source}: {dotted.path}: {reason}`, with the YAML line when known."""
    out: list[str] = []
    for loc, reason in problems:
        path = format_path(loc, data)
        line = _line_for(loc, lines) if lines else None
        suffix = f" (line {line})" if line else ""
        out.append(f"{source}: {path}: {reason}{suffix}" if path else f"{source}: {reason}{suffix}")
    return "\n".join(dict.fromkeys(out))  # same problem reported twice reads as noise
