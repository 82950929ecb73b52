"""Flux rules GL501–GL507 on a fixture fleet repo (tests/fixtures/flux/), small generated repos and the corpus."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gitops_lint.api import lint_path
from gitops_lint.checks.flux import version_problem

FIXTURES = Path(__file__).parent / "fixtures" / "flux"
FLUX_RULES = ("GL501", "GL502", "GL503", "GL504", "GL505", "GL506", "GL507")


def findings(repo, select=FLUX_RULES):
    result = lint_path(repo, select=list(select))
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return [f for f in result.findings if f.rule in select]


def triples(found):
    return sorted((f.rule, f.path, f.line) for f in found)


def ks(
    name: str,
    path: str | None = "./apps",
    source: str = "flux-system",
    namespace: str = "flux-system",
    extra: str = "",
    source_kind: str = "GitRepository",
    source_ns: str | None = None,
) -> str:
    lines = [
        "apiVersion: kustomize.toolkit.fluxcd.io/v1",
        "kind: Kustomization",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {namespace}",
        "spec:",
        "  interval: 10m",
        "  prune: true",
    ]
    if path is not None:
        lines.append(f"  path: {path}")
    lines += ["  sourceRef:", f"    kind: {source_kind}", f"    name: {source}"]
    if source_ns:
        lines.append(f"    namespace: {source_ns}")
    return "\n".join(lines) + "\n" + extra


def git_repository(name: str, url: str, namespace: str = "flux-system", ref: str = "branch: main") -> str:
    return (
        f"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n"
        f"  namespace: {namespace}\nspec:\n  interval: 5m\n  url: {url}\n  ref:\n    {ref}\n"
    )


CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {a: b}\n"


# -- the fleet fixture: every rule, with correct neighbours that must stay quiet ----------------------
def test_fleet_fixture_reports_exactly_the_seeded_defects():
    assert triples(findings(FIXTURES / "fleet")) == [
        ("GL501", "clusters/production/infrastructure.yaml", 25),  # prune: false
        ("GL502", "clusters/production/tenants.yaml", 45),  # ./apps/prod does not exist
        ("GL503", "apps/production/redis.yaml", 15),  # HelmRepository/bitnami is nowhere
        ("GL503", "clusters/production/apps.yaml", 59),  # GitRepository/monitoring-repo is nowhere
        ("GL503", "clusters/production/tenants.yaml", 36),  # flux-system from namespace team-b, no namespace
        ("GL504", "clusters/production/cycle.yaml", 8),  # databases <-> operators
        ("GL504", "clusters/production/infrastructure.yaml", 22),  # infra-crds is nowhere
        ("GL505", "clusters/production/apps.yaml", 56),  # suspend: true
        ("GL506", "clusters/production/apps.yaml", 26),  # secrets/production holds a SOPS file
        ("GL507", "apps/production/redis.yaml", 12),  # ">=18.0.0" in production
    ]


def test_fleet_messages_name_the_object_and_the_fix():
    by_rule = {f.rule: f for f in findings(FIXTURES / "fleet")}
    assert "Kustomization/legacy" in by_rule["GL502"].message and "'./apps/prod'" in by_rule["GL502"].message
    assert "cycle (Kustomization/databases -> Kustomization/operators -> Kustomization/databases)" in (
        by_rule["GL504"].message
        if "cycle" in by_rule["GL504"].message
        else next(f.message for f in findings(FIXTURES / "fleet", ("GL504",)) if "cycle" in f.message)
    )
    assert "secrets/production/db.yaml" in by_rule["GL506"].message
    assert by_rule["GL507"].environment == "production"
    assert str(by_rule["GL502"].severity) == "error" and str(by_rule["GL501"].severity) == "warning"


def test_fleet_placeholders_are_never_judged():
    # cluster-addons: path ./addons/${cluster_name}, sourceRef ${ADDONS_SOURCE}, dependsOn ${ADDONS_DEPENDENCY}
    assert not [f for f in findings(FIXTURES / "fleet") if "cluster-addons" in f.message]


# -- GL502: what "this repository" is -------------------------------------------------------------------
def test_path_relative_to_bootstrap_source_root(make_repo):
    repo = make_repo(
        {
            "clusters/prod/apps.yaml": ks("apps", "./apps/prod")
            + "---\n"
            + ks("ok", "./apps/production")
            + "---\n"
            + ks("root", None)
            + "---\n"
            + ks("abs", "/apps/production"),
            "apps/production/cm.yaml": CONFIGMAP,
        }
    )
    assert triples(findings(repo, ("GL502",))) == [("GL502", "clusters/prod/apps.yaml", 9)]


def test_other_repositories_and_other_branches_are_not_checked(make_repo):
    files = {
        ".gitops-lint.yaml": "repo_urls:\n  - https://github.com/acme/fleet\n",
        "clusters/prod/sources.yaml": git_repository("same", "https://github.com/acme/fleet.git")
        + "---\n"
        + git_repository("branch", "https://github.com/acme/fleet", ref="branch: tenant")
        + "---\n"
        + git_repository("tag", "git@github.com:acme/fleet.git", ref="tag: v1.0.0")
        + "---\n"
        + git_repository("other", "https://github.com/acme/other"),
        "clusters/prod/apps.yaml": ks("a", "./missing", "same")
        + "---\n"
        + ks("b", "./missing", "branch")
        + "---\n"
        + ks("c", "./missing", "tag")
        + "---\n"
        + ks("d", "./missing", "other"),
    }
    found = findings(make_repo(files), ("GL502",))
    assert [f.message.split()[0] for f in found] == ["Kustomization/a"]


def test_git_remote_identifies_this_repository_and_paths_start_at_its_root(tmp_path):
    top = tmp_path / "fleet"
    subprocess.run(["git", "init", "-q", "-b", "main", str(top)], check=True)
    subprocess.run(
        ["git", "-C", str(top), "remote", "add", "origin", "git@github.com:acme/fleet.git"], check=True
    )
    deploy = top / "deploy"
    (deploy / "clusters" / "prod").mkdir(parents=True)
    (deploy / "apps" / "prod").mkdir(parents=True)
    (deploy / "apps" / "prod" / "cm.yaml").write_text(CONFIGMAP)
    (deploy / "clusters" / "prod" / "sources.yaml").write_text(
        git_repository("fleet", "https://github.com/acme/fleet")
    )
    (deploy / "clusters" / "prod" / "apps.yaml").write_text(
        ks("good", "./deploy/apps/prod", "fleet")
        + "---\n"
        + ks("bad", "./deploy/apps/production", "fleet")
        + "---\n"
        + ks("elsewhere", "./other/apps", "fleet")
    )
    found = findings(deploy, ("GL502",))
    assert [f.message.split()[0] for f in found] == ["Kustomization/bad"]


def test_external_artifact_paths_map_through_artifact_generator(make_repo):
    generator = """apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: gen
  namespace: flux-system
