"""One notion of "deployed manifest": every rule that judges manifests agrees on which files it looks at.

The fixture is shaped like a kubebuilder-style source repository with a deploy folder: test fixtures,
templates, tool configs, values files, patches, generator inputs, a dot-directory and a kustomization
commented out of its parent sit beside the manifests that are really deployed.
"""

from __future__ import annotations

from click.testing import CliRunner

from gitops_lint.api import explain_file, lint_path
from gitops_lint.cli import main
from gitops_lint.model.file_roles import Role

MANIFEST_RULES = ["GL105", "GL205", "GL303", "GL304", "GL305", "GL306", "GL601", "GL605", "GL701", "GL704", "GL705"]

GOOD_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: manager
spec:
  selector: {matchLabels: {app: manager}}
  template:
    metadata: {labels: {app: manager}}
    spec:
      containers:
        - name: manager
          image: example.com/manager:latest
          resources: {requests: {cpu: 10m, memory: 64Mi}}
          readinessProbe: {httpGet: {path: /readyz, port: 8081}}
"""

SLOPPY_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector: {{matchLabels: {{app: x}}}}
  template:
    metadata: {{labels: {{app: x}}}}
    spec:
      containers:
        - name: main
          image: busybox
          env:
            - name: DB_PASSWORD
              value: hunter2-real
"""

FILES = {
    "config/default/kustomization.yaml": (
        "resources:\n  - ../manager\n#- ../prometheus # enable to scrape metrics\npatches:\n#- path: manager_webhook_patch.yaml\n"
    ),
    "config/default/manager_webhook_patch.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: manager\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: manager\n          ports: [{containerPort: 9443}]\n"
    ),
    "config/manager/kustomization.yaml": (
        "resources:\n  - manager.yaml\nconfigMapGenerator:\n  - name: manager-config\n"
        "    files:\n      - controller_manager_config.yaml\n"
    ),
    "config/manager/manager.yaml": GOOD_DEPLOYMENT,
    "config/manager/controller_manager_config.yaml": (
        "apiVersion: config.example.com/v1beta1\nkind: Configuration\nhealth:\n  healthProbeBindAddress: :8081\n"
    ),
    "config/prometheus/kustomization.yaml": "resources:\n  - monitor.yaml\n",
    "config/prometheus/monitor.yaml": (
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: metrics\n"
        "spec:\n  endpoints: [{port: https}]\n"
    ),
    "config/crd/patches/cainjection_in_widgets.yaml": (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  annotations: {cert-manager.io/inject-ca-from: x/y}\n  name: widgets.example.com\n"
    ),
    "pkg/controller/testdata/app/kustomization.yaml": "",
    "pkg/controller/testdata/app/deployment.yaml": SLOPPY_DEPLOYMENT.format(name="fixture"),
    "test/e2e/config/secret.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e2e\nstringData:\n  password: e2e-password-1\n"
    ),
    "hack/deploy/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Name }}\n"
        "spec:\n  replicas: {{ .Replicas }}\n"
    ),
    "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nmetadata:\n  name: dev\n",
    "hack/kind-config.yaml": "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n  - role: control-plane\n",
    "deploy/helm/values-prod.yaml": "kind: production\nimage:\n  tag: latest\n",
    ".archive/old/deployment.yaml": SLOPPY_DEPLOYMENT.format(name="archived"),
}


def _findings(root):
    return lint_path(root, select=MANIFEST_RULES, jobs=1).findings


def test_files_that_are_not_deployed_manifests_are_judged_by_no_manifest_rule(make_repo):
    root = make_repo(FILES)
    found = [(f.rule, f.path) for f in _findings(root)]
    # the one deployed manifest with a defect (a mutable tag) is still reported: recall kept
    assert found == [("GL701", "config/manager/manager.yaml")]


def test_each_file_has_one_role_with_its_reason(make_repo):
    root = make_repo(FILES)
    expected = {
        "config/manager/manager.yaml": (Role.DEPLOYED, "deployed by a kustomization"),
        "config/default/manager_webhook_patch.yaml": (Role.PATCH, "named as a kustomize patch"),
        "config/crd/patches/cainjection_in_widgets.yaml": (Role.PATCH, "named as a kustomize patch"),
        "config/manager/controller_manager_config.yaml": (Role.GENERATOR_INPUT, "config/manager/kustomization.yaml"),
        "config/prometheus/monitor.yaml": (Role.NOT_DEPLOYED, "commented out of config/default/kustomization.yaml"),
        "pkg/controller/testdata/app/deployment.yaml": (Role.FIXTURE, "`testdata/`"),
        "test/e2e/config/secret.yaml": (Role.FIXTURE, "test fixture"),
        "hack/deploy/deployment.yaml": (Role.TEMPLATE, "template"),
        "skaffold.yaml": (Role.TOOL_CONFIG, "tool"),
        "hack/kind-config.yaml": (Role.TOOL_CONFIG, "tool"),
        "deploy/helm/values-prod.yaml": (Role.VALUES, "values"),
        ".archive/old/deployment.yaml": (Role.NOT_DEPLOYED, "`.archive/`"),
    }
    for path, (role, words) in expected.items():
        decided = explain_file(root, path)
        assert (path, decided.role) == (path, role)
        assert words in decided.reason, (path, decided.reason)
        assert decided.judged is (role == Role.DEPLOYED)


