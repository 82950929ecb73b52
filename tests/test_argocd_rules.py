"""Argo CD rules GL401–GL411 and GL901: fixture repos, repo identity, generator and project semantics."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitops_lint.api import lint_path
from gitops_lint.argo.appset import go_path_match, greedy_glob, substitute
from gitops_lint.argo.project import destination_permitted, source_permitted
from gitops_lint.core.findings import Severity
from gitops_lint.core.git_identity import normalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "argocd"

APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  project: shop
  source: {{repoURL: '{url}', targetRevision: main, path: {path}}}
  destination: {{server: 'https://kubernetes.default.svc', namespace: shop}}
  syncPolicy:
    automated: {{prune: true, selfHeal: true}}
    syncOptions: [CreateNamespace=true]
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"


def findings(path, *rules, **kwargs):
    result = lint_path(path, select=rules or ("GL4", "GL901"), **kwargs)
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return result.findings


def summary(found):
    return sorted((f.rule, f.path, f.line, f.severity.name.lower(), f.environment) for f in found)


# -- fixture repositories -------------------------------------------------------------------------
def test_applicationset_generators_resolve_against_the_repo():
    found = findings(FIXTURES / "appset", "GL4")
    assert summary(found) == [
        ("GL408", "argocd/files.yaml", 30, "error", None),
        ("GL408", "argocd/files.yaml", 30, "error", None),
        ("GL410", "argocd/files.yaml", 33, "warning", None),
        ("GL410", "argocd/files.yaml", 33, "warning", None),
        ("GL411", "argocd/files.yaml", 21, "warning", None),
    ]
    messages = " ".join(f.message for f in found)
    # file generator params (path.basename of clusters/east/config.json, flattened keys) were substituted
    assert "apps/shop/overlays/east" in messages and "apps/shop/overlays/west" in messages
    assert "'shop-east'" in messages and "'shop-west'" in messages
    assert "services/*" in messages


def test_project_rules_follow_argo_semantics():
    found = findings(FIXTURES / "projects", "GL4")
    assert {f.rule for f in found} == {"GL407"}
    by_app: dict[str, list[str]] = {}
    for f in found:
        by_app.setdefault(f.message.split()[0], []).append(f.message)
    assert set(by_app) == {"Application/web-bad", "Application/operator", "Application/web-platform"}
    bad = " ".join(by_app["Application/web-bad"])
    assert "acme/forbidden" in bad and "kube-system" in bad and "ResourceQuota" in bad
    operator = " ".join(by_app["Application/operator"])
    assert "acme.io/Widget" in operator and "CustomResourceDefinition" in operator
    assert "ClusterRole" not in operator  # rbac.authorization.k8s.io/* is whitelisted
    platform = " ".join(by_app["Application/web-platform"])
    assert "ConfigMap" in platform and "Deployment" not in platform


def test_inferred_repo_identity_multi_source_and_production_escalation():
    found = findings(FIXTURES / "inferred", "GL402", "GL408", "GL409")
    got = {(f.rule, f.line, f.severity.name.lower()) for f in found}
    assert got == {
        ("GL402", 9, "warning"),  # staging
        ("GL402", 20, "error"),  # production path -> production severity
        ("GL409", 6, "info"),
        ("GL409", 17, "warning"),
        ("GL409", 44, "warning"),  # chart version '*'
        ("GL408", 29, "error"),  # typo in the path; URL inferred to be this repo without any config
        ("GL408", 46, "error"),  # $values file missing, and $vals names no ref source
        ("GL408", 62, "error"),  # only a subdirectory, no recurse
        ("GL408", 63, "error"),  # docs only
        ("GL408", 64, "error"),  # a file, not a directory
    }
    assert len([f for f in found if f.rule == "GL408" and f.line == 46]) == 2
    assert not any("does/not/exist" in f.message for f in found)  # another repository


def test_reference_example_is_clean():
    example = Path(__file__).resolve().parent.parent / "examples" / "k8s-manifests"
    if not example.is_dir():
        pytest.skip("reference example not present")
    assert findings(example) == []


# -- repository identity --------------------------------------------------------------------------
def test_git_remote_identifies_the_repo(make_repo):
    root = make_repo(
        {"argocd/a.yaml": APP.format(name="a", url="git@github.com:Acme/Deploy.git", path="apps/missing")}
    )
    assert not findings(root, "GL408")  # one app, path missing, no remote: not provably this repo
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "https://github.com/acme/deploy"], check=True
    )
    found = findings(root, "GL408")
    assert [(f.rule, f.line) for f in found] == [("GL408", 6)]


def test_linting_a_subdirectory_of_a_git_repo(make_repo):
    root = make_repo(
        {
            "deploy/argocd/a.yaml": APP.format(
                name="a", url="https://github.com/acme/mono.git", path="deploy/apps/a"
            ),
            "deploy/argocd/b.yaml": APP.format(
                name="b", url="https://github.com/acme/mono.git", path="deploy/apps/b"
            ),
            "deploy/argocd/c.yaml": APP.format(
                name="c", url="https://github.com/acme/mono.git", path="services/c"
            ),
            "deploy/apps/a/cm.yaml": CONFIGMAP,
        }
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "git@github.com:acme/mono.git"], check=True
    )
    found = findings(root / "deploy", "GL408")
    # paths are relative to the git top level; services/c lies outside the linted directory: not judged
    assert [(f.path, f.line) for f in found] == [("argocd/b.yaml", 6)]


def test_configured_repo_urls_are_authoritative(make_repo):
    files = {
        f"argocd/{n}.yaml": APP.format(name=n, url="https://github.com/acme/deploy", path=f"apps/{n}")
        for n in "ab"
    }
    files["apps/a/cm.yaml"] = CONFIGMAP
    # (written by hand: a flow-style dump of a URL is not valid YAML for libyaml)
    root = make_repo({**files, ".gitops-lint.yaml": "repo_urls:\n  - github.com/acme/other\n"})
    assert findings(root, "GL408") == []
    root = make_repo({**files, ".gitops-lint.yaml": "repo_urls:\n  - ssh://git@github.com/acme/deploy.git\n"})
    assert [f.path for f in findings(root, "GL408")] == ["argocd/b.yaml"]


def test_url_normalisation():
    forms = [
        "https://github.com/Acme/Deploy.git",
        "git@github.com:acme/deploy.git",
        "ssh://git@github.com/acme/deploy",
        "github.com/acme/deploy/",
    ]
    assert {normalize_url(u) for u in forms} == {"github.com/acme/deploy"}
    assert normalize_url("ssh://git@host:2222/acme/deploy.git") == "host:2222/acme/deploy"


# -- sync policy rules ----------------------------------------------------------------------------
def test_sync_policy_rules(make_repo):
    base = APP.format(name="a", url="https://x/y", path="p")
    manual = base.replace("    automated: {prune: true, selfHeal: true}\n", "")
    disabled = base.replace("{prune: true, selfHeal: true}", "{enabled: false}")
    null = base.replace(" {prune: true, selfHeal: true}", "")
    empty = base.replace("{prune: true, selfHeal: true}", "{}")
    for text, expected in [
        (manual, {"GL401"}),
        (disabled, {"GL401"}),
        (null, {"GL401"}),
        (empty, {"GL402"}),  # one cause (`automated: {}`), one finding naming selfHeal and prune
    ]:
        root = make_repo({"a.yaml": text})
        assert {f.rule for f in findings(root, "GL401", "GL402", "GL403")} == expected
    root = make_repo({"a.yaml": empty})
    (both,) = findings(root, "GL402", "GL403")
    assert "without selfHeal: true and prune: true" in both.message
    # when GL402 does not run, GL403 still reports the missing prune on its own
    assert [f.rule for f in findings(root, "GL403")] == ["GL403"]
    only_prune = base.replace("{prune: true, selfHeal: true}", "{selfHeal: true}")
    assert [f.rule for f in findings(make_repo({"a.yaml": only_prune}), "GL402", "GL403")] == ["GL403"]


@pytest.mark.parametrize(
    "retry, ok",
    [
        ("", True),  # Argo CD retries an automated sync 5 times with backoff by default
        ("    retry: {limit: 5}\n", True),  # the default backoff applies
        ("    retry: {limit: 0}\n", False),  # retries turned off
        ("    retry: {limit: -1, backoff: {duration: 5s}}\n", False),
        ("    retry: {limit: true, backoff: {duration: 5s}}\n", False),
        ("    retry: {limit: 5, backoff: {duration: 5s, factor: 2}}\n", True),
    ],
)
def test_retry(make_repo, retry, ok):
    root = make_repo({"a.yaml": APP.format(name="a", url="https://x/y", path="p") + retry})
    assert bool(findings(root, "GL404")) is not ok


def test_manual_sync_convention_is_one_finding_per_application(make_repo):
    """A repo whose Applications all sync by hand (no automated, no retry): GL401 once per Application."""
    manual = APP.replace("    automated: {{prune: true, selfHeal: true}}\n", "")
    root = make_repo({f"apps/{n}.yaml": manual.format(name=n, url="https://x/y", path=n) for n in "abc"})
    found = findings(root, "GL401", "GL402", "GL403", "GL404")
    assert sorted((f.rule, f.path) for f in found) == [("GL401", f"apps/{n}.yaml") for n in "abc"]


def test_platform_and_self_namespaced_destinations_are_not_reported():
    found = findings(FIXTURES / "namespaces", "GL410")
    assert [(f.rule, f.path, f.line, f.resource) for f in found] == [
        ("GL410", "argocd/apps.yaml", 65, "Application/argocd/billing")]


def test_default_and_unknown_project(make_repo):
    app = APP.format(name="a", url="https://x/y", path="p")
    root = make_repo(
        {
            "a.yaml": app.replace("project: shop", "project: default"),
            "b.yaml": app.replace("name: a", "name: b"),
        }
    )
    # no AppProject in the repository at all: projects may live elsewhere, so only a warning
    assert summary(findings(root, "GL405", "GL406")) == [
        ("GL405", "a.yaml", 5, "warning", None),
        ("GL406", "b.yaml", 5, "warning", None),
    ]
    other = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: shopp}\nspec: {}\n"
    root = make_repo({"b.yaml": app.replace("name: a", "name: b"), "p.yaml": other})
    assert summary(findings(root, "GL406")) == [("GL406", "b.yaml", 5, "error", None)]


def test_namespace_creation(make_repo):
    app = APP.format(name="a", url="https://x/y", path="p").replace(
        "    syncOptions: [CreateNamespace=true]\n", ""
    )
    assert len(findings(make_repo({"a.yaml": app}), "GL410")) == 1
    managed = app + "    managedNamespaceMetadata: {labels: {team: shop}}\n"
    assert findings(make_repo({"a.yaml": managed}), "GL410") == []
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    assert findings(make_repo({"a.yaml": app, "ns.yaml": ns}), "GL410") == []
    to_argocd = app.replace("namespace: shop}", "namespace: argocd}")
    assert findings(make_repo({"a.yaml": to_argocd}), "GL410") == []


def test_broken_input_never_crashes(make_repo):
    docs = [
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: []\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: b}\nspec: {source: 3, sources: [1, {}], syncPolicy: {automated: yes, retry: 1}, destination: x}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: c}\nspec: {generators: [{git: {directories: [{path: 1}, 'x']}}, {matrix: 3}], template: {spec: {project: 7}}}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: p}\nspec: {destinations: [1, {server: 3}], sourceRepos: [null]}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: d}\nspec: {project: p, source: {repoURL: 'https://x/y', path: '../../etc'}, destination: {namespace: [1]}}\n",
    ]
    root = make_repo({f"{i}.yaml": d for i, d in enumerate(docs)})
    findings(root)  # no internal error


# -- semantics of the building blocks -------------------------------------------------------------
def test_glob_semantics():
    assert go_path_match("apps/*").match("apps/shop")
    assert not go_path_match("apps/*").match("apps/shop/base")
    assert go_path_match("/d/[fg]").match("d/f")
    assert greedy_glob("clusters/*.json").match("clusters/east/config.json")  # Argo's default greedy globbing
    assert greedy_glob("a/**/config.yaml").match("a/config.yaml")


def test_template_substitution():
    params = {"path": "apps/shop", "path.path": "apps/shop", "path[1]": "shop", "path.segments[1]": "shop"}
    assert substitute("{{path}}", params) == "apps/shop"
    assert substitute("{{ .path.path }}/x", params) == "apps/shop/x"
    assert substitute("{{index .path.segments 1}}", params) == "shop"
    assert substitute("{{path[1]}}-{{cluster}}", params) is None


def test_project_matching():
    project = {
        "sourceRepos": ["!https://github.com/acme/secret*", "https://github.com/acme/*"],
        "destinations": [
            {"server": "*", "namespace": "!kube-*"},
            {"server": "https://kubernetes.default.svc", "namespace": "team-*"},
        ],
    }
    assert source_permitted(project, "https://github.com/acme/deploy.git", normalize_url)
    assert not source_permitted(project, "https://github.com/acme/secrets", normalize_url)
    only_acme = {"sourceRepos": ["https://github.com/acme/*"]}
    assert not source_permitted(
        only_acme, "https://github.com/acme/a/b", normalize_url
    )  # * stays in a segment
    deny_only = {"sourceRepos": ["!https://github.com/acme/secret"]}  # Argo CD: everything else is allowed
    assert source_permitted(deny_only, "https://github.com/acme/deploy", normalize_url)
    assert not source_permitted(deny_only, "https://github.com/acme/secret.git", normalize_url)
    assert source_permitted(
        {"sourceRepos": ["https://github.com/acme/{a,b}"]}, "https://github.com/acme/b", normalize_url
    )
    assert destination_permitted(project, {"server": "https://x", "namespace": "team-a"}) is True
    assert destination_permitted(project, {"server": "https://x", "namespace": "kube-system"}) is False
    only_server = {"destinations": [{"server": "https://prod.example", "namespace": "*"}]}
    assert destination_permitted(only_server, {"name": "prod", "namespace": "a"}) is None  # undecidable
    assert destination_permitted(only_server, {"server": "https://dev.example", "namespace": "a"}) is False
    assert destination_permitted(only_server, {"name": "in-cluster", "namespace": "a"}) is False


# -- GL901 -----------------------------------------------------------------------------------------
def test_no_operator(make_repo):
    assert [f.rule for f in findings(make_repo({"k/cm.yaml": CONFIGMAP}), "GL901")] == ["GL901"]
    assert findings(make_repo({"README.md": "# nothing to deploy\n"}), "GL901") == []
    helm = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: h}\nspec: {}\n"
    assert findings(make_repo({"k/cm.yaml": CONFIGMAP, "h.yaml": helm}), "GL901") == []


def test_corpus_precision(corpus):
    expected_gl901 = {
        "fluxcd__flux2-kustomize-helm-example": 0,
        "fluxcd__flux2-multi-tenancy": 0,
        "GoogleCloudPlatform__microservices-demo": 1,
        "kubernetes-sigs__kustomize": 0,  # a tool's examples/ only: not a config repository (issue-10 review)
    }
    for name, count in expected_gl901.items():
        repo = corpus / name
        if not repo.is_dir():
            continue
        found = findings(repo)
        assert [f.rule for f in found] == ["GL901"] * count, (name, summary(found))
        assert all(f.severity == Severity.WARNING for f in found)


def test_template_patch_and_values_declared_projects(make_repo):
    appset = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: s, namespace: argocd}
spec:
  goTemplate: true
  generators: [{list: {elements: [{env: dev, auto: true}]}}]
  template:
    metadata: {name: 'x-{{.env}}'}
    spec:
      project: team
      source: {repoURL: 'https://x/y', targetRevision: main, path: p}
      destination: {server: 'https://kubernetes.default.svc', namespace: x}
  templatePatch: |
    spec:
      syncPolicy:
      {{- if .auto }}
        automated: {prune: true, selfHeal: true}
      {{- end }}
        retry: {limit: 2, backoff: {duration: 5s}}
        syncOptions: [CreateNamespace=true]
"""
    values = "projects:\n  team:\n    namespace: argocd\n    sourceRepos: ['*']\n"
    root = make_repo({"appset.yaml": appset, "values/argocd-apps.yaml": values})
    assert findings(root, "GL401", "GL402", "GL403", "GL404", "GL406", "GL410") == []
    root = make_repo({"appset.yaml": appset.split("  templatePatch")[0]})
    # manual sync: one GL401 finding, no second one for the retry that only automated sync uses
    assert {f.rule for f in findings(root, "GL401", "GL404", "GL406", "GL410")} == {
        "GL401",
        "GL406",
        "GL410",
    }