spec:
  sources:
    - alias: repo
      kind: GitRepository
      name: flux-system
  artifacts:
    - name: apps
      copy:
        - from: "@repo/apps/production/**"
          to: "@artifact/production/"
"""
    repo = make_repo(
        {
            "clusters/prod/gen.yaml": generator,
            "clusters/prod/apps.yaml": ks("ok", "./production", "apps", source_kind="ExternalArtifact")
            + "---\n"
            + ks("bad", "./staging", "apps", source_kind="ExternalArtifact"),
            "apps/production/cm.yaml": CONFIGMAP,
        }
    )
    found = findings(repo, ("GL502", "GL503"))
    assert [(f.rule, f.message.split()[0]) for f in found] == [("GL502", "Kustomization/bad")]


# -- GL503: sources and namespaces ------------------------------------------------------------------------
def test_bootstrap_source_resolves_without_gotk_sync_but_not_across_namespaces(make_repo):
    repo = make_repo(
        {
            "clusters/prod/apps.yaml": ks("apps")
            + "---\n"
            + ks("tenant", namespace="team-a")
            + "---\n"
            + ks("tenant-ok", namespace="team-a", source_ns="flux-system"),
            "apps/cm.yaml": CONFIGMAP,
        }
    )
    assert [f.message.split()[0] for f in findings(repo, ("GL503",))] == ["Kustomization/tenant"]


def test_helm_sources_with_namespace_defaults_and_kustomize_namespace(make_repo):
    release = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: {name}
spec:
  interval: 10m
  chart:
    spec:
      chart: {name}
      version: 1.2.3
      sourceRef:
        kind: HelmRepository
        name: charts
{extra}"""
    helm_repo = (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n"
        "spec:\n  url: https://charts.example.com\n"
    )
    repo = make_repo(
        {
            # kustomize puts both in namespace web: the reference resolves
            "apps/web/kustomization.yaml": "namespace: web\nresources: [release.yaml, repo.yaml]\n",
            "apps/web/release.yaml": release.format(name="web", extra=""),
            "apps/web/repo.yaml": helm_repo,
            # the release lands in namespace api, the repository in web: not found there
            "apps/api/kustomization.yaml": "namespace: api\nresources: [release.yaml]\n",
            "apps/api/release.yaml": release.format(name="api", extra=""),
            # explicit namespace on the reference
            "apps/db/kustomization.yaml": "namespace: db\nresources: [release.yaml]\n",
            "apps/db/release.yaml": release.format(name="db", extra="").replace(
                "name: charts", "name: charts\n        namespace: web"
            ),
        }
    )
    assert [f.message.split()[0] for f in findings(repo, ("GL503",))] == ["HelmRelease/api"]


