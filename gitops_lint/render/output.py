"""A `kustomize build`-like YAML stream for rendered objects."""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter


class _Representer(SafeRepresenter):
    def represent_str(self, data: str):
        if "\n" in data and not data.startswith((" ", "\n")) and not any(c in data for c in "\t\r"):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.width = 1 << 16
    y.sort_base_mapping_type_on_output = False
    return y


def to_yaml(objects: list[dict]) -> str:
    """Objects as a `---`-separated YAML stream (keys in their rendered order)."""
    y = _yaml()
    parts = []
    for obj in objects:
        buf = io.StringIO()
        y.dump(obj, buf)
        parts.append(buf.getvalue())
    return "---\n".join(parts)
