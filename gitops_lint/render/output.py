"""A `kustomize build`-like YAML stream for rendered objects."""

from __future__ import annotations

import functools
import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter

from gitops_lint.core.scalars import PLAIN, go_timestamp, is_timestamp_like, scalar_value

# Plain scalars a YAML 1.1 reader (kubectl, sigs.k8s.io/yaml) would not read back as strings.
_YAML11 = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL|~"
    r"|[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|\.[0-9_]+|[0-9][0-9_]*\.[0-9_]*"
    r"(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF)|[0-9][0-9_]*[eE][-+]?[0-9]+)|\.(?:nan|NaN|NAN)|=|<<)$"
)


class _Representer(SafeRepresenter):
    def represent_str(self, data: str):
        if (
            "\n" in data
            and not data.startswith((" ", "\n"))
            and not any(c in data for c in "\t\r")
            and " \n" not in data
        ):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        if (not data or _YAML11.match(data) or not isinstance(scalar_value(PLAIN, data), str)
                or (is_timestamp_like(data) and go_timestamp(data) is not None)):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.width = 1 << 16
    y.sort_base_mapping_type_on_output = False  # keys are put in go-yaml's order first (`_ordered`)
    return y


def to_yaml(objects: list[dict]) -> str:
    """Objects as a `---`-separated YAML stream, keys sorted as `kustomize build` prints them."""
    y = _yaml()
    parts = []
    for obj in objects:
        buf = io.StringIO()
        y.dump(_ordered(obj), buf)
        parts.append(buf.getvalue())
    return "---\n".join(parts)


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's map key order (kustomize prints with it): at the first differing character two
    letters compare by code point, a non-letter sorts before a letter, and digit runs compare as
    numbers (`k2` before `k10`), then by length."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        a_letter, b_letter = a[i].isalpha(), b[i].isalpha()
        if a_letter and b_letter:
            return a[i] < b[i]
        if a_letter or b_letter:
            return b_letter
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai, bi = i, i
        while ai < len(a) and a[ai].isdecimal():
            an, ai = an * 10 + ord(a[ai]) - 48, ai + 1
        while bi < len(b) and b[bi].isdecimal():
            bn, bi = bn * 10 + ord(b[bi]) - 48, bi + 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


_GO_KEY = functools.cmp_to_key(lambda a, b: -1 if go_key_less(a, b) else int(go_key_less(b, a)))
_PLAIN_KEY = re.compile(r"[a-z]*$")  # keys whose go-yaml order is plain string order


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        if len(keys) > 1:
            plain = all(isinstance(k, str) and _PLAIN_KEY.match(k) for k in keys)
            keys.sort(key=None if plain else lambda k: _GO_KEY(str(k)))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value