def test_wrong_source_kind_and_missing_source(make_repo):
    bad_kind = ks("apps", source_kind="HelmRepository")
    no_source = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: x\n"
        "  namespace: x\nspec:\n  interval: 1m\n"
    )
    found = findings(make_repo({"a.yaml": bad_kind, "b.yaml": no_source}), ("GL503",))
    assert sorted((f.path, f.line) for f in found) == [("a.yaml", 11), ("b.yaml", 7)]
    assert "only accepts GitRepository" in found[0].message


# -- GL504: dependencies -----------------------------------------------------------------------------------
def test_self_dependency_is_a_cycle_and_namespaced_dependencies_resolve(make_repo):
    deps = "  dependsOn:\n    - name: {0}\n{1}"
    repo = make_repo(
        {
            "a.yaml": ks("self", extra=deps.format("self", ""))
            + "---\n"
            + ks("other-ns", extra=deps.format("infra", "      namespace: infra\n"))
            + "---\n"
            + ks("infra", namespace="infra"),
            "apps/cm.yaml": CONFIGMAP,
        }
    )
    found = findings(repo, ("GL504",))
    assert [(f.line, "cycle" in f.message) for f in found] == [(14, True)]


# -- GL505/GL501 on rendered builds ----------------------------------------------------------------------------
def test_overlay_patches_are_applied_before_judging(make_repo):
    base = ks("apps", extra="").replace("  prune: true\n", "  prune: false\n")
    repo = make_repo(
        {
            "base/kustomization.yaml": "resources: [apps.yaml]\n",
            "base/apps.yaml": base,
            "production/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n",
            "production/patch.yaml": (
                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                "  name: apps\n  namespace: flux-system\nspec:\n  prune: true\n  suspend: true\n"
            ),
            "apps/cm.yaml": CONFIGMAP,
        }
    )
    found = findings(repo, ("GL501", "GL505"))
    # prune is fixed by the patch; suspend comes from the patch and is reported at the patch's line
    assert triples(found) == [("GL505", "production/patch.yaml", 8)]


# -- GL506 --------------------------------------------------------------------------------------------------------
def test_sops_in_a_nested_kustomization_and_decryption_present(make_repo):
    sops_secret = (FIXTURES / "fleet" / "secrets" / "production" / "db.yaml").read_text()
    with_decryption = "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"
    repo = make_repo(
        {
            "clusters/prod/a.yaml": ks("plain", "./deploy")
            + "---\n"
            + ks("decrypted", "./deploy", extra=with_decryption),
            "deploy/app/kustomization.yaml": "resources: [secret.yaml]\n",
            "deploy/app/secret.yaml": sops_secret,
            "deploy/app/unused.yaml": sops_secret,  # not read by the kustomization: not applied
            "deploy/cm.yaml": CONFIGMAP,
        }
    )
    found = findings(repo, ("GL506",))
    assert [
        (f.message.split()[0], "deploy/app/secret.yaml" in f.message, "1 more" in f.message) for f in found
    ] == [("Kustomization/plain", True, False)]


