"""YAML text → ruamel node graphs, safely: libyaml's composer first, the pure-Python YAML 1.2 one
where libyaml refuses; and the nesting guard that runs before either (the composers recurse).

Plain scalars keep the tag `PLAIN`: their type is decided later by `scalars.scalar_value`.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import ReusedAnchorWarning, YAMLError
from ruamel.yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from gitops_lint.core.scalars import PLAIN

_OPENING, _CLOSING = (MappingStartEvent, SequenceStartEvent), (MappingEndEvent, SequenceEndEvent)
QUOTED, SEQ, MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# the resolvers' answers as ready-made tags, shared by every node (never modified): a node given a
# string builds a new Tag of it, half the cost of composing a node
_PLAIN_TAG, _QUOTED_TAG, _SEQ_TAG, _MAP_TAG = (Tag(suffix=t) for t in (PLAIN, QUOTED, SEQ, MAP))


def _resolve(self: object, kind: type, value: str, implicit: tuple[bool, bool]) -> Tag:
    """Both composers' resolver (a method): the tag of a node without an explicit one; plain
    scalars get `PLAIN` (typed later by `scalar_value`)."""
    if kind is ScalarNode:
        return _PLAIN_TAG if implicit[0] else _QUOTED_TAG
    return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


try:  # libyaml-backed composer; tags are resolved by `scalar_value`, not by ruamel's Python resolver
    from _ruamel_yaml import CParser

    class _Composer(CParser):
        """libyaml's parser and composer with a constant-time resolver (resolution happens later)."""

        def descend_resolver(self, *args: object) -> None:
            pass

        def ascend_resolver(self, *args: object) -> None:
            pass

        resolve = _resolve

    def compose_all(text: str) -> Iterator[Node | None]:
        """The node graph of each document (None for an empty one), composed by libyaml."""
        composer = _Composer(io.StringIO(text))
        try:
            while composer.check_node():
                yield composer.get_node()
        finally:
            composer.dispose()

    _EventParser = CParser
except ImportError:  # pragma: no cover - pure-Python fallback where ruamel.yaml.clib is missing
    compose_all = None  # type: ignore[assignment]  # set to the pure composer below
    from ruamel.yaml.loader import SafeLoader as _EventParser


class _PlainResolver(VersionedResolver):
    """The pure-Python composer's resolver: like `_Composer`, it leaves plain scalars to `scalar_value`."""

    resolve = _resolve


def compose_all_pure(text: str) -> Iterator[Node | None]:
    """ruamel's pure-Python YAML 1.2 composer (slower; used where libyaml refuses). A reused anchor
    name is valid YAML (the later one wins, as in go-yaml): its library warning is not printed."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _PlainResolver
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReusedAnchorWarning)
        yield from yaml.compose_all(io.StringIO(text))


if compose_all is None:  # pragma: no cover
    compose_all = compose_all_pure


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DASH_RUN = re.compile(r"(?:- ){4,}")
# an alias (`*name`) after whitespace, a line start or a flow indicator: without one nothing expands
ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s\[\]{},]", re.M)


def nesting_estimate(text: str) -> int:
    """A cheap upper bound of flow/sequence nesting, so that libyaml is never handed input
    deep enough to exhaust the C stack. Quote-unaware on purpose: it only needs to be safe."""
    if text.count("[") + text.count("{") <= 64 and "- - - -" not in text:
        return 0
    depth = best = 0
    for ch in _NOT_BRACKET.sub("", text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        else:
            depth = max(0, depth - 1)
    dash_run = max(map(len, _DASH_RUN.findall(text)), default=0) // 2
    return max(best, dash_run)


def structure_depth(text: str, limit: int) -> int:
    """The nesting of collections in the text, from parser events (libyaml's parser keeps its own
    stack, so this is safe where the recursive composer is not); counting stops past `limit`.
    Brackets inside scalars do not count. A syntax error ends the count (the parse reports it)."""
    parser = _EventParser(io.StringIO(text))
    depth = best = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, _OPENING):
                depth += 1
                best = max(best, depth)
                if best > limit:
                    break
            elif isinstance(event, _CLOSING):
                depth -= 1
    except (YAMLError, ValueError, TypeError):
        pass
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return best


def node_tag(node: Node) -> str:
    """The node's tag as a string; ruamel's `node.tag` URI-decodes it anew for every node (slow)."""
    suffix = node.ctag.suffix if node.ctag is not None and node.ctag.handle is None else None
    return suffix if isinstance(suffix, str) and "%" not in suffix else str(node.tag)
