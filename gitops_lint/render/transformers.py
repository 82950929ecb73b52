"""kustomize's built-in field transformers: namespace, name prefix/suffix, labels, annotations,
images and replicas. Each mutates the build's resources in place and records field origins."""

from __future__ import annotations

from typing import Any

from gitops_lint.core.datapath import dig
from gitops_lint.render import fieldspec as fs
from gitops_lint.render import links
from gitops_lint.render.errors import RenderError
from gitops_lint.render.kustomization import Kustomization, string_map, truthy
from gitops_lint.render.resource import Resource, split_api_version

_SKIP_RENAME = {("apiregistration.k8s.io", "APIService")}  # with any-group CRDs and Namespaces


def _origin(res: Resource, k: Kustomization, field_path: str, *kpath: Any) -> None:
    res.set_origin(field_path, k.path, k.position(*kpath))


def apply_namespace(
    resources: list[Resource],
    k: Kustomization,
    specs: list[fs.FieldSpec],
    ns: str | None = None,
    unset_only: bool = False,
    subjects: str = "defaultOnly",
) -> None:
    """kustomize's NamespaceTransformer (the `namespace` field, or a builtin plugin config)."""
    ns = k.raw_get("namespace") if ns is None else ns
    if not ns:
        return
    ns = str(ns)

    def setter(c, key):
        if not unset_only or not c.get(key):
            c[key] = ns

    for res in resources:
        if not res.data:
            continue
        res.store_previous_id()
        data = res.data
        if not res.cur_id.cluster_scoped:
            setter(res.meta, "namespace")
            _origin(res, k, "metadata.namespace", "namespace")
        api_version = data.get("apiVersion")
        for spec in specs:
            if spec.path == "metadata/namespace" or (spec.path == "metadata/name" and api_version != "v1"):
                continue
            if spec.path == "subjects[]/namespace" or not spec.selects_data(data):
                continue
            fs.walk(data, spec, setter, "scalar")
        if res.kind in ("RoleBinding", "ClusterRoleBinding") and subjects != "none":
            _role_binding_subjects(data, ns, subjects == "allServiceAccounts")
    _check_unique(resources, "namespace transformation produces ID conflict")


def _role_binding_subjects(data: dict, ns: str, all_accounts: bool) -> None:
    subjects = data.get("subjects")
    if not isinstance(subjects, list):
        return
    for s in subjects:
        if not isinstance(s, dict):
            continue
        if (all_accounts and s.get("kind") == "ServiceAccount") or (
            not all_accounts and s.get("name") == "default"
        ):
            s["namespace"] = ns


def _check_unique(resources: list[Resource], message: str) -> None:
    seen = {}
    for res in resources:
        rid = res.cur_id
        key = (rid.group, rid.version, rid.kind, rid.name, rid.effective_namespace)
        if key in seen:
            raise RenderError(f"{message}: {rid}")
        seen[key] = res


def apply_name_affix(
    resources: list[Resource],
    k: Kustomization,
    specs: list[fs.FieldSpec],
    suffix: bool,
    value: str | None = None,
) -> None:
    """kustomize's PrefixTransformer / SuffixTransformer."""
    field = "nameSuffix" if suffix else "namePrefix"
    affix = k.raw_get(field) if value is None else value
    affix = "" if affix is None else str(affix)
    for res in resources:
        org = res.org_id
        if org.kind in ("CustomResourceDefinition", "Namespace") or (org.group, org.kind) in _SKIP_RENAME:
            continue
        for spec in specs:
            if not spec.selects(org.group, org.version, org.kind):
                continue
            if spec.path == "metadata/name" and affix:
                (res.suffixes if suffix else res.prefixes).append(affix)
                res.store_previous_id()
            if not affix:
                continue

            def setter(c, key):
                if isinstance(c[key], str):
                    c[key] = c[key] + affix if suffix else affix + c[key]

            fs.walk(res.data, spec, setter)
            if spec.path == "metadata/name":
                _origin(res, k, "metadata.name", field)


def apply_labels(resources: list[Resource], k: Kustomization, config: dict) -> None:
    common = string_map(k.raw_get("commonLabels"))
    if common:
        set_map_entries(resources, k, config["commonLabels"], common, ("commonLabels",))
    for i, entry in enumerate(k.raw_get("labels", [])):
        if not isinstance(entry, dict):
            raise k.error("each `labels` entry must be a mapping", "labels", i)
        pairs = string_map(entry.get("pairs"))
        if not pairs:
            continue
        if truthy(entry.get("includeSelectors")):
            specs = list(config["commonLabels"])
        else:
            specs = list(config["templateLabels"]) if truthy(entry.get("includeTemplates")) else []
            specs = fs.merge(specs, [fs.make("metadata/labels", create=True)])
        specs = fs.merge(specs, [fs.from_dict(f) for f in entry.get("fields") or []])
        set_map_entries(resources, k, specs, pairs, ("labels", i))