# -- GL507 --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "version, pinned",
    [
        ("6.5.4", True),
        ("v6.5.4", True),
        ("=6.5.4", True),
        ("1.0.0-rc.1+build.5", True),
        ("${CHART_VERSION}", True),
        (None, False),
        ("", False),
        ("*", False),
        (">=1.0.0", False),
        ("1.x", False),
        ("~1.2", False),
        ("^1.2.3", False),
        ("1.2", False),
        (">= 1.0.0, < 2.0.0", False),
    ],
)
def test_version_problem(version, pinned):
    assert (version_problem(version) is None) is pinned


def test_chart_ref_and_git_charts(make_repo):
    oci = (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {0}\n  namespace: x\n"
        "spec:\n  interval: 1h\n  url: oci://ghcr.io/acme/{0}\n  ref:\n    {1}\n"
    )
    release = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {0}\n  namespace: x\n"
        "spec:\n  interval: 1h\n  chartRef:\n    kind: OCIRepository\n    name: {0}\n"
    )
    git_chart = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: git\n  namespace: x\n"
        "spec:\n  interval: 1h\n  chart:\n    spec:\n      chart: ./charts/app\n      sourceRef:\n"
        "        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n"
    )
    repo = make_repo(
        {
            "production/a.yaml": "---\n".join(
                [
                    oci.format("range", 'semver: "1.x"'),
                    release.format("range"),
                    oci.format("digest", "digest: sha256:abc"),
                    release.format("digest"),
                    oci.format("latest", "tag: latest"),
                    release.format("latest"),
                    git_chart,
                ]
            ),
            "staging/a.yaml": oci.format("range", 'semver: "1.x"') + "---\n" + release.format("range"),
        }
    )
    found = findings(repo, ("GL507",))
    assert triples(found) == [("GL507", "production/a.yaml", 10), ("GL507", "production/a.yaml", 54)]
    assert all(f.environment == "production" for f in found)


# -- the corpus ---------------------------------------------------------------------------------------------------
def test_corpus_flux_kustomize_helm_example(corpus):
    found = findings(corpus / "fluxcd__flux2-kustomize-helm-example")
    assert triples(found) == [
        ("GL507", "apps/production/podinfo-values.yaml", 9),
        ("GL507", "infrastructure/controllers/cert-manager.yaml", 21),
        ("GL507", "infrastructure/controllers/envoy-gateway.yaml", 21),
    ]


def test_corpus_flux_multi_tenancy_is_clean(corpus):
    assert findings(corpus / "fluxcd__flux2-multi-tenancy") == []


def test_corpus_mutation_breaks_the_artifact_path(corpus, tmp_path):
    copy = tmp_path / "helm-example"
    shutil.copytree(corpus / "fluxcd__flux2-kustomize-helm-example", copy)
    apps = copy / "clusters" / "production" / "apps.yaml"
    apps.write_text(apps.read_text().replace("path: ./production", "path: ./prod"))
    assert [(f.rule, f.path) for f in findings(copy, ("GL502",))] == [
        ("GL502", "clusters/production/apps.yaml")
    ]


# -- the cluster-template layout: children patched by their parent, kustomize namespaces, components --------
def test_cluster_template_fixture_is_clean():
    assert findings(FIXTURES / "cluster-template") == []


def test_parent_patches_give_children_their_decryption(tmp_path):
    copy = tmp_path / "ct"
    shutil.copytree(FIXTURES / "cluster-template", copy)
    ks_file = copy / "kubernetes" / "flux" / "cluster" / "ks.yaml"
    text = ks_file.read_text()
    ks_file.write_text(text[: text.index("  patches:")])
    assert triples(findings(copy)) == [("GL506", "kubernetes/apps/default/echo/ks.yaml", 14)]


def test_json6902_parent_patch_sets_prune(make_repo):
    parent = ks(
        "parent",
        "./apps",
        extra=(
            "  patches:\n    - patch: |\n        - op: add\n          path: /spec/prune\n          value: true\n"
            "      target:\n        kind: Kustomization\n        name: child-.*\n"
        ),
    )
    child = ks("child-a", "./apps").replace("  prune: true\n", "")
    other = ks("other", "./apps").replace("  prune: true\n", "")
    repo = make_repo({"clusters/prod/parent.yaml": parent, "apps/children.yaml": child + "---\n" + other})
    assert [f.message.split()[0] for f in findings(repo, ("GL501",))] == ["Kustomization/other"]


