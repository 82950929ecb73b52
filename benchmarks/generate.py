"""Generate a synthetic GitOps monorepo in the reference layout.

    python benchmarks/generate.py OUT --apps 1000 [--envs development,staging,production] [--git]

Per app (17 files): a base (kustomization, Deployment, Service, ConfigMap, ServiceAccount), one
overlay per environment (kustomization, a Deployment patch, a ConfigMap patch) and one Argo CD
Application per environment. Shared: an AppProject, a kustomize Component used by every base
(`components/common`), and a little infrastructure. `--helm N` adds an in-repo chart (`charts/web`)
and N Argo CD Applications deploying it with different values (`argocd/helm/`); `--flux-helm N`, N
Flux HelmReleases of that chart (`flux/releases/`). `--git` commits the result so that `diff`
benchmarks have a base revision.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def _base(app: str, i: int) -> dict[str, str]:
    return {
        "kustomization.yaml": KUSTOMIZATION + (
            "resources:\n  - deployment.yaml\n  - service.yaml\n  - configmap.yaml\n  - serviceaccount.yaml\n"
            "components:\n  - ../../../components/common\n"
            f"labels:\n  - pairs:\n      app.kubernetes.io/name: {app}\n    includeSelectors: true\n"
        ),
        "deployment.yaml": f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      serviceAccountName: {app}
      containers:
        - name: {app}
          image: {_image(app, i)}:1.{i % 10}.0
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: {app}-config
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: 8080}}
""",
        "service.yaml": f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app: {app}
  ports:
    - port: 80
      targetPort: 8080
""",
        "configmap.yaml": f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout"
  UPSTREAM_URL: http://{app}-upstream:8080
""",
        "serviceaccount.yaml": f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n",
    }


def _image(app: str, i: int) -> str:
    return f"registry.example.com/team{i % 17}/{app}"


def _overlay(app: str, i: int, env: str, replicas: int) -> dict[str, str]:
    return {
        "kustomization.yaml": KUSTOMIZATION + (
            f"namespace: {app}-{env}\nresources:\n  - ../../base\n"
            "patches:\n  - path: deployment-patch.yaml\n  - path: configmap-patch.yaml\n"
            f"images:\n  - name: {_image(app, i)}\n    newTag: 1.{i % 10}.{1 if env == 'production' else 2}\n"
        ),
        "deployment-patch.yaml": f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
spec:
  replicas: {replicas}
""",
        "configmap-patch.yaml": f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
data:
  LOG_LEVEL: {"debug" if env == "development" else "info"}
  ENVIRONMENT: {env}
""",
    }


def _application(app: str, env: str) -> str:
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {app}-{env}
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://git.example.com/platform/gitops.git
    targetRevision: main
    path: apps/{app}/overlays/{env}
  destination:
    server: https://kubernetes.default.svc
    namespace: {app}-{env}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    retry:
      limit: 5
      backoff: {{duration: 5s, factor: 2, maxDuration: 3m}}
    syncOptions:
      - CreateNamespace=true
"""


SHARED = {
    "components/common/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "commonAnnotations:\n  team.example.com/owner: platform\n"
    ),
    "argocd/projects/platform.yaml": """apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: platform
  namespace: argocd
spec:
  sourceRepos:
    - https://git.example.com/platform/gitops.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: "*"
  clusterResourceWhitelist:
    - group: ""
      kind: Namespace
