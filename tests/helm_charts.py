"""Charts written for the Helm tests: one app chart exercising helpers, `range`, `tpl`, `required`,
`fail`, `.Files.Get`, a vendored subchart with global values and a `crds/` directory."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
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
