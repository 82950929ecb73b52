"""Process hygiene rules (GL902–GL905): CI that pushes to clusters, manual apply scripts, review of
production changes (CODEOWNERS) and drift alerting. GL901 lives in `checks.operators`."""

from __future__ import annotations

import fnmatch
import functools
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.checks.operators import OPERATOR_KINDS
from gitops_lint.core.findings import Position, Violation
from gitops_lint.core.source import parent_dirs
from gitops_lint.deploy.file_roles import judged
from gitops_lint.deploy.repo_kind import is_project_without_environments
from gitops_lint.hygiene import codeowners
from gitops_lint.hygiene.ci_commands import comment_style, scan
from gitops_lint.hygiene.ci_units import CallGraph, Unit, job_units, script_units

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext
    from gitops_lint.model.repository import Repository

CI_FILES = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".gitlab-ci.yml",
    ".gitlab-ci.yaml",
    ".gitlab/ci/*.yml",
    ".gitlab/ci/*.yaml",
    "Jenkinsfile",
    "*/Jenkinsfile",
    "Jenkinsfile.*",
    "*/Jenkinsfile.*",
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    ".azure-pipelines/*.yml",
    ".azure-pipelines/*.yaml",
    "bitbucket-pipelines.yml",
    ".circleci/config.yml",
    ".circleci/config.yaml",
    ".github/actions/*/action.yml",  # composite actions run from workflows
    ".github/actions/*/action.yaml",
)
SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".mk", ".ps1")
SCRIPT_NAMES = frozenset({
    "Makefile",
    "makefile",
    "GNUmakefile",
    "justfile",
    "Justfile",
    ".justfile",
    "Taskfile.yml",
    "Taskfile.yaml",
    "Taskfile.dist.yml",
    "Taskfile.dist.yaml",
})
# GitHub Actions and Azure Pipelines tasks that deploy to, or hand CI the credentials of, a cluster
DEPLOY_ACTIONS = (
    "azure/k8s-deploy",
    "azure/k8s-set-context",
    "azure/aks-set-context",
    "azure/k8s-bake",
    "google-github-actions/get-gke-credentials",
    "google-github-actions/deploy-gke",
    "deliverybot/helm",
    "steebchen/kubectl",
    "actions-hub/kubectl",
    "wahyd4/kubectl-helm-action",
    "koslib/helm-eks-action",
    "bitovi/github-actions-deploy-eks-helm",
    "ianbelcher/eks-kubectl-action",
    "kodermax/kubectl-aws-eks",
    "tale/kubectl-action",
    "digitalocean/action-doctl",
)
_VENDORED = {"vendor", "node_modules", "third_party", "third-party", ".terraform"}
_AZURE_TASKS = ("Kubernetes@", "KubernetesManifest@", "HelmDeploy@")


_CI_HINTS = (
    ".github/",
    ".gitlab",
    ".circleci/",
    ".azure-pipelines/",
    "azure-pipelines.",
    "bitbucket-pipelines.",
)


def _is_ci(path: str) -> bool:
    if not path.startswith(_CI_HINTS) and "Jenkinsfile" not in path:
        return False  # cheap pre-filter: most files of a large repository are no CI files
    return any(fnmatch.fnmatchcase(path, p) for p in CI_FILES)


def _is_script(path: str) -> bool:
    if not (path.endswith(SCRIPT_SUFFIXES) or path.rpartition("/")[2] in SCRIPT_NAMES):
        return False
    return not any(part in _VENDORED for part in path.split("/")[:-1])  # not someone else's code, vendored in


def _call_graph(repo) -> CallGraph:
    """Jobs, scripts and targets of the repository and who calls whom (built once per repository)."""
    return repo.derived(_build_call_graph)


def _build_call_graph(repo: Repository) -> CallGraph:
    units, texts = [], {}
    for path in repo.files:
        ci = _is_ci(path)
        if not ci and not _is_script(path):
            continue
        text = repo.text(path)
        if not text:
            continue
        lines = text.splitlines()
        texts[path] = lines
        if ci:
            parsed = repo.parsed(path)
            doc = parsed.documents[0] if parsed and parsed.documents else None
            jobs = [(str(k[-1]), doc.position(k, key=True).line) for k in _job_keys(doc, path)] if doc else []
            units += job_units(path, lines, jobs)
        else:
            units += script_units(path, lines)
    return CallGraph(units, texts, set(texts))


def _unit_violation(unit: Unit, found: list[tuple[Position, str]], message) -> Violation:
    """One violation per job, script or target, listing what it runs with the lines."""
    found = sorted(found)
    shown = [f"{what} (line {pos.line})" for pos, what in found[:_SHOWN]]
    more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    where = f"{unit.path} {unit.label}" if unit.label else unit.path
    return Violation(unit.path, message(where, ", ".join(shown) + more), found[0][0],
                     key=f"{unit.label or 'file'}")


_SHOWN = 8