""",
    "infrastructure/monitoring/kustomization.yaml": KUSTOMIZATION + "resources:\n  - namespace.yaml\n",
    "infrastructure/monitoring/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n",
}


CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "charts/web/values.yaml": "replicas: 2\nimage: {repository: nginx, tag: 1.27.3}\nport: 8080\n",
    "charts/web/templates/_helpers.tpl": '{{- define "web.labels" -}}\napp.kubernetes.io/name: '
                                         "{{ .Release.Name }}\n{{- end -}}\n",
    "charts/web/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n"
        '    {{- include "web.labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n'
        "  selector:\n    matchLabels:\n      {{- include \"web.labels\" . | nindent 6 }}\n  template:\n"
        "    metadata:\n      labels:\n        {{- include \"web.labels\" . | nindent 8 }}\n    spec:\n"
        "      containers:\n        - name: web\n"
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
        "          ports:\n            - containerPort: {{ .Values.port }}\n"
        "          readinessProbe:\n            tcpSocket:\n              port: {{ .Values.port }}\n"
        "          resources:\n            requests: {cpu: 10m, memory: 32Mi}\n"),
    "charts/web/templates/service.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector:\n"
        '    {{- include "web.labels" . | nindent 4 }}\n  ports:\n    - port: {{ .Values.port }}\n'),
}


def helm_application(i: int, repo_url: str = "https://example.com/bench.git") -> str:
    """An Argo CD Application deploying the in-repo chart `charts/web` with values of its own."""
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-{i:03d}\n"
            f"  namespace: argocd\nspec:\n  project: default\n  source:\n"
            f"    repoURL: {repo_url}\n    targetRevision: main\n    path: charts/web\n"
            f"    helm:\n      valuesObject:\n        replicas: {2 + i % 3}\n        port: {8000 + i}\n"
            f"  destination:\n    server: https://kubernetes.default.svc\n    namespace: team-{i % 10}\n")


def flux_helm_release(i: int) -> str:
    """A Flux HelmRelease of the in-repo chart `charts/web` (a GitRepository source: this repository)."""
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: fweb-{i:03d}\n"
            f"  namespace: team-{i % 10}\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ./charts/web\n"
            f"      sourceRef:\n        kind: GitRepository\n        name: flux-system\n"
            f"        namespace: flux-system\n  values:\n    replicas: {2 + i % 3}\n    port: {9000 + i}\n")


def generate(out: Path, apps: int, envs: list[str], helm: int = 0, flux_helm: int = 0) -> int:
    """Write the repository (with `helm` Argo CD Applications and `flux_helm` Flux HelmReleases of an
    in-repo chart); returns the number of files."""
    count = 0

    def write(rel: str, content: str) -> None:
        nonlocal count
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        count += 1

    for rel, content in SHARED.items():
        write(rel, content)
    for i in range(apps):
        app = f"svc-{i:04d}"
        for name, content in _base(app, i).items():
            write(f"apps/{app}/base/{name}", content)
        for env in envs:
            replicas = 3 if env == "production" else 1
            for name, content in _overlay(app, i, env, replicas).items():
                write(f"apps/{app}/overlays/{env}/{name}", content)
            write(f"argocd/applications/{app}-{env}.yaml", _application(app, env))
    for rel, content in (CHART.items() if helm or flux_helm else ()):
        write(rel, content)
    for i in range(helm):
        write(f"argocd/helm/web-{i:03d}.yaml", helm_application(i, "https://git.example.com/platform/gitops.git"))
    for i in range(flux_helm):
        write(f"flux/releases/web-{i:03d}.yaml", flux_helm_release(i))
    return count


def commit(out: Path) -> None:
    """Make `out` a git repository with one commit (for diff benchmarks)."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(out), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "synthetic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--envs", default="development,staging,production")
    parser.add_argument("--helm", type=int, default=0, metavar="N",
                        help="add an in-repo chart and N Argo CD Applications deploying it")
    parser.add_argument("--flux-helm", type=int, default=0, metavar="N",
                        help="add an in-repo chart and N Flux HelmReleases of it")
    parser.add_argument("--git", action="store_true", help="commit the result into a new git repository")
    args = parser.parse_args()
    files = generate(args.out, args.apps, args.envs.split(","), args.helm, args.flux_helm)
    if args.git:
        commit(args.out)
    print(f"{files} files, {args.apps} apps in {args.out}")


if __name__ == "__main__":
    main()
