"""Kustomization roots whose build selects no pod beyond what the Service documents they read select.

A Service's build differs from its source document only by what the kustomizations set on it. When a
root's kustomizations (the root, its bases and its components) only add selector labels that agree
with each Service's own selector, set a namespace only on Services that have none, and patch only
other kinds, each Service it renders selects a subset of the pods its source document (which is read
as written, like every Service document of the repository) selects, with the same ports. GL705 reads
Services across the repository: a shard leaves such roots of other shards unrendered, and renders the
others (`checks/services.py`). Anything this module cannot judge without building (a regex patch
target, a replacement, a generator plugin, a Helm chart, a remote or unparsed resource, a `List`)
counts as a root to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_lint.core.datapath import as_dict, as_list
from gitops_lint.core.loader import Document, ParsedFile, parse_text
from gitops_lint.model.kustomizations import Kustomization, is_kustomization_file

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository

# fields that cannot change a Service's selector, namespace or ports beyond the checks below
_KNOWN_FIELDS = frozenset({
    "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "commonLabels", "labels",
    "commonAnnotations", "namePrefix", "images", "replicas", "configMapGenerator", "secretGenerator",
    "generatorOptions", "sortOptions", "patches", "patchesStrategicMerge", "patchesJson6902",
})


def renders_services_as_written(repo: Repository, root: str) -> bool:
    """Whether every Service the build of `root` yields selects only pods its source document selects,
    in its namespace, through the same ports (see the module docstring); False when not sure."""
    labels: dict[str, str] = {}
    namespaces: set[str] = set()
    services: list[Document] = []
    memo = repo.derived(_contributions)
    for directory in repo.reachable_kustomizations(root):
        if directory not in memo:
            memo[directory] = _contribution(repo, repo.kustomizations[directory])
        found = memo[directory]
        if found is None:
            return False
        for key, value in found.labels.items():
            if labels.setdefault(key, value) != value:
                return False
        namespaces |= {found.namespace} if found.namespace else set()
        services += found.services
    return all(_narrowed_only(d, labels, namespaces) for d in services)


@dataclass(frozen=True)
class _Contribution:
    """What one kustomization does to the Services of a build: the selector labels it adds, the namespace
    it sets, and the Service documents it lists as resources."""

    labels: dict[str, str]
    namespace: str | None
    services: tuple[Document, ...]


def _contributions(repo: Repository) -> dict[str, _Contribution | None]:
    """Kustomization directory → its `_Contribution` (None: not judged without building), filled as
    roots are asked about: bases and components are shared by many roots (one per run)."""
    return {}


def _contribution(repo: Repository, k: Kustomization) -> _Contribution | None:
    data = k.data
    targets = {r.value: r.target for r in k.references}  # entry as written → repo path (None: remote, escaping)
    if k.document is None or not _KNOWN_FIELDS.issuperset(data) or not _patches_spare_services(repo, k, targets):
        return None
    added = _selector_labels(data)
    resources = _resource_documents(repo, k, targets)
    namespace = data.get("namespace")
    if added is None or resources is None or not isinstance(namespace, (str, type(None))):
        return None
    if any(str(d.kind).endswith("List") for d in resources):
        return None
    return _Contribution(added, namespace, tuple(d for d in resources if d.kind == "Service"))


def _narrowed_only(doc: Document, labels: dict[str, str], namespaces: set[str]) -> bool:
    """A Service keeps its selection when the labels added to its selector agree with it (an empty
    selector must stay empty) and a namespace is set only where it had none or the same."""
    selector = as_dict(as_dict(doc.data.get("spec")).get("selector"))
    if not selector and labels:
        return False
    if any(key in selector and selector[key] != value for key, value in labels.items()):
        return False
    own = as_dict(doc.data.get("metadata")).get("namespace")
    return not own or namespaces <= {own}


def _selector_labels(data: dict) -> dict[str, str] | None:
    """The labels a kustomization adds to selectors (commonLabels, labels with includeSelectors); None
    when they are not plain strings."""
    maps = [data.get("commonLabels", {})]
    for entry in as_list(data.get("labels")):
        if not isinstance(entry, dict):
            return None
        if entry.get("includeSelectors"):
            maps.append(entry.get("pairs", {}))
    out: dict[str, str] = {}
    for pairs in maps:
        if not isinstance(pairs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items()):
            return None
        out.update(pairs)
    return out


def _resource_documents(repo: Repository, k: Kustomization, targets: dict[str, str | None]) -> list[Document] | None:
    """The documents of the files a kustomization lists as resources (None when one is remote, outside
    the repository, not a parsed file or a directory without a kustomization)."""
    out: list[Document] = []
    for name in ("resources", "bases"):
        for entry in as_list(k.data.get(name)):
            path = _path(targets, entry)
            if path is None:
                return None
            if path in repo.kustomizations:
                continue
            parsed = repo.parsed(path)
            if parsed is None or is_kustomization_file(path):  # not among the repository's Service documents
                return None
            out += [d for d in parsed.documents if isinstance(d.data, dict)]
    return out


def _path(targets: dict[str, str | None], entry: object) -> str | None:
    """The repository path a kustomization's entry names, from its indexed references (None when not a
    non-empty string, remote or outside the repository)."""
    return targets.get(entry) if isinstance(entry, str) else None


def _patches_spare_services(repo: Repository, k: Kustomization, targets: dict[str, str | None]) -> bool:
    """Whether no patch of the kustomization can reach a Service: each names a plain kind other than
    Service, in its target or (a strategic merge patch without one) in every document."""
    data = k.data
    for entry in as_list(data.get("patches")) + as_list(data.get("patchesJson6902")):
        if not isinstance(entry, dict):
            return False
        if "target" in entry:
            if not _spares(as_dict(entry.get("target")).get("kind")):
                return False
        elif not _documents_spare(_patch_documents(repo, k, targets, entry.get("path"), entry.get("patch"))):
            return False
    for entry in as_list(data.get("patchesStrategicMerge")):
        inline = isinstance(entry, str) and "\n" in entry
        found = _patch_documents(repo, k, targets, None if inline else entry, entry if inline else None)
        if not _documents_spare(found):
            return False
    return True


def _patch_documents(repo: Repository, k: Kustomization, targets: dict[str, str | None], path: object,
                     inline: object) -> list | None:
    parsed: ParsedFile | None
    if isinstance(inline, str) and path is None:
        parsed = parse_text(f"{k.path} (inline patch)", inline, repo.config.limits)
    else:
        target = _path(targets, path)
        parsed = repo.parsed(target) if target is not None else None
    if parsed is None or parsed.violations:
        return None
    return [d.data for d in parsed.documents]


def _documents_spare(documents: list | None) -> bool:
    return documents is not None and bool(documents) and all(
        isinstance(d, dict) and _spares(d.get("kind")) for d in documents)


def _spares(kind: object) -> bool:
    """A plain kind name (ASCII letters and digits: a patch target's kind is a regular expression) other
    than Service."""
    return isinstance(kind, str) and kind.isascii() and kind.isalnum() and kind != "Service"
