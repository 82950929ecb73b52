"""Built-in plugin configurations listed under `generators:` and `transformers:`.

kustomize accumulates these entries like resources (files, inline YAML, kustomization directories)
and runs each config whose `apiVersion` is `builtin` with its own field specs. Anything else would
be an exec/container KRM function or a legacy plugin: never executed here (NotRendered).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from gitops_lint.core.datapath import as_dict
from gitops_lint.core.loader import parse_text
from gitops_lint.render import fieldspec as fs
from gitops_lint.render import generators, transformers
from gitops_lint.render.accumulator import Accumulator
from gitops_lint.render.errors import NotRendered, RenderError, located
from gitops_lint.render.kustomization import Kustomization, string_map, truthy
from gitops_lint.render.resource import copy_data

if TYPE_CHECKING:
    from gitops_lint.render.build import Session

_FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")


def load_configs(session: Session, k: Kustomization, field: str, stack: tuple) -> list[tuple[dict, int]]:
    """(config, entry index) for every plugin config named in `field` of `k`."""
    out: list[tuple[dict, int]] = []
    for i, entry in enumerate(k.get(field, [])):
        if not isinstance(entry, str):
            raise k.error(f"`{field}` entries must be strings (paths or inline YAML)", field, i)
        if "\n" in entry or entry.lstrip().startswith(("apiVersion:", "kind:")):
            docs = _inline_docs(entry, k, field, i)
        else:
            acc = Accumulator()
            session.add_resource(k, acc, entry, i, stack, field=field)
            docs = [r.data for r in acc.resources]
        out.extend((d, i) for d in docs)
    return out


def _inline_docs(text: str, k: Kustomization, field: str, i: int) -> list[dict]:
    parsed = parse_text(k.path, text)
    if parsed.violations:
        raise k.error(f"cannot parse inline {field} entry: {parsed.violations[0].message}", field, i)
    return [copy_data(d.data) for d in parsed.documents if isinstance(d.data, dict)]


def _check_builtin(config: dict, k: Kustomization, field: str, i: int) -> str:
    meta = as_dict(config.get("metadata"))
    annotations = as_dict(meta.get("annotations"))
    kind = str(config.get("kind") or "")
    if config.get("apiVersion") != "builtin" or any(a in annotations for a in _FUNCTION_ANNOTATIONS):
        raise NotRendered(
            f"`{field}` entry {kind or '?'} is a plugin or KRM function; it is never executed "
            "(use --renderer kustomize to delegate)",
            k.path,
            k.position(field, i),
        )
    return kind


def _plain(k: Kustomization, data: dict) -> Kustomization:
    """A kustomization view holding only `data` (positions still point into `k`)."""
    return dataclasses.replace(
        k, data=data, raw=data, images=[], config_map_generator=[], secret_generator=[]
    )


def run_generators(session: Session, k: Kustomization, acc: Accumulator, stack: tuple) -> None:
    for config, i in load_configs(session, k, "generators", stack):
        kind = _check_builtin(config, k, "generators", i)
        if kind not in ("ConfigMapGenerator", "SecretGenerator"):
            raise NotRendered(
                f"builtin generator {kind} is not rendered offline", k.path, k.position("generators", i)
            )
        meta = as_dict(config.get("metadata"))
        gen = {
            key: config[key]
            for key in ("behavior", "literals", "files", "envs", "env", "options", "type")
            if key in config
        }
        gen["name"], gen["namespace"] = meta.get("name"), meta.get("namespace")
        field = "configMapGenerator" if kind == "ConfigMapGenerator" else "secretGenerator"
        session.generate_one(_plain(k, {}), acc, field, kind[:-9], gen, i)


def run_transformers(session: Session, k: Kustomization, acc: Accumulator, stack: tuple) -> None:
    for config, i in load_configs(session, k, "transformers", stack):
        kind = _check_builtin(config, k, "transformers", i)
        runner = _TRANSFORMERS.get(kind)
        if runner is None:
            raise NotRendered(
                f"builtin transformer {kind} is not rendered offline", k.path, k.position("transformers", i)
            )
        try:
            runner(session, k, acc, config, _specs(config))
        except RenderError as exc:
            raise located(exc, k.path, k.position("transformers", i)) from None


def _specs(config: dict) -> list[fs.FieldSpec]:
    specs = config.get("fieldSpecs")
    if specs is not None and not isinstance(specs, list):
        raise RenderError(f"{config.get('kind') or 'plugin'}: `fieldSpecs` must be a list")
    return [fs.from_dict(x) for x in specs or []]


def _labels(session, k, acc, config, specs) -> None:
    transformers.set_map_entries(acc.resources, k, specs, string_map(config.get("labels")), ("transformers",))


def _annotations(session, k, acc, config, specs) -> None:
    transformers.set_map_entries(
        acc.resources, k, specs, string_map(config.get("annotations")), ("commonAnnotations",)
    )


def _namespace(session, k, acc, config, specs) -> None:
    meta = as_dict(config.get("metadata"))
    transformers.apply_namespace(
        acc.resources,
        k,
        specs,
        ns=str(meta.get("namespace") or ""),
        unset_only=truthy(config.get("unsetOnly")),
        subjects=str(config.get("setRoleBindingSubjects") or "defaultOnly"),
    )


def _prefix_suffix(session, k, acc, config, specs) -> None:
    if "prefix" in config or config.get("kind") != "SuffixTransformer":
        transformers.apply_name_affix(
            acc.resources, k, specs, suffix=False, value=str(config.get("prefix") or "")
        )
    if "suffix" in config or config.get("kind") == "SuffixTransformer":
        transformers.apply_name_affix(
            acc.resources, k, specs, suffix=True, value=str(config.get("suffix") or "")
        )


def _image_tag(session, k, acc, config, specs) -> None:
    image = config.get("imageTag")
    transformers.apply_images(acc.resources, k, specs, images=[image] if isinstance(image, dict) else [])


def _replicas(session, k, acc, config, specs) -> None:
    replica = config.get("replica")
    transformers.apply_replicas(
        acc.resources, k, specs, entries=[replica] if isinstance(replica, dict) else []
    )


def _patch(session, k, acc, config, specs) -> None:
    entry = {key: config[key] for key in ("patch", "path", "target", "options") if key in config}
    acc.resources = session.patches(_plain(k, {"patches": [entry]}), acc.resources)


def _patch_sm(session, k, acc, config, specs) -> None:
    entries = list(config.get("paths") or [])
    if config.get("patches"):
        entries.append(config["patches"])
    acc.resources = session.patches_strategic_merge(
        _plain(k, {"patchesStrategicMerge": entries}), acc.resources
    )


def _patch_json(session, k, acc, config, specs) -> None:
    entry = {key: config[key] for key in ("target", "path") if key in config}
    if "jsonOp" in config:
        entry["patch"] = config["jsonOp"]
    session.patches_json6902(_plain(k, {"patchesJson6902": [entry]}), acc.resources)


def _replacement(session, k, acc, config, specs) -> None:
    acc.resources = session.replacements(k, acc.resources, list(config.get("replacements") or []))


_TRANSFORMERS: dict[str, Any] = {
    "LabelTransformer": _labels,
    "AnnotationsTransformer": _annotations,
    "NamespaceTransformer": _namespace,
    "PrefixSuffixTransformer": _prefix_suffix,
    "PrefixTransformer": _prefix_suffix,
    "SuffixTransformer": _prefix_suffix,
    "ImageTagTransformer": _image_tag,
    "ReplicaCountTransformer": _replicas,
    "PatchTransformer": _patch,
    "PatchStrategicMergeTransformer": _patch_sm,
    "PatchJson6902Transformer": _patch_json,
    "ReplacementTransformer": _replacement,
}

__all__ = ["generators", "load_configs", "run_generators", "run_transformers"]
