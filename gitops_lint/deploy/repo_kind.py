"""Is this an application (source) repository with a deploy folder, rather than a GitOps config repository?

An application or tool repository keeps its build at the root (`go.mod`, `Cargo.toml`, `pom.xml`…, or
`package.json`/`pyproject.toml` beside source code) and its Kubernetes manifests under a deploy folder
(`deploy/`, `config/`, `manifests/`, `k8s/`, `charts/`…). Such a repository is linted for its GitOps part;
its Dockerfiles and source are the application itself, not application code in a config repository.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from gitops_lint.deploy.deployed_files import CONFIG_GROUPS, is_manifest
from gitops_lint.model.kustomizations import is_kustomization_file

CODE_SUFFIXES = (
    ".go",
    ".py",
    ".js",
    ".ts",
    ".java",
    ".kt",
    ".rb",
    ".rs",
    ".cs",
    ".php",
    ".scala",
    ".c",
    ".cpp",
)
# vendored code and the repository's own tooling (linters, docs, scripts) are not application code
NOT_APP_CODE_DIRS = ("node_modules", "vendor", "testdata", "third_party", "hack", "scripts", "tools", "docs")
ROOT_TOOLING = ("package.json", "requirements.txt", "pyproject.toml", "setup.py", "Gemfile")
# build files that make the root an application's; ROOT_TOOLING may be a config repository's own tooling,
# so with those, source code must be there too
# (GL107's configurable `markers` option is a different list: what it reports as application source)
BUILD_MARKERS = ("go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml", "composer.json", "mix.exs")
BUILD_SUFFIXES = (".csproj", ".sln", ".fsproj")
DEPLOY_DIRS = frozenset(
    "deploy deploys deployment deployments config manifests k8s kube kubernetes kustomize helm chart charts "
    "gitops ops install".split()
)
# folders whose manifests say nothing about the repository's kind (tests, examples, tooling)
NEUTRAL_DIRS = frozenset("test tests testdata e2e hack examples example docs samples sample tools scripts".split())


def is_source_repository(repo) -> bool:
    """Whether the repository is an application's, with its manifests only under deploy folders."""
    roots = [f for f in repo.files if "/" not in f]
    strong = any(f in BUILD_MARKERS or f.endswith(BUILD_SUFFIXES) for f in roots)
    weak = any(f in ROOT_TOOLING for f in roots)
    if not strong and not (weak and _has_source_code(repo.files)):
        return False
    judged = False  # some manifest outside neutral and dot folders, and every such one in a deploy folder
    for path in _manifest_files(repo):
        top = _top(path)
        if top in NEUTRAL_DIRS or top.startswith("."):
            continue
        if top not in DEPLOY_DIRS:
            return False
        judged = True
    return judged


def _manifest_files(repo) -> Iterator[str]:
    """Kustomization files, then the files of Kubernetes objects (not kustomize or plugin config), lazily
    (a file may come more than once): callers stop at the first that decides."""
    yield from (f for f in repo.files if is_kustomization_file(f))
    yield from (d.path for d in repo.documents if is_manifest(d, CONFIG_GROUPS))


def _top(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def _has_source_code(files: list[str]) -> bool:
    """Source files outside deploy, test and tooling folders (not only the root's tooling)."""
    skipped = DEPLOY_DIRS | NEUTRAL_DIRS
    return any(
        f.endswith(CODE_SUFFIXES) and "/" in f and _top(f) not in skipped and not _top(f).startswith(".")
        and not set(f.split("/")) & set(NOT_APP_CODE_DIRS)
        for f in files
    )


KUBEBUILDER_DIRS = ("crd", "manager", "rbac")  # beside config/default: a controller project's install manifests


def is_project_without_environments(repo) -> bool:
    """A project's own manifests, not a GitOps config repository: every kustomization and manifest is an
    example or a test input (kustomize's `examples/`), or the repository is a kubebuilder controller
    project (`config/default` beside `config/{crd,manager,rbac}` or `config/components/…`: install manifests
    users deploy). Decided once per run."""
    return bool(repo.derived(_project_without_environments))


def _project_without_environments(repo) -> bool:
    kubebuilder = [k for k in repo.kustomizations if k == "config/default" or k.endswith("/config/default")]
    if any(sum(repo.tree.is_dir(posixpath.join(posixpath.dirname(k), sub, d)) for d in KUBEBUILDER_DIRS) >= 2
           for k in kubebuilder for sub in ("", "components")):
        return True
    found = False
    for path in _manifest_files(repo):
        if not set(path.split("/")[:-1]) & NEUTRAL_DIRS:
            return False  # a manifest outside examples, tests and tooling
        found = True
    return found
