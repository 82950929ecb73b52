"""Process hygiene rules GL902–GL905 on a fixture platform repo (tests/fixtures/hygiene/) and small repos."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_lint.api import lint_path
from gitops_lint.checks.hygiene import _ARGO_MARKERS
from gitops_lint.hygiene.ci_commands import scan
from gitops_lint.hygiene.codeowners import parse

FIXTURES = Path(__file__).parent / "fixtures" / "hygiene"
HYGIENE_RULES = ("GL902", "GL903", "GL904", "GL905")


def findings(repo, select=HYGIENE_RULES):
    result = lint_path(repo, select=list(select))
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return [f for f in result.findings if f.rule in select]


def triples(found):
    return sorted((f.rule, f.path, f.line) for f in found)


def test_platform_fixture_reports_exactly_the_seeded_defects():
    # one finding per job, script or target (it used to be one per line), listing the commands and lines
    assert triples(findings(FIXTURES / "platform")) == [
        ("GL902", ".circleci/config.yml", 8),  # kustomize build | kubectl apply
        ("GL902", ".github/workflows/deploy.yaml", 28),  # job deploy: set-context, kubeconfig, 3 commands
        ("GL902", ".gitlab-ci.yml", 10),
        ("GL902", "Jenkinsfile", 7),  # withKubeConfig credentials, then kubectl scale
        ("GL902", "azure-pipelines.yml", 3),  # KubernetesManifest task
        ("GL903", "Makefile", 5),
        ("GL903", "Taskfile.yml", 5),
        ("GL903", "scripts/deploy.sh", 4),  # kubectl apply and kubectl scale
        ("GL904", "CODEOWNERS", 4),  # the pattern without owners un-owns production
        ("GL905", "argocd/web-production.yaml", 1),
    ]


def test_fixture_quiet_parts():
    found = findings(FIXTURES / "platform")
    paths = {f.path for f in found}
    # render-only scripts, an e2e script on kind, the operator bootstrap and a read-only pipeline
    assert not paths & {"scripts/render.sh", "hack/e2e.sh", "scripts/bootstrap.sh", "bitbucket-pipelines.yml"}
    workflow = [f for f in found if f.path == ".github/workflows/deploy.yaml"]
    assert [f.line for f in workflow] == [28]  # not the validate job nor the kind e2e job
    assert workflow[0].message.count("(line ") == 5 and "`kubectl apply` (line 34)" in workflow[0].message
    assert "job `deploy`" in workflow[0].message
    script = next(f for f in found if f.path == "scripts/deploy.sh")
    assert "`kubectl apply` (line 4), `kubectl scale` (line 5)" in script.message


def test_test_jobs_scripts_they_call_and_cluster_administration_are_not_drift():
    """A workflow job that starts kind through ./hack/e2e-setup.sh, then runs `make deploy-e2e` and
    ./hack/run-tests.sh; a Taskfile task whose dependency starts k3d; node administration, a token and
    the Flux/SOPS key bootstrap. Left: one finding per target or script, listing its commands."""
    found = findings(FIXTURES / "e2e-repo", ("GL902", "GL903"))
    assert triples(found) == [("GL903", "Makefile", 16), ("GL903", "scripts/hotfix.sh", 4)]
    by_path = {f.path: f.message for f in found}
    assert "target `deploy`" in by_path["Makefile"]
    assert "`kubectl apply` (line 16), `helm upgrade` (line 17)" in by_path["Makefile"]
    assert "(line 4)" in by_path["scripts/hotfix.sh"] and "(line 6)" in by_path["scripts/hotfix.sh"]


def test_messages_never_repeat_the_command_line():
    for f in findings(FIXTURES / "platform", ("GL902",)):
        assert "PROD_KUBECONFIG" not in f.message and "--from-literal" not in f.message


@pytest.mark.parametrize(
    "line, expected",
    [
        ("kubectl apply -f x.yaml", ["kubectl apply"]),
        ("  - kubectl --context prod -n web apply -k .", ["kubectl apply"]),
        (
            "kubectl delete pod x && kubectl rollout restart deploy/x",
            ["kubectl delete", "kubectl rollout restart"],
        ),
        ("kubectl rollout status deploy/x", []),
        ("kubectl get pods -o name | xargs kubectl label --overwrite team=a", ["kubectl label"]),
        ("kubectl diff -k . ; kubectl kustomize .", []),
        ("kubectl apply --dry-run=client -f x", []),
        ("kubectl apply --dry-run -f x", []),
        ("kubectl apply --dry-run=none -f x", ["kubectl apply"]),
        ("helm upgrade --install web ./chart", ["helm upgrade"]),
        ("helm template web . | kubectl apply -f -", ["kubectl apply"]),
        ("helm lint . && helm plugin install https://x", []),
        ("skaffold run -p prod", ["skaffold run"]),
        ("helmfile -e prod sync", ["helmfile sync"]),
        ("oc apply -f route.yaml", ["oc apply"]),
        ("# kubectl apply -f x", []),
        ("echo 'kubectl apply -f x'", []),
        ("- name: kubectl apply everything", []),
        ("kubectl_apply_helper", []),
        # node administration, tokens, operator and decryption-key bootstrap are not drift
        ("kubectl label node worker-1 role=ingress --overwrite", []),
        ("kubectl label --overwrite nodes -l pool=gpu accelerator=a100", []),
        ("kubectl create token ci-reader --duration=1h", []),
        ("cat key.txt | kubectl -n flux-system create secret generic sops-age --from-file=age.agekey=/dev/stdin", []),
        ("kubectl create secret generic sops-gpg --namespace=argocd --from-file=sops.asc=/dev/stdin", []),
        ("kubectl apply -n argocd -f https://raw.githubusercontent.com/argoproj/argo-cd/stable/install.yaml", []),
        ("kubectl label pod web-0 debug=true", ["kubectl label"]),
        ("kubectl create secret generic web --from-literal=a=b", ["kubectl create"]),
    ],
)
def test_scan(line, expected):
    assert [c.name for c in scan(line)] == expected


def test_groovy_comments_in_jenkinsfiles():
    assert [c.name for c in scan("// sh 'kubectl apply -f x'\nsh 'kubectl apply -f y'", "//")] == [
        "kubectl apply"
    ]


def test_which_files_are_ci_files_and_scripts(make_repo):
    apply = "kubectl apply -f out.yaml\n"
    files = {
        "ci/Jenkinsfile.prod": f"sh '{apply.strip()}'\n",  # a CI file
        "tools/deploy/Makefile": f"deploy:\n\t{apply}",  # a script with one target
        "hack/up.zsh": apply,
        "vendor/lib/deploy.sh": apply,  # vendored: someone else's code
        "web/node_modules/x/Makefile": f"all:\n\t{apply}",
        "docs/Jenkinsfile-notes.md": apply,  # neither
    }
    assert triples(findings(make_repo(files), ("GL902", "GL903"))) == [
        ("GL902", "ci/Jenkinsfile.prod", 1),
        ("GL903", "hack/up.zsh", 1),
        ("GL903", "tools/deploy/Makefile", 2),
    ]


# -- GL904 CODEOWNERS semantics ----------------------------------------------------------------------------
def test_codeowners_last_match_wins_and_empty_pattern_unowns():
    owners = parse(
        "CODEOWNERS",
        "* @all\n/apps/ @apps  # inline comment\napps/web/ \n[Section] @x\n"
        "**/production/ @sre\n!negated @nobody\n",
    )
    assert owners.owners("README.md") == ("@all",)
    assert owners.owners("apps/api/base/k.yaml") == ("@apps",)
    assert owners.owners("apps/web/base/k.yaml") == ()
    assert owners.owners("apps/web/overlays/production/k.yaml") == ("@sre",)
    assert owners.rule_for("apps/web/base/k.yaml").line == 3


def _production_app(codeowners: dict[str, str]) -> dict[str, str]:
    return {
        "apps/web/base/kustomization.yaml": "resources: []\n",
        "apps/web/overlays/staging/kustomization.yaml": "resources: [../../base]\n",
        "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\n",
        **codeowners,
    }


@pytest.mark.parametrize(
    "codeowners, expected",
    [
        ({}, [("GL904", "apps/web/overlays/production/kustomization.yaml", 1)]),
        ({".github/CODEOWNERS": "* @org/all\n"}, []),
        ({"docs/CODEOWNERS": "/apps/*/overlays/production/ @org/sre\n"}, []),
        ({".gitlab/CODEOWNERS": "[Production]\n/apps/**/production/ @org/sre\n"}, []),
        ({"CODEOWNERS": "/apps/*/base/ @org/dev\n"}, [("GL904", "CODEOWNERS", 1)]),
        # GitHub reads .github/CODEOWNERS first: the root file is ignored
        (
            {".github/CODEOWNERS": "/docs/ @org/docs\n", "CODEOWNERS": "* @org/all\n"},
            [("GL904", ".github/CODEOWNERS", 1)],
        ),
        # Kubernetes-style OWNERS files with approvers also gate review
        ({"apps/OWNERS": "approvers:\n  - sre-lead\n"}, []),
    ],
)
def test_codeowners_locations(make_repo, codeowners, expected):
    assert triples(findings(make_repo(_production_app(codeowners)), ("GL904",))) == expected


def test_no_production_no_codeowners_finding(make_repo):
    files = _production_app({})
    del files["apps/web/overlays/production/kustomization.yaml"]
    assert findings(make_repo(files), ("GL904",)) == []


def test_only_outermost_production_dirs_are_named(make_repo):
    files = {
        "clusters/production/kustomization.yaml": "resources: []\n",
        "clusters/production/monitoring/kustomization.yaml": "resources: []\n",  # inside the one above
        "clusters/eu/production/kustomization.yaml": "resources: []\n",  # not inside it
        "clusters/staging/kustomization.yaml": "resources: []\n",
    }
    [found] = findings(make_repo(files), ("GL904",))
    assert (found.path, found.line) == ("clusters/eu/production/kustomization.yaml", 1)
    assert "(clusters/eu/production and 1 more)" in found.message  # clusters/production is the other


def test_owners_files_with_approvers_cover_their_directory_and_below(make_repo):
    files = {
        **_production_app({}),
        "apps/api/base/kustomization.yaml": "resources: []\n",
        "apps/api/overlays/staging/kustomization.yaml": "resources: [../../base]\n",
        "apps/api/overlays/production/kustomization.yaml": "resources: [../../base]\n",
        "apps/db/base/kustomization.yaml": "resources: []\n",
        "apps/db/overlays/staging/kustomization.yaml": "resources: [../../base]\n",
        "apps/db/overlays/production/kustomization.yaml": "resources: [../../base]\n",
        "apps/web/OWNERS": "approvers:\n  - web-lead\n",
        "apps/db/overlays/OWNERS": "reviewers:\n  - db-dev\n",  # reviewers only: no gate
    }
    [found] = findings(make_repo(files), ("GL904",))
    assert found.path == "apps/api/overlays/production/kustomization.yaml"
    assert "(apps/api/overlays/production and 1 more)" in found.message


# -- GL905 ------------------------------------------------------------------------------------------------------
APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd{annotations}
spec:
  project: default
  source: {{repoURL: 'https://github.com/acme/x', path: apps/web, targetRevision: main}}
  destination: {{server: 'https://kubernetes.default.svc', namespace: web}}
"""
NOTIFICATIONS_CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-notifications-cm
  namespace: argocd