def test_orphan_beside_its_kustomization_is_reported_once_and_says_why(make_repo):
    files = dict(FILES)
    files["config/manager/leftover.yaml"] = SLOPPY_DEPLOYMENT.format(name="leftover")
    found = [f for f in _findings(make_repo(files)) if f.path == "config/manager/leftover.yaml"]
    orphan = [f for f in found if f.rule == "GL105"]
    assert len(orphan) == 1
    assert "beside config/manager/kustomization.yaml, which does not list it" in orphan[0].message
    assert "not a patch, generator input, template, test fixture, tool config or values file" in orphan[0].message


def test_explain_file_command_prints_the_decision(make_repo):
    root = make_repo(FILES)
    runner = CliRunner()
    result = runner.invoke(main, ["explain-file", str(root / "pkg/controller/testdata/app/deployment.yaml"),
                                  "--repo", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pkg/controller/testdata/app/deployment.yaml: fixture: a test fixture")
    assert "not judged as a deployed manifest" in result.output
    deployed = runner.invoke(main, ["explain-file", str(root / "config/manager/manager.yaml"), "--repo", str(root)])
    assert "deployed: deployed by a kustomization" in deployed.output
    assert "\n  judged as a deployed manifest" in deployed.output


FLUX_APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./cluster/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def _flux_repo(make_repo):
    return make_repo(
        {
            "cluster/flux-system/kustomization.yaml": "resources:\n  - gotk-components.yaml\n",
            "cluster/flux-system/gotk-components.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
            "cluster/flux/apps.yaml": FLUX_APPS,
            "cluster/apps/kustomization.yaml": "resources:\n  - web\n  #- mail\n",
            "cluster/apps/web/kustomization.yaml": "resources:\n  - cm.yaml\n",
            "cluster/apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n",
            "cluster/apps/mail/kustomization.yaml": "resources:\n  - deployment.yaml\n",
            "cluster/apps/mail/deployment.yaml": SLOPPY_DEPLOYMENT.format(name="mail"),
            "cluster/apps/falco/kustomization.yaml": "resources:\n  - deployment.yaml\n",
            "cluster/apps/falco/deployment.yaml": SLOPPY_DEPLOYMENT.format(name="falco"),
        }
    )


def test_a_root_nothing_deploys_is_one_orphan_and_its_files_are_not_judged(make_repo):
    root = _flux_repo(make_repo)
    found = [(f.rule, f.path) for f in lint_path(root, select=MANIFEST_RULES, jobs=1).findings]
    # falco is listed nowhere: one finding for the root; mail is commented out: deliberate, silent
    assert found == [("GL105", "cluster/apps/falco/kustomization.yaml")]
    assert explain_file(root, "cluster/apps/falco/deployment.yaml").reason == (
        "read only by cluster/apps/falco/kustomization.yaml, which nothing deploys")
    assert explain_file(root, "cluster/flux-system/gotk-components.yaml").judged  # flux bootstrap syncs cluster/


def test_an_e2e_environment_beside_production_is_deployed_not_a_fixture(make_repo):
    root = make_repo({
        "clusters/e2e/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e\n",
        "clusters/production/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prod\n",
    })
    assert explain_file(root, "clusters/e2e/cm.yaml").role == Role.MANIFEST
    assert explain_file(root, "clusters/e2e/cm.yaml").judged


def test_explain_file_on_a_file_that_is_not_yaml(make_repo):
    root = make_repo({**FILES, "Dockerfile": "FROM scratch\n"})
    role = explain_file(root, "Dockerfile")
    assert (role.role, role.judged) == (Role.NOT_DEPLOYED, False)
    assert "not a YAML file" in role.reason


def test_consecutive_commented_out_entries_are_each_not_deployed(make_repo):
    root = make_repo({
        "apps/kustomization.yaml": "resources: []\n# - mailu\n# - network-policy.yaml\n",
        "apps/mailu/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "apps/mailu/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mailu\n",
        "apps/network-policy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: policy\n",
    })
    for path in ("apps/mailu/cm.yaml", "apps/network-policy.yaml"):
        assert "commented out of apps/kustomization.yaml" in explain_file(root, path).reason


def test_top_level_hack_directory_is_development_tooling(make_repo):
    """Kubernetes projects keep dev-loop manifests under `hack/` (built by Tilt with its own flags): a root
    there that reads a shared namespace file above it is not a broken deployment."""
    repo = make_repo({
        "config/default/kustomization.yaml": "resources: [manager.yaml]\n",
        "config/default/manager.yaml": GOOD_DEPLOYMENT,
        "hack/observability/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: observability\n",
        "hack/observability/grafana/kustomization.yaml": "resources:\n  - ../namespace.yaml\n",
    })
    assert explain_file(repo, "hack/observability/grafana/kustomization.yaml").role == Role.TOOL_CONFIG
    assert not [f for f in lint_path(repo).findings if f.path.startswith("hack/") and f.rule != "GL602"]


def test_hack_directory_read_by_a_kustomization_elsewhere_is_judged(make_repo):
    repo = make_repo({
        "config/default/kustomization.yaml": "resources: [../../hack/extra.yaml]\n",
        "hack/extra.yaml": GOOD_DEPLOYMENT,
    })
    assert explain_file(repo, "hack/extra.yaml").role != Role.TOOL_CONFIG
