"""What each YAML file of a repository is, decided once per file with a reason.

The repository alone tells most of it: a file is a Go/Helm template, a test fixture, a tool's
configuration, a Helm values file, a kustomize patch or generator input, or sits where nothing deploys
it (a dot-directory, a kustomization commented out of its parent: kubebuilder scaffolding). What
remains is a manifest; `gitops_lint.deploy.file_roles` then asks the operators whether something
deploys it. Every rule that judges manifests (schemas, secrets in objects, workloads, deprecated APIs,
orphans) reads these roles, so they agree about which files they judge.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeGuard

from gitops_lint.core.loader import UNSAFE_CONTENT, Document, ParsedFile
from gitops_lint.core.source import PathEscapesRoot, dirs_holding, normalize, parent_dirs, parent_of
from gitops_lint.model.kustomizations import KUSTOMIZATION_FILES, Kustomization

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository


class Role(str, Enum):
    """Why a file is (or is not) judged as a deployed manifest."""

    DEPLOYED = "deployed"  # read by a kustomization root or an operator path
    MANIFEST = "manifest"  # a manifest nothing is known to deploy, that may be applied directly
    GENERATOR_INPUT = "generator input"
    PATCH = "patch"
    TEMPLATE = "template"
    FIXTURE = "fixture"
    TOOL_CONFIG = "tool config"
    VALUES = "values file"
    NOT_DEPLOYED = "not deployed"


JUDGED = (Role.DEPLOYED, Role.MANIFEST)


@dataclass(frozen=True)
class FileRole:
    """A file's role and the reason for it, in words a user can check."""

    role: Role
    reason: str
    orphan: bool = False  # a manifest left where it would be deployed but is not (GL105 reports it)
    root: bool = False  # a kustomization root (an orphan root's build is not judged: GL105 says it once)
    by_name: bool = False  # the role is guessed from the file's name alone (`invalid.yaml`), not its place

    @property
    def judged(self) -> bool:
        """Whether rules that judge complete manifests (schemas, workloads…) look at this file. An orphan
        (a manifest left out of the kustomization or operator path it sits in) is judged too: it is
        meant to be deployed, and GL105 says once that it is not."""
        return self.role in JUDGED or (self.orphan and not self.root)

    @property
    def is_configuration(self) -> bool:
        """Whether the file is configuration a deployment uses (secret rules in objects look at these):
        what is judged, plus patches and generator inputs (their content is deployed, partially)."""
        return self.judged or self.role in (Role.PATCH, Role.GENERATOR_INPUT)


FIXTURE_DIRS = {"testdata", "test-data", "test_data", "fixtures", "fixture", "__fixtures__", "e2e"}
TEST_TOP_DIRS = {"test", "tests"}
ENVIRONMENT_NAMES = {"prod", "production", "prd", "live", "staging", "stage", "stg", "dev", "development", "qa",
                     "uat", "preprod", "pre-production"}  # a top-level test tree of a source repository
TOOL_API_PREFIXES = ("skaffold/", "kind.x-k8s.io/", "ctlptl.dev/", "kpt.dev/", "fn.kpt.dev/",
                     "config.kubernetes.io/", "builtin", "talos.dev/")
TOOL_FILE_NAMES = {"skaffold.yaml", "skaffold.yml", "kind-config.yaml", "kind.yaml", "talconfig.yaml",
                   "install-config.yaml", "controlplane.yaml", "worker.yaml", "ctlptl.yaml"}
TOOL_DIRS = {"talos"}
DEV_TOOLING_TOP_DIRS = {"hack"}  # top-level only: `hack/` holds a project's scripts and dev-loop manifests
FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")
GENERATOR_FIELDS = ("configMapGenerator.files", "configMapGenerator.envs", "secretGenerator.files",
                    "secretGenerator.envs")
PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902", "replacements", "transformers",
                "generators", "validators", "configurations", "crds", "openapi")
