"""The `crds:` field: OpenAPI type definitions whose `x-kubernetes-*` extensions add field specs.

As kustomize's LoadConfigFromCRDs: every definition that looks like a Kubernetes type (has kind,
apiVersion and metadata properties) is walked; `x-kubernetes-object-ref-api-version`/`-kind` make
name references, `x-kubernetes-annotation`, `-label-selector` and `-identity` add annotation,
label and name-prefix field specs. `$ref`s are followed by definition name.
"""

from __future__ import annotations

from typing import Any

from gitops_lint.render import fieldspec as fs
from gitops_lint.render.errors import RenderError
from gitops_lint.render.namereference import BackRef


def config_from_definitions(definitions: Any, source: str) -> dict[str, list]:
    """Transformer configuration from one crds file's parsed content."""
    if not isinstance(definitions, dict) or not all(isinstance(v, dict) for v in definitions.values()):
        raise RenderError(
            f"unable to parse open API definition from {source!r}: expected a map of type definitions"
        )
    config: dict[str, list] = {
        "nameReference": [],
        "commonAnnotations": [],
        "commonLabels": [],
        "namePrefix": [],
    }
    for name, api in definitions.items():
        props = _properties(api)
        if not all(k in props for k in ("kind", "apiVersion", "metadata")):
            continue
        _walk(config, str(name).rsplit(".", 1)[-1], definitions, str(name), [], 0)
    return config


def _properties(api: dict) -> dict:
    props = api.get("properties")
    if props is None and isinstance(api.get("Schema"), dict):
        props = api["Schema"].get("properties")
    return props if isinstance(props, dict) else {}


def _walk(config: dict, kind: str, definitions: dict, type_name: str, path: list[str], depth: int) -> None:
    api = definitions.get(type_name)
    if not isinstance(api, dict) or depth > 20:
        return
    for prop_name, prop in _properties(api).items():
        if not isinstance(prop, dict):
            continue
        here = [*path, str(prop_name)]
        spec = fs.make("/".join(here), kind)
        if "x-kubernetes-annotation" in prop:
            config["commonAnnotations"].append(spec)
        if "x-kubernetes-label-selector" in prop:
            config["commonLabels"].append(spec)
        if "x-kubernetes-identity" in prop:
            config["namePrefix"].append(spec)
        version, ref_kind = (
            prop.get("x-kubernetes-object-ref-api-version"),
            prop.get("x-kubernetes-object-ref-kind"),
        )
        if isinstance(version, str) and isinstance(ref_kind, str):
            key = prop.get("x-kubernetes-object-ref-name-key")
            key = key if isinstance(key, str) else "name"
            config["nameReference"].append(
                BackRef("", version, ref_kind, [fs.make("/".join([*here, key]), kind)])
            )
        ref = prop.get("$ref")
        if isinstance(ref, str):
            _walk(config, kind, definitions, ref, here, depth + 1)