data:
{data}"""


@pytest.mark.parametrize(
    "files, alerts",
    [
        ({"app.yaml": APP.format(annotations="")}, False),
        (
            {
                "app.yaml": APP.format(
                    annotations="\n  annotations:\n    notifications.argoproj.io/subscribe.on-sync-failed"
                    ".slack: gitops"
                )
            },
            True,
        ),
        (
            {
                "app.yaml": APP.format(annotations=""),
                "cm.yaml": NOTIFICATIONS_CM.format(data="  service.slack: |\n    token: $slack-token\n"),
            },
            True,
        ),
        # the empty ConfigMap of a vendored install manifest configures nothing
        ({"app.yaml": APP.format(annotations=""), "cm.yaml": NOTIFICATIONS_CM.format(data="  {}\n")}, False),
        (
            {
                "app.yaml": APP.format(annotations=""),
                "values.yaml": "notifications:\n  enabled: true\n  triggers:\n    trigger.on-sync-failed: |\n      - send: [x]\n",
            },
            True,
        ),
        (
            {
                "app.yaml": APP.format(annotations=""),
                "rules.yaml": (
                    "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: argo}\nspec:\n  groups:\n"
                    '    - name: argo\n      rules:\n        - alert: OutOfSync\n          expr: argocd_app_info{sync_status!="Synced"} > 0\n'
                ),
            },
            True,
        ),
        (
            {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n"},
            None,
        ),  # no operator
    ],
)
def test_drift_alerting(make_repo, files, alerts):
    found = findings(make_repo(files), ("GL905",))
    assert bool(found) is (alerts is False)


@pytest.mark.parametrize("marker", _ARGO_MARKERS)
def test_every_argo_notification_marker_counts_as_alerting(make_repo, marker):
    files = {"app.yaml": APP.format(annotations=""), "values.yaml": f"notifications:\n  {marker}.x: |\n    a: b\n"}
    assert findings(make_repo(files), ("GL905",)) == []


def test_a_marker_split_across_two_files_is_no_alerting(make_repo):
    files = {"app.yaml": APP.format(annotations=""), "a.yaml": "note: service.", "b.yaml": "slack: x\n"}
    assert len(findings(make_repo(files), ("GL905",))) == 1


def test_flux_alert_needs_a_provider(make_repo, tmp_path):
    card = (
        Path(__file__).parent.parent / "rules" / "hygiene" / "GL905-hygiene-drift-alerting.yaml"
    ).read_text()
    assert "kind: Provider" in card  # the good example pairs them; without the Provider it is not enough
    ks = (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a, namespace: flux-system}\n"
        "spec: {interval: 1m, path: ./, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n"
    )
    alert = (
        "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {name: a}\n"
        "spec: {providerRef: {name: slack}, eventSources: [{kind: Kustomization, name: '*'}]}\n"
    )
    assert findings(make_repo({"ks.yaml": ks, "alert.yaml": alert}), ("GL905",))


# -- the corpus -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [
        ("fluxcd__flux2-kustomize-helm-example", {"GL904": 1, "GL905": 1}),
        ("fluxcd__flux2-multi-tenancy", {"GL904": 1, "GL905": 1}),
        ("GoogleCloudPlatform__microservices-demo", {}),
        # examples/ only: `examples/ldap/overlays/production` is an example, not a production environment
        ("kubernetes-sigs__kustomize", {}),
    ],
)
def test_corpus(corpus, name, expected):
    counts: dict[str, int] = {}
    for f in findings(corpus / name):
        counts[f.rule] = counts.get(f.rule, 0) + 1
    assert counts == expected


def test_gitlab_jobs_on_kind_are_skipped_job_by_job(make_repo):
    gitlab = """stages: [test, deploy]
