"""configMapGenerator / secretGenerator, and kustomize's content hash for generated names."""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath

from gitops_lint.core.datapath import as_dict
from gitops_lint.render.errors import RenderError
from gitops_lint.render.kustomization import Kustomization, string_map, truthy


def _go_json(value) -> str:
    """JSON as Go's encoding/json writes it: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _encode_hash(hexdigest: str) -> str:
    return hexdigest[:10].translate(str.maketrans("013ae", "ghkmt"))


def content_hash(data: dict) -> str:
    """The suffix kustomize appends to a generated ConfigMap/Secret name.

    kustomize's hasher looks the name up as a single field called "metadata/name", so the name it
    hashes is always empty; a missing map hashes as "" and optional maps count only when present.
    """
    kind = data.get("kind")
    if kind == "ConfigMap":
        m = {"kind": "ConfigMap", "name": "", "data": _field(data, "data")}
        if isinstance(data.get("binaryData"), dict):
            m["binaryData"] = data["binaryData"]
    elif kind == "Secret":
        m = {"kind": "Secret", "type": _field(data, "type"), "name": "", "data": _field(data, "data")}
        if isinstance(data.get("stringData"), dict):
            m["stringData"] = data["stringData"]
    else:
        raise RenderError(
            f"cannot compute a name hash for kind {kind!r}; only ConfigMap and Secret are supported"
        )
    return _encode_hash(hashlib.sha256(_go_json(m).encode("utf-8")).hexdigest())


def _field(data: dict, key: str):
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return value
    return value if isinstance(value, str) else json.dumps(value)


def merged_options(k: Kustomization, generator: dict) -> dict:
    """Per-generator options with the kustomization's generatorOptions merged in (local wins)."""
    local = as_dict(generator.get("options"))
    glob = as_dict(k.raw.get("generatorOptions"))
    labels = {**string_map(glob.get("labels")), **string_map(local.get("labels"))}
    annotations = {**string_map(glob.get("annotations")), **string_map(local.get("annotations"))}
    return {
        "labels": labels,
        "annotations": annotations,
        "disableNameSuffixHash": truthy(local.get("disableNameSuffixHash"))
        or truthy(glob.get("disableNameSuffixHash")),
        "immutable": truthy(local.get("immutable")) or truthy(glob.get("immutable")),
    }


class Reader:
    """Reads generator inputs through the build's file loader (load restriction applies)."""

    def __init__(self, read_bytes, k: Kustomization):
        self.read_bytes = read_bytes  # (relative path, kustomization) -> (resolved path, bytes)
        self.k = k

    def pairs(self, generator: dict, what: str) -> list[tuple[str, str | bytes]]:
        out: list[tuple[str, str | bytes]] = []
        for env in _sources(generator, "envs", what):
            _, raw = self.read_bytes(str(env), self.k)
            out.extend(_env_pairs(raw, str(env)))
        for lit in _sources(generator, "literals", what):
            out.append(_literal(str(lit)))
        for f in _sources(generator, "files", what):
            key, _, rel = str(f).rpartition("=")
            if not rel:
                raise RenderError(f"{what}: file source {f!r} has an empty path")
            _, raw = self.read_bytes(rel, self.k)
            out.append((key or posixpath.basename(rel), raw))
        return out


def _sources(generator: dict, field: str, what: str) -> list:
    value = generator.get(field)
    if value is not None and not isinstance(value, list):
        raise RenderError(f"{what}: `{field}` must be a list, not {type(value).__name__}")
    return value or []


def encode_base64(raw: bytes) -> str:
    """base64 as kustomize writes generated data: 70-character lines, each newline-terminated once
    the encoding reaches 70 characters."""
    text = base64.b64encode(raw).decode("ascii")
    if len(text) < 70:
        return text
    return "".join(text[i : i + 70] + "\n" for i in range(0, len(text), 70))


def _literal(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise RenderError(f"invalid literal source {text!r}, expected key=value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return key, value


def _env_pairs(raw: bytes, name: str) -> list[tuple[str, str]]:
    out = []
    for i, line in enumerate(raw.split(b"\n")):
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise RenderError(f"{name}: line {i + 1} has invalid utf8 bytes") from None
        if i == 0:
            text = text.removeprefix("\ufeff")
        text = text.lstrip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition("=")
        if key:
            out.append((key, value if sep else ""))
    return out


def make_generated(k: Kustomization, generator: dict, kind: str, reader: Reader) -> tuple[dict, bool, str]:
    """(object, needs hash suffix, behavior) for one generator entry."""
    name = generator.get("name")
    if not isinstance(name, str) or not name:
        raise k.error(
            f"a {kind} generator needs a name",
            "configMapGenerator" if kind == "ConfigMap" else "secretGenerator",
        )
    behavior = generator.get("behavior")
    if behavior is not None and not isinstance(behavior, str):
        raise k.error(f"invalid generator behavior {behavior!r} for {kind} {name}: not a string")
    if behavior not in ("merge", "replace"):  # kustomize treats any other value (`add`, `Merge`) as create
        behavior = "create"
    options = merged_options(k, generator)
    meta: dict = {"name": name}
    ns = generator.get("namespace")
    if ns:
        meta["namespace"] = str(ns)
    if options["labels"]:
        meta["labels"] = dict(options["labels"])
    if options["annotations"]:
        meta["annotations"] = dict(options["annotations"])
    obj: dict = {"apiVersion": "v1", "kind": kind, "metadata": meta}
    if kind == "Secret":
        obj["type"] = str(generator.get("type") or "Opaque")
    data: dict = {}
    binary: dict = {}
    for key, value in reader.pairs(generator, f"{kind} {name}"):
        if key in data or key in binary:
            raise k.error(f"{kind.lower()} {name} illegally repeats the key `{key}`")
        if kind == "Secret":
            raw = value if isinstance(value, bytes) else value.encode("utf-8")
            data[key] = encode_base64(raw)
        elif isinstance(value, bytes):
            try:
                data[key] = value.decode("utf-8")
            except UnicodeDecodeError:
                binary[key] = encode_base64(value)
        else:
            data[key] = value
    if data or kind == "Secret":
        obj["data"] = {key: data[key] for key in sorted(data)}
    if binary:
        obj["binaryData"] = {key: binary[key] for key in sorted(binary)}
    if options["immutable"]:
        obj["immutable"] = True
    return obj, not options["disableNameSuffixHash"], behavior
