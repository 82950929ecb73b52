"""Charts written for the Helm tests: one app chart exercising helpers, `range`, `tpl`, `required`,
`fail`, `.Files.Get`, a vendored subchart with global values and a `crds/` directory; builders of the
Flux HelmRelease / Kustomization and Argo CD Application YAML that deploys them."""

from __future__ import annotations

import base64
import hashlib
import http.server
import importlib.util
import textwrap
import threading

import pytest

SDK = importlib.util.find_spec("helm_python") is not None
needs_sdk = pytest.mark.skipif(not SDK, reason="helm-python-sdk (gitops-lint[helm]) not installed")


def web_chart(prefix: str = "charts/web") -> dict[str, str]:
    """The files of the `web` test chart under `prefix`."""
    p = prefix
    return {
        f"{p}/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.4.0\ndependencies:\n"
                           "  - name: sidecar\n    version: 0.1.0\n",
        f"{p}/values.yaml": "replicas: 2\nimage: nginx:1.27.0\nports: [80]\n"
                            "greeting: 'hello {{ .Release.Name }}'\nhost: example.org\n"
                            "global:\n  team: blue\nsidecar:\n  enabled: true\n",
        f"{p}/values.schema.json": '{"type": "object", "properties": {"replicas": '
                                   '{"type": "integer", "minimum": 1}}}\n',
        f"{p}/files/motd.txt": "welcome\n",
        f"{p}/.helmignore": "notes/\n",
        f"{p}/notes/ignored.txt": "{{ this would not parse }}\n",
        f"{p}/crds/widget.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                                 "metadata:\n  name: widgets.example.com\n",
        f"{p}/templates/_helpers.tpl": '{{- define "web.fullname" -}}\n'
                                       "{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end -}}\n",
        f"{p}/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            '  name: {{ include "web.fullname" . }}\n  namespace: {{ .Release.Namespace }}\n'
            "  labels:\n    team: {{ .Values.global.team }}\nspec:\n  replicas: {{ .Values.replicas }}\n"
            "  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n"
            "      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n"
            "          image: {{ .Values.image }}\n          ports:\n"
            "            {{- range .Values.ports }}\n            - containerPort: {{ . }}\n"
            "            {{- end }}\n"),
        f"{p}/templates/configmap.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
            '  name: {{ include "web.fullname" . }}\ndata:\n'
            "  greeting: {{ tpl .Values.greeting . | quote }}\n"
            '  motd: {{ .Files.Get "files/motd.txt" | quote }}\n'
            '  host: {{ required "host is required" .Values.host | quote }}\n'
            "{{- if .Values.broken }}{{ fail \"broken is set\" }}{{ end }}\n"),
        f"{p}/charts/sidecar/Chart.yaml": "apiVersion: v2\nname: sidecar\nversion: 0.1.0\n",
        f"{p}/charts/sidecar/values.yaml": "enabled: false\n",
        f"{p}/charts/sidecar/templates/cm.yaml": (
            "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
            "  name: {{ .Release.Name }}-sidecar\ndata:\n  team: {{ .Values.global.team }}\n{{- end }}\n"),
    }


def loop_chart(prefix: str = "charts/loop") -> dict[str, str]:
    """A chart whose template loops for a very long time (the time limit must stop it)."""
    return {
        f"{prefix}/Chart.yaml": "apiVersion: v2\nname: loop\nversion: 0.0.1\n",
        f"{prefix}/templates/loop.yaml": "{{- range $i := until 40000 }}{{ range $j := until 40000 }}"
                                          "{{ end }}{{ end }}\n",
    }


def expected_web(release: str, namespace: str, replicas: int = 2, team: str = "blue",
                 image: str = "nginx:1.27.0") -> dict[tuple[str, str], dict]:
    """The objects `web` renders with default values except those given, by (kind, name)."""
    name = f"{release}-web"
    return {
        ("CustomResourceDefinition", "widgets.example.com"): {
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"}},
        ("ConfigMap", name): {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"greeting": f"hello {release}", "motd": "welcome\n", "host": "example.org"}},
        ("ConfigMap", f"{release}-sidecar"): {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{release}-sidecar"},
            "data": {"team": team}},
        ("Deployment", name): {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": {"team": team}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": image,
                                                           "ports": [{"containerPort": 80}]}]}}}},
    }


def by_kind_name(objects) -> dict[tuple[str, str], dict]:
    """Rendered objects (with `.data`) keyed by (kind, name)."""
    return {(o.data["kind"], o.data["metadata"]["name"]): o.data for o in objects}


DEPLOY_REPO = "https://github.com/acme/deploy.git"
FLUX_GIT_SOURCE = ("GitRepository", "flux-system", "flux-system")