_TEMPLATE_LINE = re.compile(r"^\s*\{\{-?\s*(?:/\*|if\b|else\b|end\b|range\b|with\b|define\b|include\b|"
                            r"template\b|toYaml\b)", re.MULTILINE)  # template actions on a line of their own
_UNQUOTED_VALUE = re.compile(r"^[^#\n'\"]*:[ \t]+\{\{", re.MULTILINE)  # `name: {{ .Name }}`: a template
_HELM_VALUE = re.compile(r"\{\{-?[^}]*\.(?:Values|Release|Chart|Capabilities)\b")
_TEMPLATE_VALUE = re.compile(r"\{\{.*?\}\}")
_COMMENTED_REF = re.compile(r"^[ \t]*#+[ \t]*-?[ \t]*(?:path:[ \t]*)?([\w./-]+?)[ \t]*(?:#.*)?$", re.MULTILINE)
_INVALID_NAME = re.compile(r"(?:^|[-_.])(?:invalid|broken|malformed)(?:[-_.]|$)", re.IGNORECASE)
_VALUES_NAME = re.compile(r"(^|[-_.])values([-_.][\w.-]*)?\.ya?ml$")


def file_roles(repo: Repository) -> dict[str, FileRole]:
    """Path → role for every parsed YAML file, from the repository alone (built once per run)."""
    return repo.derived(_build)


def static_role(repo: Repository, path: str) -> FileRole:
    """The repository-level role of one file (MANIFEST for any file not otherwise explained)."""
    return file_roles(repo).get(path) or _classify(repo, path, repo.derived(_Refs))


DECLINED_KEYS = ("size", "depth")  # unsafe-content keys of the tool's own limits, not a defect of the file


def declined_files(repo: Repository) -> dict[str, str]:
    """Path → why the tool declined to read it (over its size or nesting limit): not checked at all."""
    return {v.path: v.message for v in repo.load_violations if v.kind == UNSAFE_CONTENT and v.key in DECLINED_KEYS}


def unapplied_files(repo: Repository) -> frozenset[str]:
    """Files whose objects are never applied as written: patches, generator inputs, templates, fixtures,
    tool configs, values files, dot-directories and kustomizations commented out of their parent (once a run)."""
    return repo.derived(_unapplied)


def _unapplied(repo: Repository) -> frozenset[str]:
    return frozenset(path for path, role in file_roles(repo).items() if not role.judged)


def skipped_root(repo: Repository, directory: str) -> FileRole | None:
    """Why a kustomization root is not built as a deployment (a fixture, a template…), or None."""
    k = repo.kustomizations.get(directory)
    if k is None:
        return None
    role = static_role(repo, k.path)
    return role if role.role in (Role.FIXTURE, Role.TEMPLATE, Role.NOT_DEPLOYED, Role.TOOL_CONFIG) else None


def judged_kustomizations(repo: Repository) -> list[Kustomization]:
    """Kustomizations that are meant to build: not test fixtures (`testdata/`, e2e inputs generated at
    test time), templates, tool configs or kustomizations nothing deploys by construction (a
    dot-directory, commented out of its parent)."""
    return [k for k in repo.kustomizations.values() if skipped_root(repo, k.dir) is None]


