"""Layout rules GL101–GL107 on fixture repos (tests/fixtures/layout/) and small generated repos."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.spelling import near_miss

FIXTURES = Path(__file__).parent / "fixtures" / "layout"
LAYOUT_RULES = ("GL101", "GL102", "GL103", "GL104", "GL105", "GL106", "GL107")


def findings(repo, select=LAYOUT_RULES):
    result = lint_path(repo, select=list(select))
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return [f for f in result.findings if f.rule in select]


def triples(found):
    return sorted((f.rule, f.path, f.line) for f in found)


def kustomization(*resources: str) -> str:
    return "resources:\n" + "".join(f"  - {r}\n" for r in resources) if resources else "resources: []\n"


def deployment(name: str) -> str:
    return f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"


def classic_app(name: str, *envs: str) -> dict[str, str]:
    files = {
        f"apps/{name}/base/kustomization.yaml": kustomization("deployment.yaml"),
        f"apps/{name}/base/deployment.yaml": deployment(name),
    }
    for env in envs:
        files[f"apps/{name}/overlays/{env}/kustomization.yaml"] = kustomization("../../base")
    return files


def test_overlays_beside_the_base_and_misspelt_environments():
    """apps/<app>/{base,dev,local}: sibling overlays; `prodcution` is a misspelling of `production`."""
    found = findings(FIXTURES / "siblings")
    assert triples(found) == [
        ("GL101", "apps/legacy/kustomization.yaml", 1),
        ("GL101", "apps/search/base/kustomization.yaml", 1),
        ("GL106", "apps/orders/prodcution/kustomization.yaml", 1),
    ]
    by_path = {f.path: f for f in found}
    # only the three apps that follow the layout in full are counted, not `search` (flagged itself)
    assert "unlike 3 other apps" in by_path["apps/legacy/kustomization.yaml"].message
    assert "has no overlays/<env>/" in by_path["apps/search/base/kustomization.yaml"].message
    assert "rename it to `production`" in by_path["apps/orders/prodcution/kustomization.yaml"].message


@pytest.mark.parametrize("name, known, expected", [
    ("prodcution", ["production"], "production"),
    ("developement", ["development"], "development"),
    ("stagign", ["staging"], "staging"),
    ("staging2", ["staging"], None),  # a variant, not a misspelling
    ("production-eu", ["production"], None),
    ("demo", ["dev"], None),  # short names differ by design
    ("sandbox", ["staging", "production"], None),
])
def test_near_miss(name, known, expected):
    assert near_miss(name, known) == expected


def test_classic_fixture_reports_each_planted_mistake_once():
    found = findings(FIXTURES / "classic")
    assert triples(found) == [
        ("GL101", "apps/legacy/kustomization.yaml", 1),
        ("GL102", "apps/api/overlays/production/kustomization.yaml", 1),
        ("GL103", "apps/web/overlays/production/kustomization.yaml", 1),
        ("GL104", "apps/web/overlays/production/kustomization.yaml", 3),
        ("GL105", "apps/db/base/service.yaml", 1),
        ("GL106", "apps/db/overlays/prod/kustomization.yaml", 1),
        ("GL107", "apps/web/Dockerfile", 1),
        ("GL107", "apps/web/src/main.go", 1),
    ]
    by_rule = {f.rule: f for f in found}
    assert "`staging`" in by_rule["GL102"].message and by_rule["GL102"].environment == "staging"
    assert "rename it to `production`" in by_rule["GL106"].message
    assert "from app `apps/api`" in by_rule["GL104"].message
    assert by_rule["GL103"].environment == "production"
    assert "add it to apps/db/base/kustomization.yaml" in by_rule["GL105"].message


def test_flux_layout_is_not_judged_as_classic_apps():
    """apps/base/<app> + apps/<env> and clusters/<env>: only the undeployed scratch file is reported."""
    found = findings(FIXTURES / "flux")
    assert triples(found) == [("GL105", "scratch/debug-pod.yaml", 1)]


def test_argo_directory_apps_recurse_only_when_asked():
    found = findings(FIXTURES / "argo")
    assert triples(found) == [("GL105", "manifests/flat/nested/cm.yaml", 1)]


# -- GL101 ----------------------------------------------------------------------------------------
def test_gl101_overlays_without_base(make_repo):
    repo = make_repo(
        {
            "apps/web/overlays/dev/kustomization.yaml": kustomization("deployment.yaml"),
            "apps/web/overlays/dev/deployment.yaml": deployment("web"),
        }
    )
    found = findings(repo, ["GL101"])
    assert len(found) == 1 and "no base/" in found[0].message


def test_gl101_base_without_kustomization_and_overlay_without_kustomization(make_repo):
    repo = make_repo(
        {
            "apps/web/base/deployment.yaml": deployment("web"),
            "apps/web/overlays/dev/patch.yaml": deployment("web"),
        }
    )
    messages = sorted(f.message for f in findings(repo, ["GL101"]))
    assert len(messages) == 2
    assert any("apps/web/base/ has no kustomization.yaml" in m for m in messages)
    assert any("overlay apps/web/overlays/dev/ has no kustomization.yaml" in m for m in messages)


def test_gl101_accepts_overlays_split_by_region(make_repo):
    files = classic_app("web")
    files["apps/web/overlays/prod/eu/kustomization.yaml"] = kustomization("../../../base")
    assert findings(make_repo(files), ["GL101"]) == []


def test_gl101_leaves_lone_non_classic_directories_alone(make_repo):
    files = {**classic_app("web", "dev"), "apps/tools/deployment.yaml": deployment("tools")}
    assert findings(make_repo(files), ["GL101"]) == []  # one classic app is no majority to deviate from


# -- GL102 / GL106 --------------------------------------------------------------------------------
def test_gl102_uses_configured_environments(make_repo):
    files = {**classic_app("web", "dev", "prod"), **classic_app("api", "dev", "prod")}
    found = findings(make_repo(files, {"environments": ["dev", "qa", "prod"]}), ["GL102"])
    assert sorted((f.path, f.environment) for f in found) == [
        ("apps/api/overlays/dev/kustomization.yaml", "qa"),
        ("apps/web/overlays/dev/kustomization.yaml", "qa"),
    ]


def test_gl102_does_not_double_report_a_synonym_gl106_reports(make_repo):
    files = {
        **classic_app("web", "production"),
        **classic_app("api", "production"),
        **classic_app("db", "prod"),
    }
    repo = make_repo(files)
    assert findings(repo, ["GL102"]) == []
    assert [f.environment for f in findings(repo, ["GL106"])] == ["prod"]


def test_gl106_with_configured_environments_reports_every_other_name(make_repo):
    files = {**classic_app("web", "production", "sandbox-eu")}
    found = findings(make_repo(files, {"environments": ["staging", "production"]}), ["GL106"])
    assert len(found) == 1 and found[0].environment == "sandbox-eu"
    assert "add it to `environments`" in found[0].message


def test_gl106_unconfigured_tie_prefers_the_canonical_name(make_repo):
    files = {**classic_app("web", "production"), **classic_app("api", "prod")}
    found = findings(make_repo(files), ["GL106"])
    assert [(f.environment, "`production`" in f.message) for f in found] == [("prod", True)]


def test_gl106_ignores_names_without_synonyms(make_repo):
    files = {**classic_app("web", "eu-west", "us-east"), **classic_app("api", "eu-west")}
    assert findings(make_repo(files), ["GL106"]) == []


# -- GL103 / GL104 --------------------------------------------------------------------------------
def test_gl103_accepts_base_reached_through_another_overlay(make_repo):
    files = classic_app("web", "staging")
    files["apps/web/overlays/production/kustomization.yaml"] = kustomization("../staging")
    assert findings(make_repo(files), ["GL103"]) == []


def test_gl103_reports_overlay_that_never_reaches_its_base(make_repo):
    files = {**classic_app("web"), **classic_app("api", "dev")}
    files["apps/web/overlays/dev/kustomization.yaml"] = kustomization("../../../api/base")
    found = findings(make_repo(files), ["GL103", "GL104"])
    assert sorted(f.rule for f in found) == ["GL103", "GL104"]


def test_gl104_allows_shared_components_outside_apps(make_repo):
    files = {
        **classic_app("web"),
        **classic_app("api", "dev"),
        "components/tls/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
    }
    files["apps/web/overlays/dev/kustomization.yaml"] = (
        kustomization("../../base") + "components:\n  - ../../../../components/tls\n"
    )
    assert findings(make_repo(files), ["GL104"]) == []


def test_gl104_every_reference_into_another_app_is_reported(make_repo):
    files = {**classic_app("web", "dev"), **classic_app("api", "dev")}
    files["apps/api/base/service.yaml"] = deployment("api-svc")
    files["apps/web/overlays/dev/kustomization.yaml"] = kustomization(
        "../../base", "../../../api/base/deployment.yaml", "../../../api/base/service.yaml", "../../../api/overlays/dev")
    found = findings(make_repo(files), ["GL104"])
    assert [(f.path, f.line) for f in found] == [("apps/web/overlays/dev/kustomization.yaml", n) for n in (3, 4, 5)]
    assert all("of app `apps/web` pulls in" in f.message and "from app `apps/api`" in f.message for f in found)


# -- GL105 ----------------------------------------------------------------------------------------
def test_gl105_without_operator_only_reports_files_beside_a_kustomization(make_repo):
    repo = make_repo(
        {
            "plain/deployment.yaml": deployment("plain"),  # applied by other means: not reported
            "app/kustomization.yaml": kustomization("deployment.yaml"),
            "app/deployment.yaml": deployment("app"),
            "app/forgotten.yaml": deployment("forgotten"),
        }
    )
    assert triples(findings(repo, ["GL105"])) == [("GL105", "app/forgotten.yaml", 1)]


def test_gl105_ignores_bootstrap_objects_ci_files_charts_and_kustomize_configs(make_repo):
    repo = make_repo(
        {
            "argocd/app.yaml": (
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n"
                "  source:\n    repoURL: https://example.com/r.git\n    path: app\n"
            ),
            "flux/sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: g\n",
            ".github/workflows/deploy.yaml": deployment("ci"),
            "charts/x/Chart.yaml": "apiVersion: v2\nname: x\nversion: 1.0.0\n",
            "charts/x/templates/deployment.yaml": deployment("x"),
            "config/kustomization-like.yaml": (
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: k\n"
            ),
            "app/kustomization.yaml": kustomization("deployment.yaml") + "patches:\n  - path: patch.yaml\n",
            "app/deployment.yaml": deployment("app"),
            "app/patch.yaml": deployment("app"),
        }
    )
    assert findings(repo, ["GL105"]) == []


def test_gl105_flux_external_artifact_paths_map_back_through_the_generator(make_repo):
    flux = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  sourceRef:
    kind: ExternalArtifact
    name: apps
  path: ./production
---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: gen
spec:
  sources:
    - alias: mono
      kind: GitRepository
      name: flux-system
  artifacts:
    - name: apps
      copy:
        - from: "@mono/deploy/production/**"
          to: "@artifact/production/"
"""
    repo = make_repo(
        {
            "clusters/prod/apps.yaml": flux,
            "deploy/production/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deployed\n",
            "deploy/staging/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n",
        }
    )
    assert triples(findings(repo, ["GL105"])) == [("GL105", "deploy/staging/cm.yaml", 1)]