def test_helm_chart_templates_count_as_definitions(make_repo):
    """AppProjects and Namespaces in local Helm chart templates are only named after rendering: no guessing."""
    chart_app = APP.format(name="a", url="https://github.com/acme/d", path="charts/shop").replace(
        "    syncOptions: [CreateNamespace=true]\n", ""
    )
    files = {
        "argocd/a.yaml": chart_app,
        "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
        "charts/shop/templates/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n",
        "charts/projects/Chart.yaml": "apiVersion: v2\nname: projects\nversion: 1.0.0\n",
        "charts/projects/templates/p.yaml": "{{- range .Values.projects }}\nkind: AppProject\n{{- end }}\n",
    }
    assert findings(make_repo(files), "GL406", "GL408", "GL410") == []
    del files["charts/shop/templates/namespace.yaml"], files["charts/projects/templates/p.yaml"]
    assert {f.rule for f in findings(make_repo(files), "GL406", "GL408", "GL410")} == {"GL406", "GL410"}


def test_operator_declared_through_helm(make_repo):
    values = "applications:\n  shop:\n    project: shop\n    destination: {namespace: shop}\n"
    assert findings(make_repo({"k/cm.yaml": CONFIGMAP, "argocd-apps/values.yaml": values}), "GL901") == []
    chart = {
        "k/cm.yaml": CONFIGMAP,
        "apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 1.0.0\n",
        "apps/templates/app.yaml": "{{- range .Values.apps }}\n---\nkind: Application\n{{- end }}\n",
    }
    assert findings(make_repo(chart), "GL901") == []


