"""Flux parent Kustomizations as Flux applies them, whatever the source kind (regression fixture).

Shaped like a home-ops monorepo that publishes `kubernetes/` as an OCI artifact (FluxInstance sync of
kind OCIRepository): the parent patches prune, interval, decryption and postBuild into every child,
children set only their path, manifests use `${VAR:=default}` substitutions and SOPS-encrypted Secrets.
"""

from __future__ import annotations

from gitops_lint.api import explain_file, lint_path
from gitops_lint.flux.substitution import is_unresolved, substituted

RULES = ["GL105", "GL304", "GL501", "GL502", "GL503", "GL506"]

PARENT = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps
  prune: true
  sourceRef:
    kind: {kind}
    name: flux-system
  decryption:
    provider: sops
    secretRef:
      name: sops-age
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: _
        spec:
          decryption:
            provider: sops
            secretRef:
              name: sops-age
          interval: 1h
          prune: true
          postBuild:
            substituteFrom:
              - kind: ConfigMap
                name: cluster-settings
      target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
"""

CHILD = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: echo
  namespace: flux-system
spec:
  path: ./apps/default/echo/app
  sourceRef:
    kind: {kind}
    name: flux-system
  targetNamespace: default
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: ${ECHO_REPLICAS:=2}
  revisionHistoryLimit: ${HISTORY}
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
      containers:
        - name: echo
          image: ghcr.io/example/echo:1.2.3
          ports:
            - containerPort: ${ECHO_PORT:=8080}
"""

SOPS_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: echo
stringData:
  token: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]
sops:
  age:
    - recipient: age1examplerecipient
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        abc
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2024-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.8.1
"""


def _repo(make_repo, kind: str):
    return make_repo(
        {
            "kubernetes/flux/cluster/flux-instance.yaml": (
                "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n"
                "  namespace: flux-system\nspec:\n  distribution: {version: 2.x}\n  sync:\n"
                f"    kind: {kind}\n    url: oci://ghcr.io/example/home-ops\n    ref: latest\n"
                "    path: flux/cluster\n"
            ),
            "kubernetes/flux/cluster/ks.yaml": PARENT.format(kind=kind),
            "kubernetes/flux/cluster/cluster-settings.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\n"
            ),
            "kubernetes/apps/kustomization.yaml": "resources:\n  - ./default\n",
            "kubernetes/apps/default/kustomization.yaml": "resources:\n  - ./echo/ks.yaml\n",
            "kubernetes/apps/default/echo/ks.yaml": CHILD.format(kind=kind),
            "kubernetes/apps/default/echo/app/kustomization.yaml": (
                "resources:\n  - ./deployment.yaml\n  - ./secret.sops.yaml\n"
            ),
            "kubernetes/apps/default/echo/app/deployment.yaml": DEPLOYMENT,
            "kubernetes/apps/default/echo/app/secret.sops.yaml": SOPS_SECRET,
        }
    )


def test_parent_patches_reach_children_of_an_oci_source(make_repo):
    found = lint_path(_repo(make_repo, "OCIRepository"), select=RULES, jobs=1).findings
    assert [(f.rule, f.path, f.message) for f in found] == []


def test_the_flux_instance_sync_path_is_deployed(make_repo):
    role = explain_file(_repo(make_repo, "OCIRepository"), "kubernetes/flux/cluster/cluster-settings.yaml")
    assert role.reason == "deployed by FluxInstance/flux"


def test_parent_patches_reach_children_of_a_bucket_source(make_repo):
    found = lint_path(_repo(make_repo, "Bucket"), select=RULES, jobs=1).findings
    assert [(f.rule, f.path, f.message) for f in found] == []


def test_a_child_the_parent_does_not_patch_is_still_reported(make_repo):
    root = _repo(make_repo, "OCIRepository")
    parent = root / "kubernetes/flux/cluster/ks.yaml"
    parent.write_text(parent.read_text().replace("        kind: Kustomization\n", "        kind: Kustomization\n"
                                                 "        name: other\n"))
    rules = {f.rule for f in lint_path(root, select=RULES, jobs=1).findings}
    assert "GL501" in rules  # prune is no longer given to `echo`: recall kept


def test_substitution_defaults_are_typed_and_bare_variables_unresolved():
    assert substituted({"replicas": "${R:=2}", "name": "${N:-web}", "on": "${X=true}"}) == {
        "replicas": 2, "name": "web", "on": True}
    assert is_unresolved("${HISTORY}") and not is_unresolved("${R:=2}") and not is_unresolved("a${B}")
    assert is_unresolved("ENC[AES256_GCM,data:abc,iv:x,tag:y,type:int]")


def test_a_real_type_error_beside_a_substitution_is_still_reported(make_repo):
    root = _repo(make_repo, "OCIRepository")
    deployment = root / "kubernetes/apps/default/echo/app/deployment.yaml"
    deployment.write_text(deployment.read_text().replace("${ECHO_REPLICAS:=2}", "two"))
    found = [f for f in lint_path(root, select=["GL304"], jobs=1).findings]
    assert [f.message for f in found] == ["Deployment/echo: spec.replicas: expected an integer, got a string"]


def _production_app(make_repo, replicas: str):
    deployment = DEPLOYMENT.replace("${ECHO_REPLICAS:=2}", replicas)
    return make_repo(
        {
            "apps/echo/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
            "apps/echo/base/deployment.yaml": deployment,
            "apps/echo/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
        }
    )


def test_workload_rules_read_a_substitution_default(make_repo):
    found = lint_path(_production_app(make_repo, "${ECHO_REPLICAS:=1}"), select=["GL702"], jobs=1).findings
    assert [f.rule for f in found] == ["GL702"]
    assert "runs 1 replica(s)" in found[0].message
    quiet = lint_path(_production_app(make_repo, "${ECHO_REPLICAS:=3}"), select=["GL702", "GL304"], jobs=1)
    assert quiet.findings == []