def test_gl105_skaffold_raw_yaml_counts_as_deployed(make_repo):
    repo = make_repo(
        {
            "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nmanifests:\n  rawYaml:\n    - k8s/extra.yaml\n",
            "k8s/kustomization.yaml": kustomization("deployment.yaml"),
            "k8s/deployment.yaml": deployment("app"),
            "k8s/extra.yaml": deployment("extra"),
        }
    )
    assert findings(repo, ["GL105"]) == []


def test_gl105_unlisted_file_below_a_flux_path_with_kustomization(make_repo):
    flux = (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps\n"
    )
    repo = make_repo(
        {
            "clusters/prod/apps.yaml": flux,
            "apps/one/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n",
            "apps/two/kustomization.yaml": kustomization("cm.yaml"),
            "apps/two/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n",
            "apps/two/left-out.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: left-out\n",
        }
    )
    assert triples(findings(repo, ["GL105"])) == [("GL105", "apps/two/left-out.yaml", 1)]


# -- GL107 ----------------------------------------------------------------------------------------
def test_gl107_skips_vendored_and_hidden_directories(make_repo):
    repo = make_repo(
        {
            "tools/node_modules/x/package.json": "{}",
            ".devcontainer/Dockerfile": "FROM x\n",
            "package.json": "{}",  # the repository's own tooling
            "hack/requirements.txt": "pyyaml\n",
            "apps/web/base/kustomization.yaml": "resources: []\n",
        }
    )
    assert findings(repo, ["GL107"]) == []


