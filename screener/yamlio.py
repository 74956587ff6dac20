"""Safe YAML reading for rule packs: data only, never code, bounded in size, and with the node
tree kept so that problems can be reported at the line and column of the offending key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_YAML_NODES = 200_000  # after aliases are expanded: the whole shipped pack is ~10,000


class YamlProblem(ValueError):
    """A file that cannot be read as YAML; line and column are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.line, self.column = line, column


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (YAML silently keeps the last one, which
    would let a rule author's second `hs_codes:` quietly replace the first)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: pydantic parses them and reports a bad one (2016-13-01) at its key, where
# PyYAML's own timestamp constructor would fail with an unlocated ValueError.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    node: yaml.Node | None

    def locate(self, path: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path`, or of its key when `key` is true.
        Follows the path as far as it exists and reports the deepest node reached."""
        node, mark = self.node, (self.node.start_mark if self.node is not None else None)
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(step):
                        mark = key_node.start_mark if key else value_node.start_mark
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and 0 <= step < len(node.value):
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        if mark is None:
            return 1, 1
        return mark.line + 1, mark.column + 1


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, computed without
    expanding (aliases share node objects, so sizes are memoised per node)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # guards against recursive aliases
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
        return sizes[id(node)]

    return size(root)


def read_yaml_document(path: Path) -> YamlDocument:
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise YamlProblem(f"file is {size} bytes; rule and case files are limited to "
                          f"{MAX_YAML_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"not UTF-8 text (byte {exc.start})") from None
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_YAML_NODES:
            raise YamlProblem(f"the document expands to more than {MAX_YAML_NODES:,} values "
                              "through anchors and aliases (an alias bomb?): refused")
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        kind = "" if "duplicate key" in what else "YAML syntax error: "
        raise YamlProblem(f"{kind}{what}", line, column) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlProblem(f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    return YamlDocument(data, node)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; raises YamlProblem (a ValueError) on any problem."""
    return read_yaml_document(path).data