def flux_release(name: str = "shop", namespace: str = "prod", chart: str = "./charts/web", *,
                 version: str | None = None, source: tuple[str, str, str | None] = FLUX_GIT_SOURCE,
                 interval: bool = False, spec: str = "") -> str:
    """A Flux HelmRelease of `chart` (at `version`) from `source` (kind, name, namespace or None),
    by default the flux-system GitRepository; `spec` is the rest of its spec, as written. With that
    source and no version, `chart:` is line 9 and `spec` starts at line 14 (one later with `interval`)."""
    kind, source_name, source_namespace = source
    return (_release_header(name, namespace, interval) + f"  chart:\n    spec:\n      chart: {chart}\n"
            + (f"      version: {version}\n" if version is not None else "")
            + f"      sourceRef:\n        kind: {kind}\n        name: {source_name}\n"
            + (f"        namespace: {source_namespace}\n" if source_namespace is not None else "") + spec)


def flux_chart_ref_release(kind: str, ref_name: str, ref_namespace: str | None = None, *, name: str = "shop",
                           namespace: str = "prod", interval: bool = False, spec: str = "") -> str:
    """A Flux HelmRelease whose `chartRef` names a HelmChart or OCIRepository; `spec` as in flux_release.
    `chartRef:` is line 7 (8 with `interval`)."""
    return (_release_header(name, namespace, interval) + f"  chartRef:\n    kind: {kind}\n    name: {ref_name}\n"
            + (f"    namespace: {ref_namespace}\n" if ref_namespace is not None else "") + spec)


def _release_header(name: str, namespace: str, interval: bool) -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\nspec:\n" + ("  interval: 10m\n" if interval else ""))


def remote_release_files(url: str, replicas: int = 3) -> dict[str, str]:
    """apps/shop: a HelmRepository `charts` at `url` and a Flux HelmRelease `shop` of its chart web 1.4.0."""
    return {"apps/shop/repo.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n"
                                   f"  name: charts\n  namespace: prod\nspec:\n  url: {url}\n",
            "apps/shop/release.yaml": flux_release(chart="web", version="1.4.0",
                                                   source=("HelmRepository", "charts", None),
                                                   spec=f"  values:\n    replicas: {replicas}\n")}


def values_secret(key: str, value: str, name: str = "shop-secret", namespace: str = "prod") -> str:
    """A Secret holding `value` (base64-encoded) under `key`, as a release's `valuesFrom` reads it."""
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n"
            f"  {key}: {base64.b64encode(value.encode()).decode()}\n")


def flux_kustomization(name: str, path: str, spec: str = "") -> str:
    """A Flux Kustomization `name` (namespace flux-system) applying `path` of the flux-system
    GitRepository every 10m with pruning; `spec` is the rest of its spec, as written."""
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
            f"  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n  prune: true\n"
            "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n" + spec)


def argo_source(repo_url: str = DEPLOY_REPO, revision: str = "main", *, path: str | None = None,
                chart: str | None = None, ref: str | None = None, helm: str = "") -> str:
    """One Argo CD Application source, unindented: a chart of a chart repository (`chart`), a directory
    of the repository (`path`) or a `ref`; `helm` is its helm block's lines, as written under `helm:`."""
    if chart is not None:
        text = f"repoURL: {repo_url}\nchart: {chart}\ntargetRevision: {revision}\n"
    else:
        text = f"repoURL: {repo_url}\ntargetRevision: {revision}\n"
        text += f"path: {path}\n" if path is not None else f"ref: {ref}\n"
    return text + ("helm:\n" + textwrap.indent(helm, "  ") if helm else "")


def argo_app(*sources: str, name: str = "shop", destination: str = "shop") -> str:
    """An Argo CD Application `name` (namespace argocd, project default) deploying `sources` (argo_source)
    to the `destination` namespace of the in-cluster server: one source as `source:`, more as `sources:`."""
    if len(sources) == 1:
        body = "  source:\n" + textwrap.indent(sources[0], "    ")
    else:
        body = "  sources:\n" + "".join("    - " + textwrap.indent(s, "      ")[6:] for s in sources)
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n"
            f"  namespace: argocd\nspec:\n  project: default\n{body}"
            f"  destination:\n    server: https://kubernetes.default.svc\n    namespace: {destination}\n")


class ChartRepo:
    """index.yaml + web-<version>.tgz on 127.0.0.1; records every request path."""

    def __init__(self, archives: dict[str, bytes], digest_override: str | None = None):
        self.requests: list[str] = []
        entries = "".join(
            f"  - name: web\n    version: {v}\n    urls: [charts/web-{v}.tgz]\n"
            f"    digest: {digest_override or hashlib.sha256(a).hexdigest()}\n" for v, a in archives.items())
        files = {"/index.yaml": f"apiVersion: v1\nentries:\n  web:\n{entries}".encode()}
        files.update({f"/charts/web-{v}.tgz": a for v, a in archives.items()})
        repo = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                repo.requests.append(self.path)
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