e2e:
  stage: test
  script:
    - kind create cluster
    - kubectl apply -k overlays/staging
deploy:
  stage: deploy
  script:
    - kubectl apply -k overlays/production
"""
    assert triples(findings(make_repo({".gitlab-ci.yml": gitlab}), ("GL902",))) == [
        ("GL902", ".gitlab-ci.yml", 10)
    ]


def test_workflow_level_kubeconfig_is_reported(make_repo):
    workflow = """name: x
on: [push]
env:
  KUBECONFIG_DATA: ${{ secrets.KUBE_CONFIG }}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"""
    found = findings(make_repo({".github/workflows/x.yml": workflow}), ("GL902",))
    assert triples(found) == [("GL902", ".github/workflows/x.yml", 4)]
    assert "KUBE_CONFIG" not in found[0].message


def test_odd_inputs_never_crash(make_repo, tmp_path):
    repo = make_repo(
        {
            ".github/workflows/list.yml": "jobs: [kubectl apply -f x]\n",
            ".github/workflows/broken.yml": "jobs:\n  a: [\n    run: kubectl apply -f x\n",
            ".github/workflows/empty.yml": "",
            ".gitlab-ci.yml": "- just a list\n",
            "CODEOWNERS": "[unclosed\n\\#escaped @a\n/a/[z-a]/ @b\n** \n",
            "apps/web/base/kustomization.yaml": "resources: []\n",
            "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\n",
        }
    )
    (repo / "scripts").mkdir()
    (repo / "scripts" / "binary.sh").write_bytes(b"\x00\x01kubectl apply\x00")
    found = findings(repo)
    assert {(f.rule, f.path) for f in found} >= {("GL902", ".github/workflows/broken.yml")}


def test_scan_has_no_catastrophic_backtracking():
    # every flag could once be read two ways (`-` + `-name` or `--` + `name`): 2^n attempts on a miss
    line = "kubectl " + " ".join(f"--flag{i} value{i}" for i in range(40)) + " get pods"
    assert list(scan(line)) == []
    assert [c.name for c in scan(line.replace(" get pods", " apply -f x"))] == ["kubectl apply"]


def test_makefile_targets_on_kind_are_skipped_one_by_one(make_repo):
    makefile = (
        "e2e:\n\tkind create cluster\n\tkubectl apply -k overlays/staging\n\n"
        "deploy-prod: render\n\tkubectl apply -k overlays/production\n"
    )
    taskfile = (
        "version: '3'\ntasks:\n  test:\n    cmds:\n      - k3d cluster create t\n      - kubectl apply -k x\n"
        "  release:\n    cmds:\n      - helm upgrade --install web ./chart\n"
    )
    script = "#!/bin/sh\nkind create cluster\nkubectl apply -k overlays/staging\n"
    found = findings(
        make_repo({"Makefile": makefile, "Taskfile.yml": taskfile, "hack/e2e.sh": script}), ("GL903",)
    )
    assert triples(found) == [("GL903", "Makefile", 6), ("GL903", "Taskfile.yml", 9)]
