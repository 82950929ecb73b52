"""GL701 at the line to change (issue-10 review, shaped like Argo CD's manifests/base).

A kustomization `images:` entry with `newTag: latest` sets the tag of every matching container, even
where the base already wrote `:latest`: the line to change is the entry's `newTag`, once, listing the
containers; a base image no entry touches is still reported at its own line.
"""

from __future__ import annotations

from gitops_lint.api import lint_path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: {image}
"""


def test_newtag_latest_is_one_finding_at_the_kustomization_entry(make_repo):
    repo = make_repo({
        "manifests/base/kustomization.yaml": (
            "images:\n- name: quay.io/example/app\n  newName: quay.io/example/app\n  newTag: latest\n"
            "resources:\n- server.yaml\n- repo-server.yaml\n- redis.yaml\n"),
        "manifests/base/server.yaml": DEPLOYMENT.format(name="server", image="quay.io/example/app:latest"),
        "manifests/base/repo-server.yaml": DEPLOYMENT.format(name="repo-server", image="quay.io/example/app:latest"),
        "manifests/base/redis.yaml": DEPLOYMENT.format(name="redis", image="redis:latest"),
    })
    found = sorted((f.path, f.line, f.message) for f in lint_path(repo, select=["GL701"], jobs=1).findings)
    assert [(p, line) for p, line, _ in found] == [
        ("manifests/base/kustomization.yaml", 4), ("manifests/base/redis.yaml", 14)]
    assert "2 containers" in found[0][2]
    assert "Deployment/repo-server container repo-server" in found[0][2]
    assert "Deployment/server container server" in found[0][2]


def test_images_skaffold_builds_are_tagged_by_skaffold(make_repo):
    """microservices-demo: kubernetes-manifests/ name `image: adservice`; skaffold.yaml builds and tags it."""
    repo = make_repo({
        "skaffold.yaml": (
            "apiVersion: skaffold/v4beta10\nkind: Config\nmetadata:\n  name: app\nbuild:\n  artifacts:\n"
            "    - image: adservice\n      context: src/adservice\nmanifests:\n  kustomize:\n    paths:\n"
            "      - kubernetes-manifests\n"),
        "kubernetes-manifests/kustomization.yaml": "resources:\n  - adservice.yaml\n  - redis.yaml\n",
        "kubernetes-manifests/adservice.yaml": DEPLOYMENT.format(name="adservice", image="adservice"),
        "kubernetes-manifests/redis.yaml": DEPLOYMENT.format(name="redis", image="redis"),
    })
    found = [(f.path, f.line) for f in lint_path(repo, select=["GL701"], jobs=1).findings]
    assert found == [("kubernetes-manifests/redis.yaml", 14)]


def test_images_a_tiltfile_builds_are_tagged_by_tilt(make_repo):
    """Argo CD's manifests/dev-tilt: `image: argocd-job` is what the Tiltfile's docker_build('argocd-job') makes."""
    repo = make_repo({
        "Tiltfile": (
            "k8s_yaml(kustomize('manifests/dev-tilt'))\n"
            "docker_build(\n    'argocd-job', \n    context='.',\n    dockerfile='Dockerfile.tilt',\n)\n"),
        "manifests/dev-tilt/kustomization.yaml": "resources:\n  - job.yaml\n  - cache.yaml\n",
        "manifests/dev-tilt/job.yaml": DEPLOYMENT.format(name="job", image="argocd-job"),
        "manifests/dev-tilt/cache.yaml": DEPLOYMENT.format(name="cache", image="memcached"),
    })
    found = [(f.path, f.line) for f in lint_path(repo, select=["GL701"], jobs=1).findings]
    assert found == [("manifests/dev-tilt/cache.yaml", 14)]