def test_git_object_trees_know_their_remote_and_prefix(make_repo):
    from gitops_lint.argo.model import _tree_location
    from gitops_lint.core.gitsource import GitTree

    root = make_repo({"deploy/apps/a/cm.yaml": CONFIGMAP})
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "remote", "add", "origin", "https://github.com/acme/mono.git"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    assert _tree_location(GitTree(root, "HEAD", "deploy")) == ({"github.com/acme/mono"}, "deploy")


def test_generators_in_a_subdirectory_of_a_git_repo(make_repo):
    appset = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: s, namespace: argocd}
spec:
  generators:
    - git:
        repoURL: https://github.com/acme/mono.git
        revision: main
        directories: [{path: deploy/apps/*}, {path: services/*}, {path: deploy/nothing/*}]
        files: [{path: deploy/envs/*.yaml}]
  template:
    metadata: {name: '{{path.basename}}'}
    spec:
      project: p
      source: {repoURL: 'https://github.com/acme/mono.git', targetRevision: main, path: '{{path}}/x'}
      destination: {server: 'https://kubernetes.default.svc', namespace: '{{path.basename}}'}
"""
    root = make_repo(
        {
            "deploy/argocd/s.yaml": appset,
            "deploy/apps/a/x/cm.yaml": CONFIGMAP,
            "deploy/envs/dev.yaml": "name: dev\n",
        }
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "https://github.com/acme/mono"], check=True
    )
    found = findings(root / "deploy", "GL408", "GL411")
    # deploy/apps/a/x exists; the files generator yields path deploy/envs, and deploy/envs/x is missing;
    # services/* lies outside the linted directory (not judged), deploy/nothing/* matches nothing
    assert sorted(f.rule for f in found) == ["GL408", "GL411"]
    assert any("'envs/x'" in f.message for f in found)
    assert any("'deploy/nothing/*'" in f.message for f in found)


def test_helm_value_files_relative_to_a_chart_here(make_repo):
    app = APP.format(name="a", url="https://github.com/acme/d", path="charts/shop").replace(
        "path: charts/shop}",
        "path: charts/shop, helm: {valueFiles: [values-prod.yaml, ../common.yaml, gone.yaml]}}",
    )
    files = {
        "argocd/a.yaml": app,
        "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
        "charts/shop/values-prod.yaml": "replicas: 2\n",
        "charts/common.yaml": "team: shop\n",
    }
    found = findings(make_repo(files), "GL408")
    assert [("gone.yaml" in f.message, f.line) for f in found] == [(True, 6)]
    ignored = app.replace("helm: {", "helm: {ignoreMissingValueFiles: true, ")
    assert findings(make_repo({**files, "argocd/a.yaml": ignored}), "GL408") == []


def test_kustomize_managed_applications_are_judged_as_rendered():
    """A base Application patched per overlay: the patch file is not an Application; each overlay's
    rendering is judged in its environment, at the patch that set the field when one did."""
    found = findings(FIXTURES / "overlays", "GL4")
    assert summary(found) == [
        ("GL401", "argocd/base/shop.yaml", 16, "warning", "staging"),
        ("GL402", "argocd/overlays/production/automated.yaml", 10, "error", "production"),
    ]


def test_project_kinds_confirmed_on_the_rendered_build(make_repo):
    project = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: shop}\nspec:\n  sourceRepos: ['*']\n  destinations: [{server: '*', namespace: '*'}]\n"
    role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n"
    delete = (
        "$patch: delete\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
    )
    files = {
        "argocd/p.yaml": project,
        "argocd/a.yaml": APP.format(name="a", url="https://github.com/acme/d", path="apps/a/overlay"),
        "apps/a/base/kustomization.yaml": "resources: [cm.yaml, role.yaml]\n",
        "apps/a/base/cm.yaml": CONFIGMAP,
        "apps/a/base/role.yaml": role,
        "apps/a/overlay/kustomization.yaml": "resources: [../base]\n",
    }
    found = findings(make_repo(files), "GL407")
    assert ["ClusterRole" in f.message for f in found] == [True]
    files["apps/a/overlay/kustomization.yaml"] = "resources: [../base]\npatches: [{path: drop.yaml}]\n"
    files["apps/a/overlay/drop.yaml"] = delete
    assert findings(make_repo(files), "GL407") == []


@pytest.mark.parametrize(
    "version, floating",
    [
        ("", True),
        ("*", True),
        ("^1.2.0", True),
        ("1.x", True),
        (">=1.0 <2", True),
        ("1.2.3", False),
        ("v0.13.0", False),
    ],
)
def test_chart_version_ranges(make_repo, version, floating):
    app = APP.format(name="a", url="https://charts.acme.io", path="p").replace(
        "targetRevision: main, path: p", f"chart: shop, targetRevision: '{version}'"
    )
    assert bool(findings(make_repo({"a.yaml": app}), "GL409")) is floating