# -- GL902 ----------------------------------------------------------------------------------------------
def ci_pushes_to_cluster(ctx: CheckContext) -> Iterator[Violation]:
    """GL902: CI jobs that apply to a cluster or hold its credentials (one finding per job)."""
    repo = ctx.repo
    graph = _call_graph(repo)
    for unit in graph.units:
        if not _is_ci(unit.path) or unit in graph.exempt:
            continue
        text = repo.text(unit.path) or ""
        commands = [(Position(c.line, c.column), f"`{c.name}`")
                    for c in scan(text, comment_style(unit.path), unit.first, unit.last)]
        found = commands + list(_ci_credentials(unit, text))
        if found:
            does = "changes a cluster from CI" if commands else "gives CI the credentials of a cluster"
            yield _unit_violation(unit, found, lambda where, items, does=does: (
                f"{where} {does}: {items}; CI then pushes changes past the GitOps operator: let the operator "
                "pull from Git and keep cluster credentials out of CI"))


def _job_keys(doc, path: str) -> list[tuple]:
    """Key paths of the jobs of a CI file whose layout we know (GitHub Actions, CircleCI, GitLab CI)."""
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    if path.startswith(".github/workflows/") or path.startswith(".circleci/"):
        jobs = data.get("jobs")
        return [("jobs", name) for name in jobs] if isinstance(jobs, dict) else []
    if "gitlab" in path:
        return [(name,) for name in data]  # every top-level key bounds a job (or a global section)
    return []


