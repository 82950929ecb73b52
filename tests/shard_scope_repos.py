"""Repositories whose findings of the file-scoped per-object rules are spread over many units (kustomization
roots with their files) and loose files, for the sharding tests: Argo CD Applications, Flux objects, and
kustomize apps with secrets, plugins, remote bases, chart versions and suppressions."""

from __future__ import annotations

from pathlib import Path

from conftest import write_repo

ARGO_SPECS = {  # rule -> the part of an Application spec that breaks it (with the shared fields below)
    "GL401": "  project: team\n",
    "GL402": "  project: team\n  syncPolicy:\n    automated: {}\n",
    "GL403": "  project: team\n  syncPolicy:\n    automated: {selfHeal: true}\n",
    "GL404": "  project: team\n  syncPolicy:\n    automated: {selfHeal: true, prune: true}\n"
             "    retry: {limit: -1}\n",
    "GL405": "  project: default\n",
    "GL406": "  project: nowhere\n",
    "GL407": "  project: locked\n",
    "GL409": "  project: team\n",
}


def _application(name: str, rule: str) -> str:
    revision = "HEAD" if rule == "GL409" else "v1.2.0"
    repo = "other" if rule == "GL407" else "allowed"
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n"
            f"spec:\n{ARGO_SPECS[rule]}  source:\n    repoURL: https://git.example.com/{repo}.git\n"
            f"    targetRevision: {revision}\n    path: deploy\n"
            "  destination:\n    server: https://kubernetes.default.svc\n    namespace: web\n")


def argo_repo(root: Path, copies: int = 3) -> Path:
    """Applications breaking each Argo CD rule, `copies` times: loose files under argocd/, and Applications
    that a cluster kustomization root renders (one root per Application)."""
    files = {"argocd/projects.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team\n  namespace: argocd\n"
        "spec:\n  sourceRepos: ['*']\n  destinations: [{server: '*', namespace: '*'}]\n---\n"
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: locked\n  namespace: argocd\n"
        "spec:\n  sourceRepos: [https://git.example.com/allowed.git]\n"
        "  destinations: [{server: '*', namespace: '*'}]\n")}
    for rule in ARGO_SPECS:
        for i in range(copies):
            name = f"{rule.lower()}-{i}"
            if i % 2:
                files[f"clusters/{name}/app.yaml"] = _application(name, rule)
                files[f"clusters/{name}/kustomization.yaml"] = "resources:\n  - app.yaml\n"
            else:
                files[f"argocd/apps/{name}.yaml"] = _application(name, rule)
    return write_repo(root, files)


def _flux_kustomization(name: str, path: str, extra: str = "", prune: bool = True) -> str:
    return ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
            f"  name: {name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n"
            f"  prune: {'true' if prune else 'false'}\n"
            f"  sourceRef: {{kind: GitRepository, name: flux-system}}\n{extra}")


SOPS_SECRET = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
               "  password: ENC[AES256_GCM,data:qUrk,iv:9Y1=,tag:Zw==,type:str]\n"
               "sops:\n  lastmodified: '2024-01-01T00:00:00Z'\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
               "  encrypted_regex: ^(data|stringData)$\n  version: 3.8.1\n")