def apply_annotations(resources: list[Resource], k: Kustomization, config: dict) -> None:
    common = string_map(k.raw_get("commonAnnotations"))
    if common:
        set_map_entries(resources, k, config["commonAnnotations"], common, ("commonAnnotations",))


def set_map_entries(resources, k: Kustomization, specs, pairs: dict[str, str], kpath: tuple) -> None:
    """Set `pairs` into the map each spec reaches (labels and annotations transformers)."""
    base = "metadata.labels" if kpath[0] != "commonAnnotations" else "metadata.annotations"
    for res in resources:
        data = res.data
        group, version = split_api_version(data.get("apiVersion"))
        kind = data.get("kind") or ""
        selected = [spec for spec in specs if spec.selects(group, version, kind)]
        for spec in selected:

            def setter(c, key, spec=spec, res=res):
                target = c[key]
                if target is None:
                    target = c[key] = {}
                if not isinstance(target, dict):
                    raise RenderError(f"{res.cur_id}: {spec.path} is not a map")
                target.update(pairs)

            fs.walk(data, spec, setter, "map")
        containers = [p for spec in selected for p in fs.paths(data, spec)]
        if len(containers) > 1:
            for key, value in pairs.items():
                links.record(res, value, [(*c, key) for c in containers])
        where = (k.path, k.position(*kpath))
        for c in containers or [tuple(base.split("."))]:
            prefix = ".".join(map(str, c))
            for key in pairs:
                res.field_origins[f"{prefix}.{key}"] = where


def split_image(image: str) -> tuple[str, str, str]:
    """kustomize's image.Split: (name, tag, digest)."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    offset = slash if slash > 0 else 0
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        at += offset
        return image[:at], "", image[at + 1 :]
    if at >= 0 and colon >= 0:
        at += offset
        colon += offset
        return image[:colon], image[colon + 1 : at], image[at + 1 :]
    colon += offset
    return image[:colon], image[colon + 1 :], ""


def _image_matches(value: str, name: str) -> bool:
    return split_image(value)[0] == name


def _update_image(value: str, image: dict) -> str:
    name, tag, digest = split_image(value)
    new_name, new_tag, new_digest = (str(image.get(x) or "") for x in ("newName", "newTag", "digest"))
    if new_name:
        name = new_name
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


def apply_images(
    resources: list[Resource], k: Kustomization, specs: list[fs.FieldSpec], images: list | None = None
) -> None:
    for i, image in enumerate(k.images if images is None else images):
        name = image.get("name")
        if not isinstance(name, str) or not name:
            continue
        for res in resources:

            def setter(c, key, image=image, name=name):
                value = c[key]
                if isinstance(value, str) and _image_matches(value, name):
                    c[key] = _update_image(value, image)

            for path in _container_image_fields(res.data, ()):
                container = dig(res.data, path[:-1])
                before = container.get("image")
                setter(container, "image")
                if container.get("image") != before or _image_matches(before, name):
                    # the entry sets the image even when it writes what was there (`newTag: latest` over
                    # `:latest`): the line to change is the entry's tag (else its name)
                    key = next((f for f in ("digest", "newTag", "newName") if f in image), None)
                    _origin(res, k, ".".join(map(str, path)), "images", i, *((key,) if key else ()))
            for spec in specs:
                if spec.selects_data(res.data):
                    fs.walk(res.data, spec, setter)


def _container_image_fields(node, path: tuple) -> list[tuple]:
    """Paths to the `image` of every container under any `containers`/`initContainers` key (kustomize's legacy walk)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for i, c in enumerate(value):
                    if isinstance(c, dict) and isinstance(c.get("image"), str):
                        out.append((*path, key, i, "image"))
            else:
                out.extend(_container_image_fields(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_container_image_fields(value, (*path, i)))
    return out


def apply_replicas(
    resources: list[Resource], k: Kustomization, specs: list[fs.FieldSpec], entries: list | None = None
) -> None:
    for i, entry in enumerate(k.get("replicas", []) if entries is None else entries):
        if not isinstance(entry, dict) or "name" not in entry:
            raise k.error("each `replicas` entry needs a name and a count", "replicas", i)
        name, count = str(entry["name"]), entry.get("count", 0)
        if not isinstance(count, int) or isinstance(count, bool):
            raise k.error(f"replicas count for {name} must be an integer", "replicas", i)
        found = False
        for spec in specs:
            for res in resources:
                if not any(
                    spec.selects(r.group, r.version, r.kind) and r.name == name for r in res.all_ids()
                ):
                    continue
                found = True

                def setter(c, key, count=count):
                    c[key] = count

                fs.walk(res.data, spec, setter, "scalar")
                _origin(res, k, spec.path.replace("/", "."), "replicas", i)
        if not found:
            raise k.error(f"resource with name {name} does not match a config for replicas", "replicas", i)