def _ci_credentials(unit: Unit, text: str) -> Iterator[tuple[Position, str]]:
    """Deploy actions/tasks and kubeconfigs handed to CI from secrets or variables, in one unit."""
    style = comment_style(unit.path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not unit.first <= number <= unit.last:
            continue
        stripped = line.strip()
        if stripped.startswith(style):
            continue
        lowered = stripped.lower()
        column = len(line) - len(line.lstrip()) + 1
        if "uses:" in lowered:
            action = lowered.split("uses:", 1)[1].strip().strip("'\"").split("@")[0]
            if action in DEPLOY_ACTIONS:
                yield Position(number, column), f"`{action}`"
                continue
        if lowered.startswith(("task:", "- task:")) and any(t.lower() in lowered for t in _AZURE_TASKS):
            yield Position(number, column), f"`{stripped.split(':', 1)[1].strip().split('@')[0]}`"
        elif _holds_kubeconfig(lowered):
            yield Position(number, column), "a kubeconfig handed to CI"


def _holds_kubeconfig(lowered: str) -> bool:
    compact = lowered.replace("_", "").replace("-", "")
    if "kubeconfig" not in compact and ".kube/config" not in lowered:
        return False
    return any(
        marker in lowered
        for marker in ("secrets.", "credentialsid", "${{", "$kube", "${kube", "withkubeconfig")
    )


# -- GL903 ----------------------------------------------------------------------------------------------
def manual_apply_script(ctx: CheckContext) -> Iterator[Violation]:
    """GL903: scripts and Makefile/justfile/Taskfile targets that change a cluster by hand (one finding
    per script or target); test units on a throw-away cluster and what they run are not reported."""
    repo = ctx.repo
    graph = _call_graph(repo)
    for unit in graph.units:
        if _is_ci(unit.path) or unit in graph.exempt:
            continue
        text = repo.text(unit.path) or ""
        found = [(Position(c.line, c.column), f"`{c.name}`")
                 for c in scan(text, comment_style(unit.path), unit.first, unit.last)]
        if found:
            yield _unit_violation(unit, found, lambda where, items: (
                f"{where} changes a cluster by hand: {items}; this bypasses review and leaves changes that "
                "Git does not show: commit the change and let the GitOps operator apply it"))


# -- GL904 ----------------------------------------------------------------------------------------------
def production_review(ctx: CheckContext) -> Iterator[Violation]:
    """GL904: production overlays that no CODEOWNERS entry covers."""
    repo = ctx.repo
    dirs = _production_dirs(ctx)
    if not dirs or is_project_without_environments(repo):
        return  # `examples/…/production` of a tool's repository is not a production environment
    owners = codeowners.find(repo)
    prow = _ProwApprovals(repo)
    dirs = [d for d in dirs if not prow.owned(d)] if owners is None else dirs
    if not dirs:
        return
    if owners is None:
        anchor = _anchor(repo, dirs[0])
        more = f" and {len(dirs) - 1} more" if len(dirs) > 1 else ""
        yield Violation(
            anchor,
            f"no CODEOWNERS file, so changes to production ({dirs[0]}{more}) merge without "
            "a required owner's review; add a CODEOWNERS entry for the production paths",
            key="no-codeowners",
        )
        return
    below = _files_below(repo.files, set(dirs))
    for directory in dirs:
        if prow.owned(directory):
            continue
        unowned = next((f for f in below.get(directory, ()) if not owners.owners(f)), None)
        if unowned:
            rule = owners.rule_for(unowned)  # a pattern without owners that un-owns it, if any
            yield Violation(
                owners.path,
                f"no CODEOWNERS entry covers production path {directory} (e.g. {unowned}), so changes to it "
                f"merge without an owner's review; add `/{directory}/ @team`",
                Position(rule.line, 1) if rule is not None else Position(1, 1),
                key=f"unowned:{directory}",
            )


class _ProwApprovals:
    """Kubernetes-style `OWNERS` files with approvers in a directory or above it also gate review (each
    such file is read once, and only when it lies above a directory asked about)."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._holders = {posixpath.dirname(p) for p in repo.tree.files()
                         if p.endswith("OWNERS") and (p == "OWNERS" or p.endswith("/OWNERS"))}
        self._approves: dict[str, bool] = {}

    def owned(self, directory: str) -> bool:
        """Whether `directory` or a directory above it (the root included) has approvers."""
        return bool(self._holders) and any(
            self._has_approvers(d) for d in parent_dirs(directory, with_root=True) if d in self._holders)

    def _has_approvers(self, directory: str) -> bool:
        if directory not in self._approves:
            text = self.repo.text(posixpath.join(directory, "OWNERS"))
            self._approves[directory] = bool(text and "approvers" in text)
        return self._approves[directory]


def _files_below(files: list[str], dirs: set[str]) -> dict[str, list[str]]:
    """Files under each of `dirs` (one pass over the file list)."""
    out: dict[str, list[str]] = {}
    for f in files:
        parent = next((d for d in parent_dirs(posixpath.dirname(f), with_root=True) if d in dirs), None)
        if parent is not None:
            out.setdefault(parent, []).append(f)
    return out


def _production_dirs(ctx: CheckContext) -> list[str]:
    """Outermost production overlays and environment roots of the repository."""
    repo = ctx.repo
    is_production = functools.cache(ctx.is_production)  # a few environment names, asked once per overlay
    found = {o for app in repo.apps.values() for env, o in app.overlays.items() if is_production(env)}
    found |= {root for root, env in repo.environment_roots() if is_production(env)}
    outer = {d for d in found if not any(p in found for p in parent_dirs(posixpath.dirname(d)))}
    return sorted(outer)


def _anchor(repo, directory: str) -> str:
    k = repo.kustomizations.get(directory)
    return (
        k.path if k is not None else next((f for f in repo.files if f.startswith(directory + "/")), directory)
    )


# -- GL905 ----------------------------------------------------------------------------------------------
# an Argo CD subscription annotation, or notification triggers/services (argocd-notifications-cm, chart values)
_ARGO_MARKERS = (
    "notifications.argoproj.io/subscribe",
    "trigger.on-",
    "service.slack",
    "service.webhook",
    "service.teams",
    "service.email",
    "service.opsgenie",
    "service.pagerduty",
    "service.grafana",
    "service.mattermost",
    "service.telegram",
    "service.github",
    "service.googlechat",
)
# every Argo CD marker starts with one of these
_ARGO_MARKER_STEMS = ("notifications.argoproj.io/subscribe", "trigger.on-", "service.")
_METRIC_MARKERS = ("argocd_app_info", "argocd_app_sync", "gotk_reconcile", "gotk_resource_info")


def drift_alerting(ctx: CheckContext) -> Iterator[Violation]:
    """GL905: an operator is deployed but neither Argo CD notifications nor Flux alerts are configured."""
    repo = ctx.repo
    operators = [d for d in repo.objects(*OPERATOR_KINDS) if judged(repo, d.path)]  # not test fixtures
    if not operators or _has_alerting(repo):
        return
    whole = [d for d in operators if d.path not in repo.patch_files] or operators
    first = min(whole, key=lambda d: (d.path.count("/"), d.path, d.start.line))
    yield Violation(
        first.path,
        "no Argo CD notifications (argocd-notifications-cm, notifications.argoproj.io "
        "subscriptions) and no Flux Alert with a Provider, so failed syncs and drift go unnoticed; "
        "configure alerts for sync failures and degraded health",
        first.start,
        key="no-alerting",
    )


def _has_alerting(repo) -> bool:
    flux_alert = repo.objects("notification.toolkit.fluxcd.io/Alert")
    flux_provider = repo.objects("notification.toolkit.fluxcd.io/Provider")
    if flux_alert and flux_provider:
        return True
    if _mentions_argo_notifications([parsed.text or "" for parsed in repo.parsed_files.values()]):
        return True
    return any(
        any(m in (repo.text(d.path) or "") for m in _METRIC_MARKERS) for d in repo.objects("PrometheusRule")
    )


def _mentions_argo_notifications(texts: list[str]) -> bool:
    """Whether a text holds an Argo CD notification marker: the joined texts are searched for each stem
    (three scans, not one per marker and file) and every hit compared with the markers of that stem."""
    joined = "\n".join(texts)  # no marker holds a line break, so none spans two files
    for stem in _ARGO_MARKER_STEMS:
        markers = tuple(m for m in _ARGO_MARKERS if m.startswith(stem))
        at = joined.find(stem)
        while at != -1:
            if joined.startswith(markers, at):
                return True
            at = joined.find(stem, at + 1)
    return False
