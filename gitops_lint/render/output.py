"""A `kustomize build`-like YAML stream for rendered objects."""

from __future__ import annotations

import io
import re

from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter

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
        if not data or _YAML11.match(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.width = 1 << 16
    y.sort_base_mapping_type_on_output = True  # type: ignore[assignment]  # kustomize prints keys sorted; ruamel types this option as None
    return y


def to_yaml(objects: list[dict]) -> str:
    """Objects as a `---`-separated YAML stream, keys sorted as `kustomize build` prints them."""
    y = _yaml()
    parts = []
    for obj in objects:
        buf = io.StringIO()
        y.dump(obj, buf)
        parts.append(buf.getvalue())
    return "---\n".join(parts)