def test_flux_operator_sources_and_resource_sets(make_repo):
    resource_set = """apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: tenants
  namespace: flux-system
spec:
  inputs:
    - tenant: team-a
  resources:
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: tenant-<< inputs.tenant >>
        namespace: flux-system
      spec:
        interval: 10m
        path: ./tenants/<< inputs.tenant >>
        prune: true
        sourceRef:
          kind: OCIRepository
          name: flux-system
"""
    deps = "  dependsOn:\n    - name: tenant-team-a\n    - name: tenant-team-b\n"
    repo = make_repo(
        {
            "clusters/prod/tenants.yaml": resource_set,
            # the FluxInstance's OCIRepository/flux-system is defined; paths inside an OCI artifact are unknown
            "clusters/prod/apps.yaml": ks(
                "apps", "./not/in/this/repo", source_kind="OCIRepository", extra=deps
            ),
        }
    )
    assert findings(repo) == []


def test_bootstrap_source_of_another_repository_is_not_this_repository(make_repo):
    files = {
        "clusters/prod/flux-system/gotk-sync.yaml": git_repository(
            "flux-system", "ssh://git@github.com/acme/fleet"
        ),
        "clusters/prod/apps.yaml": ks("apps", "./not-here"),
    }
    assert [f.rule for f in findings(make_repo(files))] == ["GL502"]
    files[".gitops-lint.yaml"] = "repo_urls: ['https://github.com/acme/apps']\n"
    assert findings(make_repo(files)) == []
    files[".gitops-lint.yaml"] = "repo_urls: ['https://github.com/acme/fleet.git']\n"
    assert [f.rule for f in findings(make_repo(files))] == ["GL502"]


PARENT_PATCHING_GRANDCHILDREN = """  patches:
    - patch: |
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: _}
        spec:
          patches:
            - patch: |
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: _}
                spec: {prune: true}
              target: {kind: Kustomization}
      target: {kind: Kustomization}
"""


def test_inherited_patches_reach_grandchildren(make_repo):
    child = ks("child", "./team")
    grandchild = ks("grandchild", "./team").replace("  prune: true\n", "")
    files = {
        "clusters/prod/parent.yaml": ks("parent", "./apps", extra=PARENT_PATCHING_GRANDCHILDREN),
        "apps/child.yaml": child,
        "team/gc.yaml": grandchild,
    }
    assert findings(make_repo(files), ("GL501",)) == []
    files["clusters/prod/parent.yaml"] = ks("parent", "./apps")
    assert [f.message.split()[0] for f in findings(make_repo(files), ("GL501",))] == [
        "Kustomization/grandchild"
    ]


MALFORMED = [
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a}\nspec: [1, 2]\n",
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: nope\nspec:\n  path: 5\n"
    "  sourceRef: [GitRepository]\n  dependsOn: infra\n  patches: {patch: x}\n  prune: yes-please\n",
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: b}\nspec:\n"
    "  path: ../../outside\n  sourceRef: {kind: GitRepository, name: flux-system}\n  dependsOn: [7, {name: 3}]\n"
    "  patches: [{patch: '- op: add\\n  path: 5'}, {patch: 'not: [valid'}, 3]\n  decryption: true\n",
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: c}\nspec:\n  chart: 3\n"
    "  chartRef: nope\n",
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: d}\nspec:\n"
    "  chart: {spec: {version: [1], sourceRef: {kind: 4, name: []}}}\n  dependsOn: [{name: d}]\n",
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: e, namespace: x}\nspec:\n"
    "  chartRef: {kind: OCIRepository, name: e}\n---\napiVersion: source.toolkit.fluxcd.io/v1\n"
    "kind: OCIRepository\nmetadata: {name: e, namespace: x}\nspec: {ref: [1]}\n",
    "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: g}\n"
    "spec: {sources: [3, {name: 4}], artifacts: [{name: a, copy: [{from: 3}, 'x', {from: '@x', to: 5}]}]}\n---\n"
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: f}\n"
    "spec: {path: ./a, sourceRef: {kind: ExternalArtifact, name: a}}\n",
    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: s, namespace: flux-system}\n"
    "spec: {url: 'https://github.com/acme/x', ref: {branch: [main]}}\n---\n"
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: g, namespace: flux-system}\n"
    "spec: {path: ./a, sourceRef: {kind: GitRepository, name: s, namespace: [x]}}\n---\n"
    "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: h}\n"
    "spec: {sources: [{alias: [a], kind: GitRepository, name: flux-system}], artifacts: [{name: b}]}\n",
    "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: g}\n"
    "spec: {sources: 3, artifacts: [{name: a, copy: 5}]}\n---\n"
    "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: h}\n"
    "spec: {artifacts: 7}\n---\n"
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: f}\n"
    "spec: {path: ./a, patches: 5, sourceRef: {kind: ExternalArtifact, name: a}}\n",
    "apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSet\nmetadata: {name: r}\nspec: {resources: [3, {kind: 4}]}\n",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_flux_objects_never_crash(make_repo, text):
    repo = make_repo({"production/x.yaml": text, "production/kustomization.yaml": "resources: [x.yaml]\n"})
    findings(repo)  # asserts no internal error (GL000)


