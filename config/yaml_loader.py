"""Reading a YAML file strictly, and remembering on which line each key sits.

PyYAML silently keeps the last of two equal keys; in a hand-edited configuration that hides a
mistake, so duplicates are refused. The line of every key and list item is recorded, so a
validation message can say where to look as well as what is wrong.
"""

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from config.errors import ConfigError
from config.problems import Loc

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key appearing twice in the same mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *defaults` may legitimately repeat keys
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r} (first defined on line {first_line[key]})",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
            except TypeError:  # unhashable key: the base class reports it properly
                break
        return super().construct_mapping(node, deep=deep)


def _record_lines(node: Node, data: Any, prefix: Loc, lines: dict[Loc, int], seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its lines are recorded where the anchor is
        return
    seen.add(id(node))
    if isinstance(node, MappingNode) and isinstance(data, dict):
        pairs = node.value
        if any(key.tag == _MERGE_TAG for key, _ in pairs) or len(pairs) != len(data):
            return  # merged mappings do not line up with the nodes; the parent's line will do
        for (key_node, value_node), key in zip(pairs, data, strict=True):
            loc = (*prefix, key)
            lines.setdefault(loc, key_node.start_mark.line + 1)
            _record_lines(value_node, data[key], loc, lines, seen)
    elif isinstance(node, SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=False)):
            loc = (*prefix, index)
            lines.setdefault(loc, item_node.start_mark.line + 1)
            _record_lines(item_node, item, loc, lines, seen)


def _syntax_error(path: Path, exc: yaml.YAMLError) -> ConfigError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        context = ""
        if exc.context and exc.problem and exc.context_mark is not None:
            context = f" ({exc.context} started on line {exc.context_mark.line + 1})"
        return ConfigError(f"{path}: {where}invalid YAML: {problem}{context}")
    return ConfigError(f"{path}: invalid YAML: {exc}")


def load_yaml_file(path: Path) -> tuple[Any, dict[Loc, int]]:
    """The document in `path` and the 1-based line of each key; ConfigError for unreadable files."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _record_lines(node, data, (), lines, set())
    return data, lines