def test_gl107_reports_each_src_folder_once_outside_hidden_and_vendored_ones(make_repo):
    repo = make_repo(
        {
            "services/api/src/main.go": "package main\n",
            "services/api/src/util/strings.go": "package util\n",  # same src/ folder: not again
            "services/web/src/app.py": "print()\n",
            "services/web/src/README.md": "docs\n",
            ".ci/src/lint.py": "print()\n",  # hidden
            "third_party/lib/src/x.go": "package x\n",  # vendored
            "main.go": "package main\n",  # not under a src/ folder, not a marker
            "apps/web/base/kustomization.yaml": "resources: []\n",
        }
    )
    found = findings(repo, ["GL107"])
    assert [(f.path, f.message.split("/ ")[0]) for f in found] == [
        ("services/api/src/main.go", "services/api/src"),
        ("services/web/src/app.py", "services/web/src"),
    ]


def test_source_repository_with_a_deploy_folder_is_linted_for_its_gitops_part_only():
    """go.mod at the root, services with Dockerfiles, manifests only under deploy/: an application's repo."""
    assert findings(FIXTURES / "source-repo") == []


def test_a_config_repository_with_code_is_still_reported(make_repo):
    repo = make_repo({"go.mod": "module x\n", "apps/web/base/kustomization.yaml": "resources: []\n",
                      "apps/web/Dockerfile": "FROM x\n"})
    assert sorted(f.path for f in findings(repo, ["GL107"])) == ["apps/web/Dockerfile", "go.mod"]


CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"


@pytest.mark.parametrize(
    "manifest, source_repository",
    [
        ("deploy/cm.yaml", True),  # only under a deploy folder: an application's repository
        ("test/e2e/cm.yaml", True),  # test inputs say nothing about the kind
        ("apps/web/cm.yaml", False),  # one object outside the deploy folders: a config repository
    ],
)
def test_one_manifest_decides_a_source_repository(make_repo, manifest, source_repository):
    repo = make_repo({"go.mod": "module x\n", "deploy/kustomization.yaml": "resources: []\n",
                      "web/Dockerfile": "FROM x\n", manifest: CONFIG_MAP})
    reported = sorted(f.path for f in findings(repo, ["GL107"]))
    assert reported == ([] if source_repository else ["go.mod", "web/Dockerfile"])


@pytest.mark.parametrize("name", ["go.mod", "web/package.json", "Dockerfile", "service/App.csproj"])
def test_gl107_markers(make_repo, name):
    repo = make_repo({name: "x\n", "kustomization.yaml": "resources: []\n"})
    assert [f.path for f in findings(repo, ["GL107"])] == [name]


def test_gl101_helm_chart_apps_are_not_broken_kustomize_apps(make_repo):
    files = {
        **classic_app("web", "dev"),
        **classic_app("api", "dev"),
        "apps/chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
        "apps/chart/values.yaml": "replicas: 1\n",
    }
    assert findings(make_repo(files), ["GL101"]) == []


FLUX_OTHER_SOURCE = """apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: infra
spec:
  url: https://github.com/example/infra
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infra
spec:
  sourceRef:
    kind: GitRepository
    name: infra
  path: {path}
"""