def flux_repo(root: Path, apps: int = 9) -> Path:
    """A Flux production cluster deploying `apps` apps, one Kustomization each: every third without prune,
    suspended, or applying a SOPS-encrypted Secret without decryption; each app's HelmRelease has an
    unpinned chart version."""
    files = {
        "clusters/production/flux-system/gotk-sync.yaml": (
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n"
            "  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://git.example.com/fleet.git\n"
            "  ref: {branch: main}\n---\n" + _flux_kustomization("flux-system", "./clusters/production")),
        "clusters/production/flux-system/kustomization.yaml": "resources:\n  - gotk-sync.yaml\n",
    }
    for i in range(apps):
        app = f"app-{i}"
        kind = i % 3
        extra = "  suspend: true\n" if kind == 1 else ""
        files[f"clusters/production/{app}.yaml"] = _flux_kustomization(app, f"./apps/{app}", extra, prune=kind != 0)
        resources = ["release.yaml", "repository.yaml"] + (["secret.enc.yaml"] if kind == 2 else [])
        files[f"apps/{app}/kustomization.yaml"] = "resources:\n" + "".join(f"  - {r}\n" for r in resources)
        files[f"apps/{app}/repository.yaml"] = (
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n"
            f"  name: charts-{i}\n  namespace: {app}\nspec:\n  interval: 1h\n  url: https://charts.example.com\n")
        files[f"apps/{app}/release.yaml"] = (
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n"
            f"  name: {app}\n  namespace: {app}\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n"
            f"      version: '>=1.0.0'\n      sourceRef: {{kind: HelmRepository, name: charts-{i}}}\n")
        if kind == 2:
            files[f"apps/{app}/secret.enc.yaml"] = SOPS_SECRET
    return write_repo(root, files)


DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n"
              "    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n"
              "    spec:\n      containers:\n        - name: web\n          image: web:1.0.0{comment}\n"
              "          env:\n            - name: DB_PASSWORD\n              value: {password}\n")
PLUGIN = ("apiVersion: builtin\nkind: Generator\nmetadata:\n  name: gen\n"
          "  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./generate.sh\n")


def kustomize_repo(root: Path, apps: int = 24) -> Path:
    """`apps` apps, each a base and a production overlay: an inline env password (GL605) and a
    credential-named ConfigMap key (GL602) everywhere, and in turn: a secretGenerator literal and env
    file (GL603; no GL602 on them); a SOPS file without a MAC and an exec plugin (GL604, GL208); an
    unpinned remote base and a plaintext Secret (GL203, GL601); a path above the repository and a
    suppression without a reason (GL202, GL002 with `require_reason`). Every other app has an unpinned
    helmCharts version (GL210)."""
    files: dict[str, str] = {}
    for i in range(apps):
        app, kind = f"apps/app-{i}", i % 4
        base = ["resources:\n  - deployment.yaml\n  - config.yaml\n"]
        overlay = ["resources:\n  - ../../base\n"]
        if kind == 0:
            base.append(f"secretGenerator:\n  - name: db\n    literals: [password=s3cret-{i}-value]\n"
                        "    envs: [db.env]\n")
            files[f"{app}/base/db.env"] = f"DB_PASSWORD=Zq8{i}vLm2Tx9Kp4Rw\n"
        elif kind == 1:
            files[f"{app}/base/secret.enc.yaml"] = SOPS_SECRET.replace("  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,"
                                                                        "type:str]\n", "")
            base[0] += "  - secret.enc.yaml\n"
            base.append("generators:\n  - plugin.yaml\n")
            files[f"{app}/base/plugin.yaml"] = PLUGIN
        elif kind == 2:
            overlay[0] += f"  - https://git.example.com/shared//base-{i}\n"
            base[0] += "  - secret.yaml\n"
            files[f"{app}/base/secret.yaml"] = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\n"
                                                f"stringData:\n  password: Yt7{i}nWq3Lx8Vb\n")
        else:
            overlay[0] += "  - ../../../../../outside\n"
        if kind % 2 == 0:
            overlay.append("helmCharts:\n  - name: web\n    repo: https://charts.example.com\n    version: '*'\n")
        comment = "  # gitops-lint: disable=GL701" if kind == 3 else ""
        files[f"{app}/base/deployment.yaml"] = DEPLOYMENT.format(name=f"web-{i}", comment=comment,
                                                                 password=f"pw-{i}-Xk29fLq")
        files[f"{app}/base/config.yaml"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n"
                                            f"  API_TOKEN: tok-{i}-9fK2mQx7Lp\n")
        files[f"{app}/base/kustomization.yaml"] = "".join(base)
        files[f"{app}/overlays/production/kustomization.yaml"] = "".join(overlay)
    return write_repo(root, files, config={"require_reason": True})