class _Refs:
    """What kustomizations read, and what they mention only in comments."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.generator_inputs: dict[str, str] = {}
        self.patches: dict[str, str] = {}
        self.resources: set[str] = set()
        self.read_from_outside: set[str] = set()  # top-level directories a kustomization elsewhere reads
        for k in repo.kustomizations.values():
            own_top = k.path.split("/", 1)[0]
            for r in k.references:
                if r.target is None:
                    continue
                top = r.target.split("/", 1)[0]
                if top != own_top:
                    self.read_from_outside.add(top)
                if r.field in GENERATOR_FIELDS:
                    self.generator_inputs.setdefault(r.target, k.path)
                elif r.field in PATCH_FIELDS:
                    self.patches.setdefault(r.target, k.path)
                else:
                    self.resources.add(r.target)
        self.read_roles = _read_roles(self.generator_inputs, self.patches)
        self.resource_dirs = {r for r in self.resources if r not in repo.kustomizations and repo.tree.is_dir(r)}
        self.commented = _commented_out(repo, self.resources)
        self.subdirs: dict[str, set[str]] = {}
        for d in repo.tree._dirs():
            if d:
                parent, _, name = d.rpartition("/")
                self.subdirs.setdefault(parent, set()).add(name.lower())
        self.charts = dirs_holding(repo.files, "Chart.yaml")
        self._places: dict[str, _Place] = {}  # directory → what its place alone says (filled on first use)

    def beside_environments(self, parent: str) -> bool:
        """Whether `parent` also holds environment directories (`clusters/{e2e,production}`): then a
        `test`/`e2e` directory there is an environment that is deployed, not a test fixture."""
        return bool(self.subdirs.get(parent, set()) & ENVIRONMENT_NAMES)

    def lists(self, path: str) -> bool:
        """Whether a kustomization lists `path` as a resource (itself, or a plain directory above it)."""
        return path in self.resources or self.place(parent_of(path)).listed

    def place(self, directory: str) -> _Place:
        """The facts about a file that its directory alone decides (memoised per directory)."""
        place = self._places.get(directory)
        if place is None:
            place = self._places[directory] = _Place(self, directory)
        return place


def _read_roles(generator_inputs: dict[str, str], patches: dict[str, str]) -> dict[str, FileRole]:
    """Path → its role as a generator input (first) or a patch, one role per kustomization that reads them."""
    shared: dict[tuple[Role, str], FileRole] = {}
    roles: dict[str, FileRole] = {}
    for role, reads, words in ((Role.PATCH, patches, "a patch (or transformer configuration) of"),
                               (Role.GENERATOR_INPUT, generator_inputs, "an input of a generator in")):
        for path, by in reads.items():
            if (role, by) not in shared:
                shared[role, by] = FileRole(role, f"{words} {by}")
            roles[path] = shared[role, by]  # a generator input that is also a patch is a generator input
    return roles


class _Place:
    """What a directory tells about every file in it: a fixture, tool or dev-tooling tree, listed by a
    kustomization, inside a Helm chart, a `templates/` or `patches/` directory, a dot-directory, commented out
    of a kustomization, beside a kustomization."""

    def __init__(self, refs: _Refs, directory: str) -> None:
        segments = directory.split("/") if directory else []
        lowered = [s.lower() for s in segments]
        self.role = _place_role(refs, segments, lowered)  # decided before anything but the template check
        self.listed = bool(refs.resource_dirs) and any(d in refs.resource_dirs for d in parent_dirs(directory))
        self.patches = "patches" in segments
        self.chart = _chart_of(directory, refs.charts)
        self.templates = "templates" in segments
        self.dot = next((s for s in segments if s.startswith(".")), None)
        self.commented = _commented_ancestor(directory, refs.commented)
        self.beside = refs.repo.kustomizations.get(directory)


def _place_role(refs: _Refs, segments: list[str], lowered: list[str]) -> FileRole | None:
    """A fixture, Talos or top-level development-tooling directory (files in it are none of those
    only when they are templates, which is checked first)."""
    fixture = next((i for i, s in enumerate(lowered) if s in FIXTURE_DIRS), None)
    if fixture is None and len(segments) > 1 and lowered[0] in TEST_TOP_DIRS:
        fixture = 0
    if fixture is not None and not refs.beside_environments("/".join(segments[:fixture])):
        return FileRole(Role.FIXTURE, f"a test fixture (under `{segments[fixture]}/`): input of a test, not a deployment")
    if any(s in TOOL_DIRS for s in lowered):
        return FileRole(Role.TOOL_CONFIG, "under a Talos directory: machine configuration and the manifests "
                                          "Talos applies at bootstrap, not an operator's")
    if segments and segments[0] in DEV_TOOLING_TOP_DIRS and segments[0] not in refs.read_from_outside:
        return FileRole(Role.TOOL_CONFIG, f"under the top-level `{segments[0]}/`: development tooling (the "
                                          "Kubernetes projects' convention, built by dev loops such as Tilt), "
                                          "not what an operator deploys")
    return None


def _commented_out(repo: Repository, referenced: set[str]) -> dict[str, str]:
    """Paths a kustomization lists only in a comment (`#- ../prometheus`), and nothing includes."""
    out: dict[str, str] = {}
    for directory, k in repo.kustomizations.items():
        text = repo.text(k.path) or ""
        if "#" not in text:
            continue  # no comment, nothing commented out
        for match in _COMMENTED_REF.finditer(text):
            try:
                target = normalize(posixpath.join(directory, match.group(1)))
            except PathEscapesRoot:
                continue
            exists = repo.tree.is_dir(target) or repo.tree.is_file(target)
            if target and exists and target not in referenced and target != directory:
                out.setdefault(target, k.path)
    return out


def _build(repo: Repository) -> dict[str, FileRole]:
    refs = repo.derived(_Refs)
    return {path: _classify(repo, path, refs, parsed) for path, parsed in repo.parsed_files.items()}


_KUSTOMIZATION = FileRole(Role.MANIFEST, "a kustomization")
_MANIFEST = FileRole(Role.MANIFEST, "a manifest")


def _classify(repo: Repository, path: str, refs: _Refs, parsed: ParsedFile | None = None) -> FileRole:
    directory, _, name = path.rpartition("/")
    if parsed is None:  # a file the build did not hand over (`static_role` of an unparsed path)
        parsed = repo.parsed(path)
    docs = [d for d in parsed.documents if isinstance(d.data, dict)] if parsed is not None else []
    text = parsed.text if parsed is not None else None
    if text and ("{{" in text or "\\" in text) and _template_file(text, parsed, docs):  # else: no template
        return FileRole(Role.TEMPLATE, "a Go/Helm template (`{{ … }}`): not YAML until a tool renders it")
    place = refs.place(directory)
    if place.role is not None:
        return place.role
    if name.startswith("."):
        return FileRole(Role.TOOL_CONFIG, f"the dot-file `{name}`: a tool's configuration (sops, Argo CD "
                                          "parameter overrides, schema plugins), not a Kubernetes object")
    if docs and all(map(_tool_config, docs)) or name in TOOL_FILE_NAMES and not _k8s(docs):
        return FileRole(Role.TOOL_CONFIG, "a tool's configuration (skaffold, kind, Talos, installer, "
                                          "kpt/kyaml function), not a Kubernetes object")
    if "values" in name and _VALUES_NAME.search(name) and not _k8s(docs):
        return FileRole(Role.VALUES, "a Helm values file: input of a chart, not a Kubernetes object")
    read = refs.read_roles.get(path)  # a generator input or a patch
    if read is not None:
        return read
    listed = path in refs.resources or place.listed
    if not listed:
        unlisted = _unlisted_role(name, place, text, docs)
        if unlisted is not None:
            return unlisted
    if place.dot is not None:
        return FileRole(Role.NOT_DEPLOYED, f"in the dot-directory `{place.dot}/`, which nothing deploys")
    commented = (path, refs.commented[path]) if path in refs.commented else place.commented
    if commented is not None:
        target, by = commented
        return FileRole(Role.NOT_DEPLOYED, f"`{target}` is commented out of {by}")
    if name in KUSTOMIZATION_FILES:
        return _KUSTOMIZATION
    if place.beside is not None and not listed:
        return FileRole(Role.NOT_DEPLOYED, f"beside {place.beside.path}, which does not list it", orphan=True)
    return _MANIFEST


def _unlisted_role(name: str, place: _Place, text: str | None, docs: list[Document]) -> FileRole | None:
    """The role of a file no kustomization lists, from its name, content or chart (None: not decided here)."""
    if _INVALID_NAME.search(name):
        return FileRole(Role.FIXTURE, "named as an invalid input (`invalid.yaml`, `…-broken.yaml`) that no "
                                      "kustomization lists: the input of a test or an example of an error",
                        by_name=True)
    if "patch" in name.lower() or place.patches:
        return FileRole(Role.PATCH, "placed and named as a kustomize patch (a partial object)")
    if text and "$" in text and any(d in text for d in ("$patch:", "$setElementOrder/", "$deleteFromPrimitiveList/")):
        return FileRole(Role.PATCH, "a strategic-merge patch (it has `$patch` directives)")
    if place.chart is not None:
        return FileRole(Role.DEPLOYED, f"part of the Helm chart in {place.chart or '.'}/ (Helm installs it)")
    if place.templates and not _k8s(docs):
        return FileRole(Role.TEMPLATE, "a template fragment under `templates/` (no apiVersion or metadata): "
                                       "a tool assembles it, nothing applies it as written")
    return None


def _chart_of(directory: str, charts: set[str]) -> str | None:
    return next((d for d in parent_dirs(directory, with_root=True) if d in charts), None) if charts else None


def _commented_ancestor(directory: str, commented: dict[str, str]) -> tuple[str, str] | None:
    if not commented:
        return None
    hit = next((d for d in parent_dirs(directory) if d in commented), None)
    return (hit, commented[hit]) if hit is not None else None


def is_template_text(text: str | None) -> TypeGuard[str]:
    """Whether text holds Go/Helm template markers (`{{- if … }}` lines, `.Values`, `key: {{ … }}`)."""
    return text is not None and "{{" in text and any(_template_markers(text))


def _template_markers(text: str) -> Iterator[str]:
    for pattern in (_TEMPLATE_LINE, _HELM_VALUE, _UNQUOTED_VALUE):
        yield from (m.group(0).strip() for m in pattern.finditer(text))


def _template_file(text: str | None, parsed: ParsedFile | None, docs: list[Document]) -> bool:
    """Template markers outside YAML strings (a `{{ }}` inside a block scalar is data: an ApplicationSet's
    templatePatch, a PrometheusRule's description), or identity fields written as templates."""
    if text is None or "{{" not in text:  # a parsed string holds `{{` only where its text does, or by an escape
        return text is not None and "\\" in text and any(_templated_identity(d) for d in docs)  # `"\\x7b{"`
    if not any(_template_markers(text)):
        return any(_templated_identity(d) for d in docs)
    if parsed is None or not docs or parsed.violations:
        return True
    scalars = [s for d in docs for s in _strings(d.data) if "{{" in s]
    outside = any(not any(marker in s for s in scalars) for marker in _template_markers(text))
    return outside or any(_templated_identity(d) for d in docs)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _templated_identity(doc: Document) -> bool:
    """apiVersion, kind, name or namespace written as a template (`name: {{ .Release.Name }}`)."""
    data = doc.data  # a mapping (read directly: this runs for every document of the repository)
    metadata = data.get("metadata")
    values = [data.get("apiVersion"), data.get("kind")]
    if isinstance(metadata, dict):
        values += [metadata.get("name"), metadata.get("namespace")]
    return any(isinstance(v, str) and "{{" in v and _TEMPLATE_VALUE.search(v) for v in values)


def _k8s(docs: list[Document]) -> bool:
    return any(_text_field(d.data, "apiVersion") and _text_field(d.data, "kind")
               and isinstance(d.data.get("metadata"), dict) for d in docs)


def _text_field(data: dict, key: str) -> str:
    """A string field of a mapping ("" when absent or not a string), as `Document.api_version` reads it."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _tool_config(doc: Document) -> bool:
    data = doc.data
    api = _text_field(data, "apiVersion")
    if api.startswith(TOOL_API_PREFIXES) or (api == "v1" and "baseDomain" in data and not _text_field(data, "kind")):
        return True  # skaffold, kind, ctlptl, kpt, Talos; OpenShift's install-config (apiVersion v1, no kind)
    if not api and "machine" in data and "cluster" in data:
        return True  # a Talos machine config
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return isinstance(annotations, dict) and any(k in annotations for k in FUNCTION_ANNOTATIONS)