def test_gl105_flux_sources_of_other_repos(make_repo):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"
    files = {"deploy/cm.yaml": cm.format("a"), "other/cm.yaml": cm.format("b")}
    # a non-root path that exists here counts; the other file is an orphan
    repo = make_repo({**files, "clusters/infra.yaml": FLUX_OTHER_SOURCE.format(path="./deploy")})
    assert [f.path for f in findings(repo, ["GL105"])] == ["other/cm.yaml"]
    # the root of another repository never stands for this one...
    repo = make_repo({**files, "clusters/infra.yaml": FLUX_OTHER_SOURCE.format(path="./")})
    assert [f.path for f in findings(repo, ["GL105"])] == ["deploy/cm.yaml", "other/cm.yaml"]
    # ...unless the config says that URL is this repository
    config = "repo_urls:\n  - https://github.com/example/infra.git\n"  # block style: libyaml rejects a URL in a flow list
    repo = make_repo(
        {**files, "clusters/infra.yaml": FLUX_OTHER_SOURCE.format(path="./"), ".gitops-lint.yaml": config}
    )
    assert findings(repo, ["GL105"]) == []


def test_gl105_unreferenced_patches_are_not_manifests(make_repo):
    repo = make_repo(
        {
            "app/kustomization.yaml": kustomization("deployment.yaml"),
            "app/deployment.yaml": deployment("app"),
            "app/replicas-patch.yaml": deployment("app"),
            "app/delete-sidecar.yaml": deployment("app") + "$patch: delete\n",
        }
    )
    assert findings(repo, ["GL105"]) == []


def test_gl101_a_directory_of_argo_applications_is_not_a_broken_app(make_repo):
    application = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n"
        "  source:\n    repoURL: https://example.com/r.git\n    path: apps/web/overlays/dev\n"
    )
    files = {**classic_app("web", "dev"), **classic_app("api", "dev"), "apps/argocd/web.yaml": application}
    assert findings(make_repo(files), ["GL101"]) == []


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"


def test_gl105_applications_in_helm_chart_templates_deploy_their_paths(make_repo):
    """App of apps as a Helm chart (argocd-example-apps): its templates are never parsed as YAML."""
    template = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }}\n"
        "spec:\n  source:\n    repoURL: {{ .Values.repo }}\n    path: guestbook\n"
    )
    repo = make_repo(
        {
            "apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 0.1.0\n",
            "apps/templates/guestbook.yaml": template,
            "guestbook/cm.yaml": CM.format("guestbook"),
            "stray/cm.yaml": CM.format("stray"),
        }
    )
    assert [f.path for f in findings(repo, ["GL105"])] == ["stray/cm.yaml"]


def test_gl105_flux_substituted_paths_match_as_globs(make_repo):
    flux = (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./clusters/${CLUSTER}/apps\n"
    )
    repo = make_repo(
        {
            "flux/apps.yaml": flux,
            "clusters/eu/apps/cm.yaml": CM.format("eu"),
            "clusters/us/apps/cm.yaml": CM.format("us"),
            "clusters/us/other/cm.yaml": CM.format("other"),
        }
    )
    assert [f.path for f in findings(repo, ["GL105"])] == ["clusters/us/other/cm.yaml"]


def test_gl105_is_conservative_when_a_source_cannot_be_resolved(make_repo):
    appset = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\nspec:\n"
        "  generators:\n    - list:\n        elements: [{dir: a}]\n"
        "  template:\n    metadata:\n      name: x\n    spec:\n      source:\n"
        "        repoURL: https://example.com/r.git\n        path: '{{dir}}'\n"
    )
    repo = make_repo(
        {
            "argocd/appset.yaml": appset,
            "a/cm.yaml": CM.format("a"),  # deployed through the list generator, which is not expanded
            "k/kustomization.yaml": kustomization("cm.yaml"),
            "k/cm.yaml": CM.format("k"),
            "k/forgotten.yaml": CM.format("forgotten"),  # still reported: beside a kustomization
        }
    )
    assert [f.path for f in findings(repo, ["GL105"])] == ["k/forgotten.yaml"]