def test_checked_out_branch_counts_as_this_content(tmp_path):
    top = tmp_path / "tenant"
    subprocess.run(["git", "init", "-q", "-b", "dev-team", str(top)], check=True)
    subprocess.run(
        ["git", "-C", str(top), "remote", "add", "origin", "https://github.com/acme/tenants"], check=True
    )
    (top / "clusters").mkdir()
    (top / "clusters" / "sync.yaml").write_text(
        git_repository("dev", "https://github.com/acme/tenants", ref="branch: dev-team")
        + "---\n"
        + git_repository("prod", "https://github.com/acme/tenants", ref="branch: production")
        + "---\n"
        + ks("dev", "./missing", "dev")
        + "---\n"
        + ks("prod", "./missing", "prod")
    )
    assert [f.message.split()[0] for f in findings(top, ("GL502",))] == ["Kustomization/dev"]


def test_malformed_refs_of_this_repository_never_crash(make_repo):
    text = next(t for t in MALFORMED if "branch: [main]" in t)
    repo = make_repo({".gitops-lint.yaml": "repo_urls: ['https://github.com/acme/x']\n", "x.yaml": text})
    findings(repo)


def test_oci_repository_listed_in_repo_urls_is_this_repository(make_repo):
    oci = (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {0}\n"
        "  namespace: flux-system\nspec:\n  interval: 5m\n  url: {1}\n  ref: {{tag: latest}}\n"
    )
    files = {
        ".gitops-lint.yaml": "repo_urls: ['oci://ghcr.io/acme/fleet-manifests']\n",
        "clusters/prod/sources.yaml": oci.format("fleet", "oci://ghcr.io/acme/fleet-manifests")
        + "---\n"
        + oci.format("vendor", "oci://ghcr.io/vendor/manifests"),
        "clusters/prod/apps.yaml": ks("ok", "./apps", "fleet", source_kind="OCIRepository")
        + "---\n"
        + ks("bad", "./missing", "fleet", source_kind="OCIRepository")
        + "---\n"
        + ks("vendor", "./missing", "vendor", source_kind="OCIRepository"),
        "apps/cm.yaml": CONFIGMAP,
    }
    assert [f.message.split()[0] for f in findings(make_repo(files), ("GL502",))] == ["Kustomization/bad"]


def test_paths_brought_in_by_git_repository_include_are_not_judged(make_repo):
    sync = git_repository("flux-system", "https://github.com/acme/fleet") + (
        "  include:\n    - repository: {name: platform}\n      fromPath: deploy\n      toPath: vendor/platform\n"
        "    - repository: {name: shared}\n"
    )
    files = {
        "clusters/prod/flux-system/gotk-sync.yaml": sync,
        "clusters/prod/apps.yaml": ks("a", "./vendor/platform/apps")
        + "---\n"
        + ks("b", "./shared")
        + "---\n"
        + ks("c", "./vendor")
        + "---\n"
        + ks("d", "./missing"),
    }
    assert [f.message.split()[0] for f in findings(make_repo(files), ("GL502",))] == ["Kustomization/d"]
