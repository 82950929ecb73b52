"""Hostile repositories, end to end: bad input gets a finding, never a traceback, never a write.

Every case builds a small repository in a temp dir (nothing binary or huge is committed here) and runs
the real CLI in a subprocess with a timeout: `check` (on a plain directory and on a git work tree),
`build` on its kustomization roots, `scorecard`, and `diff` (git revisions, and revision vs. work tree).
The whole rule pack runs. For each run:

* the exit code is 0 or 1 (2 is for usage and internal errors), and no run hangs;
* nothing prints a Python traceback, and no GL000 (internal error) finding appears;
* the finding the case is about is reported (GL2xx / GL3xx);
* the repository is byte-identical afterwards: contents, modes, link targets and mtimes of every
  entry, hidden ones and `.git` included, and no file is added.

Nothing may reach the network or execute repository code: every run has proxies pointing at a closed
loopback port, and a PATH whose `helm`, `kustomize`, `kubectl`, `docker`, `ssh`, `curl`… only drop a
marker file; plugin executables in the repositories do the same. No marker may ever appear.

Beyond the case matrix: in-process runs with sockets refused and every started process recorded (only
git may run), a repository whose .git/config names programs (fsmonitor, filters, textconv…), the
never-writes-into-the-repo check in every output format, `--fix` (only fixable kustomizations, never
through a link leading out, CRLF kept), bad configs (exit 2, one line), and diffs between valid objects
and wrong-typed versions of them (the change policies).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gitfixture import GIT_ENV

CLI = [sys.executable, "-m", "gitops_lint.cli"]
TIMEOUT = 120  # seconds per CLI run; a hang is a failure, not a wait
CLOSED_PORT = "http://127.0.0.1:9"
TRAPPED_COMMANDS = ("helm", "kustomize", "kubectl", "docker", "podman", "ssh", "curl", "wget", "sops", "kpt")
Files = dict[str, "str | bytes"]


# -- repository builders -------------------------------------------------------------------------
def write(root: Path, files: Files) -> None:
    """Write text (UTF-8, exactly as given: no newline translation) or bytes files under root."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def symlink(root: Path, rel: str, target: str) -> None:
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.0
"""
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deploy.yaml\n"
ARGO_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/org/config.git
    targetRevision: main
    path: app
  destination:
    server: https://kubernetes.default.svc
    namespace: web
"""
FLUX_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
spec:
  interval: 10m
  path: ./app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def app(extra: Files | None = None, kustomization: str = KUSTOMIZATION) -> Files:
    """A minimal valid app (`app/`) plus extra files."""
    return {"app/kustomization.yaml": kustomization, "app/deploy.yaml": DEPLOYMENT, **(extra or {})}


def files_case(files: Files) -> Callable[[Path], None]:
    return lambda root: write(root, files)


@dataclass(frozen=True)
class Case:
    """A hostile repository: how to build it, which rules must fire, which roots `build` renders."""

    id: str
    build: Callable[[Path], None]
    expect: tuple[str, ...] = ()
    build_dirs: tuple[str, ...] = ("app",)
    env: dict = field(default_factory=dict)


# -- wrong types everywhere: every field of valid objects replaced by values of the wrong type ------
WRONG_VALUES = (None, 5, "x", [], {}, [1, "two", None], {"a": [1]})


def _paths(data, prefix=()):
    """Every path into a JSON-like value (dict keys and list indexes), parents first."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _replaced(data, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replaced(v, rest, value) if k == head else v) for k, v in data.items()}
    return [(_replaced(v, rest, value) if i == head else v) for i, v in enumerate(data)]


def mutations(doc: dict, keep_identity: bool = True):
    """The document with each field, in turn, replaced by each wrong value.

    With keep_identity, apiVersion/kind stay (so kind-specific rules see the object)."""
    for path in _paths(doc):
        if keep_identity and path[0] in ("apiVersion", "kind"):
            continue
        for value in WRONG_VALUES:
            yield _replaced(doc, path, value)
    for value in WRONG_VALUES:
        yield value  # the whole document of the wrong type


def _parse_yaml(text: str):
    from ruamel.yaml import YAML

    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]


def _dump(doc) -> str:
    return json.dumps(doc)  # JSON is YAML; one line per document


WORKLOAD_OBJECTS = DEPLOYMENT + """\
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: web, labels: {a: b}, annotations: {c: d}}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox:1.36}]
          containers:
            - name: job
              image: busybox
              env: [{name: PASSWORD, value: hunter2}, {name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]
              envFrom: [{secretRef: {name: s}}]
              resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 10m}}
              livenessProbe: {httpGet: {path: /, port: 80}}
              readinessProbe: {tcpSocket: {port: 80}}
              ports: [{containerPort: 80, name: http}]
              volumeMounts: [{name: v, mountPath: /v}]
          volumes: [{name: v, secret: {secretName: s}}]
          restartPolicy: Never
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: web}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce]}}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: web}
type: Opaque
stringData: {password: not-a-real-password}
data: {token: aHVudGVyMg==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {key: value}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro}
spec:
  replicas: 3
  strategy: {canary: {steps: [{setWeight: 20}]}}
  selector: {matchLabels: {app: ro}}
  template: {metadata: {labels: {app: ro}}, spec: {containers: [{name: ro, image: "nginx:1"}]}}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed}
spec: {encryptedData: {a: AgBy}}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: ext}
spec: {secretStoreRef: {name: vault, kind: ClusterSecretStore}, data: [{secretKey: a, remoteRef: {key: b}}]}
"""

ARGO_OBJECTS = ARGO_APP + """\
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
    retry: {limit: 5, backoff: {duration: 5s}}
  sources:
    - {repoURL: "https://charts.example.com", chart: web, targetRevision: 1.2.3, helm: {valueFiles: [values.yaml]}}
    - {repoURL: "https://example.com/org/config.git", path: app, targetRevision: v1, ref: values}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web-team, namespace: argocd}
spec:
  project: team
  source: {repoURL: "https://example.com/org/config.git", targetRevision: v1, path: app}
  destination: {name: in-cluster, namespace: web-a}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: apps, namespace: argocd}
spec:
  generators:
    - git:
        repoURL: https://example.com/org/config.git
        revision: main
        directories: [{path: "app*"}, {path: app/x, exclude: true}]
        files: [{path: "config/*.json"}]
    - list: {elements: [{env: prod}]}
    - matrix: {generators: [{clusters: {selector: {matchLabels: {a: b}}}}, {list: {elements: [{x: 1}]}}]}
  template:
    metadata: {name: "{{path.basename}}"}
    spec:
      project: team
      source: {repoURL: "https://example.com/org/config.git", targetRevision: main, path: "{{path}}"}
      destination: {server: "https://kubernetes.default.svc", namespace: "{{path.basename}}"}
      syncPolicy: {automated: {}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web-overrides, namespace: argocd, finalizers: [resources-finalizer.argocd.argoproj.io]}
spec:
  project: team
  source:
    repoURL: https://example.com/org/config.git
    targetRevision: HEAD
    path: app
    kustomize:
      namePrefix: x-
      images: ["nginx=nginx:1.28"]
      commonLabels: {a: b}
      patches: [{target: {kind: Deployment}, patch: "- op: add\\n  path: /x\\n  value: 1"}]
      components: [../component]
      replicas: [{name: web, count: 3}]
    directory: {recurse: true, include: "*.yaml", exclude: "secret*", jsonnet: {tlas: [{name: a, value: b}]}}
    plugin: {name: evil, env: [{name: A, value: b}]}
    helm: {valueFiles: [../../etc/passwd, values.yaml], parameters: [{name: a, value: b}], values: "a: 1"}
  destination: {server: "https://kubernetes.default.svc", namespace: web}
  ignoreDifferences: [{group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}]
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team, namespace: argocd}
spec:
  sourceRepos: ["https://example.com/org/*", "!https://example.com/org/secret"]
  destinations: [{server: "https://kubernetes.default.svc", namespace: "web-*"}]
  clusterResourceWhitelist: [{group: "", kind: Namespace}]
  namespaceResourceBlacklist: [{group: "", kind: ResourceQuota}]
  sourceNamespaces: [argocd]
"""

FLUX_OBJECTS = FLUX_KS + """\
  dependsOn: [{name: infra}, {name: crds, namespace: flux-system}]
  decryption: {provider: sops, secretRef: {name: sops-age}}
  postBuild: {substitute: {a: b}, substituteFrom: [{kind: ConfigMap, name: vars}]}
  patches: [{patch: "- op: add\\n  path: /x\\n  value: 1", target: {kind: Deployment}}]
  suspend: false
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: "ssh://git@example.com/org/config", ref: {branch: main}, secretRef: {name: flux-system}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {interval: 1h, url: "https://charts.example.com"}
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata: {name: oci, namespace: flux-system}
spec: {interval: 1h, url: "oci://example.com/org/manifests", ref: {tag: "1.0"}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: web}
spec:
  interval: 10m
  chart:
    spec: {chart: web, version: "1.x", sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}}
  values: {replicaCount: 1, image: {tag: latest}}
  valuesFrom: [{kind: Secret, name: vals}]
  dependsOn: [{name: infra}]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./app
  prune: false
  wait: true
  targetNamespace: web
  namePrefix: p-
  components: [../component]
  images: [{name: nginx, newTag: "1.28"}]
  healthChecks: [{kind: Deployment, name: web, namespace: web}]
  kubeConfig: {secretRef: {name: kc}}
  sourceRef: {kind: OCIRepository, name: oci}
  dependsOn: [{name: web}]
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ref, namespace: web}
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: oci, namespace: flux-system}
  postRenderers: [{kustomize: {patches: [{target: {kind: Deployment}, patch: "- op: add\\n  path: /x\\n  value: 1"}]}}]
  install: {remediation: {retries: 3}}
  upgrade: {remediation: {retries: 3, remediateLastFailure: true}}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {name: set, namespace: flux-system}
spec:
  inputs: [{tenant: a}]
  resources: [{apiVersion: v1, kind: Namespace, metadata: {name: "<< inputs.tenant >>"}}]
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: bucket, namespace: flux-system}
spec: {interval: 1h, bucketName: b, endpoint: s3.example.com}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata: {name: slack, namespace: flux-system}
spec: {providerRef: {name: slack}, eventSources: [{kind: Kustomization, name: "*"}], eventSeverity: error}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata: {name: slack, namespace: flux-system}
spec: {type: slack, channel: ops, secretRef: {name: slack-url}}
"""

FULL_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: web
namePrefix: p-
nameSuffix: -s
commonLabels: {app: web}
labels: [{pairs: {team: a}, includeSelectors: false, fields: [{path: metadata/labels, kind: Deployment}]}]
commonAnnotations: {note: x}
resources: [deploy.yaml]
components: [../component]
patches:
  - {path: patch.yaml, target: {kind: Deployment, name: web}}
  - {patch: "- op: replace\\n  path: /spec/replicas\\n  value: 3", target: {kind: Deployment}}
patchesStrategicMerge: [patch.yaml]
patchesJson6902: [{target: {group: apps, version: v1, kind: Deployment, name: web}, path: json.yaml}]
images: [{name: nginx, newName: nginx-unprivileged, newTag: "1.2", digest: "sha256:abc"}]
replicas: [{name: web, count: 2}]
configMapGenerator:
  - {name: cfg, literals: [a=b], files: [conf.txt, k=conf.txt], envs: [env.env], options: {labels: {x: y}}}
secretGenerator: [{name: sec, literals: [k=v], type: Opaque, behavior: create}]
generatorOptions: {disableNameSuffixHash: true, labels: {g: h}}
replacements:
  - source: {kind: ConfigMap, name: cfg, fieldPath: data.a}
    targets: [{select: {kind: Deployment}, fieldPaths: [spec.template.metadata.annotations.x], options: {create: true}}]
vars: [{name: V, objref: {kind: ConfigMap, name: cfg, apiVersion: v1}, fieldref: {fieldpath: metadata.name}}]
crds: [crd.yaml]
configurations: [conf.yaml]
openapi: {path: schema.json}
buildMetadata: [originAnnotations, managedByLabel]
sortOptions: {order: fifo}
transformers: [transformer.yaml]
generators: [generator.yaml]
"""
KUSTOMIZATION_SUPPORT: Files = {
    "deploy.yaml": DEPLOYMENT,
    "patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 4}\n",
    "json.yaml": "- op: add\n  path: /metadata/annotations\n  value: {a: b}\n",
    "conf.txt": "hello\n",
    "env.env": "A=1\n",
    "values.yaml": "a: 1\n",
    "crd.yaml": "{}\n",
    "conf.yaml": "nameReference: [{kind: ConfigMap, fieldSpecs: [{path: spec/template/spec/volumes/configMap/name}]}]\n"
    "commonLabels: [{path: metadata/labels, create: true}]\nimages: [{path: spec/containers/image, kind: Pod}]\n",
    "schema.json": "{}\n",
    "transformer.yaml": "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\nlabels: {z: y}\n"
    "fieldSpecs: [{path: metadata/labels, create: true}]\n",
    "generator.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: gen}\nliterals: [a=b]\n",
}


def mutated_objects(source: str, directory: str) -> Callable[[Path], None]:
    """One file per source object holding every mutation of it, as documents."""

    def build(root: Path) -> None:
        files: Files = {}
        for i, doc in enumerate(_parse_yaml(source)):
            docs = "---\n".join(_dump(m) + "\n" for m in mutations(doc))
            files[f"{directory}/{i:02d}-{doc['kind'].lower()}.yaml"] = docs
        write(root, files)

    return build


def random_mutations(seed: int) -> Callable[[Path], None]:
    """Production roots whose objects and kustomization each have several fields replaced at once,
    with wrong types or hostile values (a fixed seed: the same repository every run)."""
    values = [*WRONG_VALUES, True, 0, -1, "", "../../etc", "/etc/passwd", "*", "{{x}}", 1.5, {"": None}, [[[]]]]

    def build(root: Path) -> None:
        rng = random.Random(seed)

        def mutate(doc, count: int):
            for _ in range(count):
                paths = [p for p in _paths(doc) if p[0] not in ("apiVersion", "kind")]
                if not paths:
                    break
                doc = _replaced(doc, rng.choice(paths), rng.choice(values))
            return doc

        sources = {"w": WORKLOAD_OBJECTS, "a": ARGO_OBJECTS, "f": FLUX_OBJECTS, "r": RENDER_OBJECTS}
        files: Files = {}
        for name, source in sources.items():
            docs = _parse_yaml(source)
            for i in range(40):
                out = [mutate(d, rng.randint(2, 4)) for d in docs]
                files[f"prod/{name}{i:02d}/objects.yaml"] = "---\n".join(_dump(d) + "\n" for d in out)
                k = mutate(_parse_yaml(RENDER_KUSTOMIZATION)[0], rng.randint(0, 2))
                files[f"prod/{name}{i:02d}/kustomization.yaml"] = _dump(k) + "\n"
        write(root, files)

    return build


def random_kustomization_mutations(seed: int) -> Callable[[Path], None]:
    """Kustomization roots using every field, where several fields of the kustomization, or of the
    files it reads (patches, configurations, plugin configs, resources), hold wrong types at once."""
    values = [*WRONG_VALUES, True, 0, -1, "", "*", 1.5, "web", "Deployment", "metadata/labels", "/", "[x]"]

    def build(root: Path) -> None:
        rng = random.Random(seed)

        def mutate(doc, count: int):
            for _ in range(count):
                paths = list(_paths(doc))
                if not paths:
                    break
                doc = _replaced(doc, rng.choice(paths), rng.choice(values))
            return doc

        base = _parse_yaml(FULL_KUSTOMIZATION)[0]
        files: Files = {"k/component/kustomization.yaml": "kind: Component\nnamePrefix: c-\n"}
        for i in range(120):
            mutate_kustomization = i % 2 == 0
            kustomization = mutate(base, rng.randint(1, 3)) if mutate_kustomization else base
            files[f"k/{i:04d}/kustomization.yaml"] = _dump(kustomization) + "\n"
            for name, text in KUSTOMIZATION_SUPPORT.items():
                if not mutate_kustomization and name.endswith(".yaml") and rng.random() < 0.4:
                    text = "---\n".join(_dump(mutate(d, rng.randint(1, 3))) + "\n" for d in _parse_yaml(text))
                files[f"k/{i:04d}/{name}"] = text
        write(root, files)

    return build


def mutated_kustomizations(root: Path) -> None:
    """One kustomization root per mutation of a kustomization using every field."""
    base = _parse_yaml(FULL_KUSTOMIZATION)[0]
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\n"
    files: Files = {"k/component/kustomization.yaml": component}
    for i, doc in enumerate(mutations(base)):
        files[f"k/{i:04d}/kustomization.yaml"] = _dump(doc) + "\n"
        files.update({f"k/{i:04d}/{name}": text for name, text in KUSTOMIZATION_SUPPORT.items()})
    for name in KUSTOMIZATION_SUPPORT:
        files[f"k/{name}"] = KUSTOMIZATION_SUPPORT[name]
    write(root, files)


RENDER_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: web
namePrefix: p-
labels: [{pairs: {team: a}, includeSelectors: true}]
commonAnnotations: {note: x}
resources: [objects.yaml]
images: [{name: nginx, newTag: "1.28.0"}]
replicas: [{name: web, count: 1}]
patches:
  - {patch: "apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: web}\\nspec: {minReadySeconds: 5}"}
  - {patch: "- op: add\\n  path: /metadata/annotations/y\\n  value: z", target: {kind: Deployment}}
"""
RENDER_OBJECTS = DEPLOYMENT + """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 3}
"""


def mutated_renders(root: Path) -> None:
    """One production root per mutation of a Deployment (and its HPA) that every transformer touches,
    so that the renderer and the rules reading rendered output see each wrong type."""
    deployment, hpa = _parse_yaml(RENDER_OBJECTS)
    files: Files = {}
    variants = [[m, hpa] for m in mutations(deployment)] + [[deployment, m] for m in mutations(hpa)]
    for i, docs in enumerate(variants):
        files[f"prod/r{i:04d}/kustomization.yaml"] = RENDER_KUSTOMIZATION
        files[f"prod/r{i:04d}/objects.yaml"] = "---\n".join(_dump(d) + "\n" for d in docs)
    write(root, files)


def odd_file_names(root: Path) -> None:
    names = ["with space.yaml", "\u00fcn\u00efc\u00f8d\u00e9.yaml", "-dash.yaml", "--output=x.yaml",
             "new\nline.yaml", "tab\there.yaml", "back\\slash.yaml", "quote'\"s.yaml", ".hidden.yaml"]
    files = {f"app/{n}": DEPLOYMENT.replace("name: web", f"name: w{i}") for i, n in enumerate(names)}
    listed = "".join(f"  - {json.dumps(n)}\n" for n in names)
    write(root, app({**files, "app/kustomization.yaml": KUSTOMIZATION + listed}))
    (root / "app").joinpath(os.fsdecode(b"latin-\xe9.yaml")).write_bytes(b"apiVersion: v1\nkind: ConfigMap\n")


def deep_chain(root: Path) -> None:
    """A kustomization including one including one … 300 levels deep."""
    files: Files = {}
    for i in range(300):
        files[f"chain/{i:03d}/kustomization.yaml"] = f"resources: [../{i + 1:03d}]\n"
    files["chain/300/kustomization.yaml"] = "resources: [cm.yaml]\n"
    files["chain/300/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: end}\n"
    write(root, files)


WORKFLOW = """\
name: deploy
on: {push: {branches: [main]}}
env: {KUBECONFIG: /tmp/kc}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    env: {A: b}
    services: {db: {image: postgres}}
    steps:
      - uses: actions/checkout@v4
      - run: kubectl apply -f manifests/
      - {name: helm, run: "helm upgrade --install web charts/web", env: {KUBE_CONFIG: "${{ secrets.KUBECONFIG }}"}}
"""
GITLAB = """\
stages: [deploy]
variables: {KUBECONFIG: /tmp/kc}
deploy:
  stage: deploy
  image: bitnami/kubectl
  script: [kubectl apply -f manifests/]
  environment: {name: production}
  rules: [{if: '$CI_COMMIT_BRANCH == "main"'}]
"""
CIRCLE = """\
version: 2.1
jobs:
  deploy:
    docker: [{image: cimg/base:2024.01}]
    steps: [checkout, {run: {command: kubectl apply -k overlays/prod}}]
workflows: {main: {jobs: [deploy]}}
"""


def hostile_hygiene(root: Path) -> None:
    """CI files of every wrong shape, CODEOWNERS and scripts that are binary, not UTF-8 or absurd,
    next to production overlays (so that GL902-GL905 all have something to judge)."""
    files: Files = {
        "apps/web/base/kustomization.yaml": KUSTOMIZATION,
        "apps/web/base/deploy.yaml": DEPLOYMENT,
        "apps/web/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        "apps/web/overlays/dev/kustomization.yaml": "resources: [../../base]\n",
        "CODEOWNERS": "[\n\\\n**/***/ @a\n/apps/**/prod/ \n" + "x" * 200_000 + " @b\n* @c @d\n#\n!x @e\n",
        ".github/CODEOWNERS": b"\xff\xfe/apps @x\n",
        "docs/CODEOWNERS": b"\0\0binary",
        "Makefile": b"deploy:\n\tkubectl apply -k .\n\0\0",
        "deploy.sh": b"#!/bin/sh\nkubectl apply -f \xe9\n",
        "scripts/long.sh": "kubectl apply " + "-f x " * 100_000 + "\n",
        "Taskfile.yml": "version: 3\ntasks: [1, 2]\n",
        "justfile": "deploy:\n    kubectl apply -k overlays/prod\n",
        ".circleci/config.yml": "- just\n- a list\n",
        ".gitlab-ci.yml": "just a scalar\n",
        ".github/actions/x/action.yml": "runs: {using: composite, steps: 5}\n",
        ".github/workflows/bad.yml": "on: [push\n",
        ".github/workflows/binary.yml": b"\0\1\2",
    }
    for i, doc in enumerate(mutations(_parse_yaml(WORKFLOW)[0], keep_identity=False)):
        files[f".github/workflows/m{i:03d}.yml"] = _dump(doc) + "\n"
    for i, doc in enumerate(mutations(_parse_yaml(GITLAB)[0], keep_identity=False)):
        files[f".gitlab/ci/m{i:03d}.yml"] = _dump(doc) + "\n"
    for i, doc in enumerate(mutations(_parse_yaml(CIRCLE)[0], keep_identity=False)):
        files[f"more/{i:03d}/.circleci/config.yml"] = _dump(doc) + "\n"
    write(root, files)


SOPS_SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {password: "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]", user: admin}
sops:
  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]
  encrypted_regex: ^(data|stringData)$
  age: [{recipient: age1xyz, enc: "-----BEGIN AGE ENCRYPTED FILE-----"}]
  lastmodified: "2024-01-01T00:00:00Z"
  version: 3.8.1
"""


def hostile_secrets(baseline: str | bytes) -> Callable[[Path], None]:
    """Secrets, SOPS metadata of every wrong shape, a `.sops.yaml` and a `.secrets.baseline` as given."""

    def build(root: Path) -> None:
        files: Files = {
            **app(),
            ".secrets.baseline": baseline,
            ".sops.yaml": "creation_rules: 5\nstores: [1]\n",
            "app/plain.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: p}\nstringData: {password: hunter2}\n",
            "app/creds.env": b"PASSWORD=\xff\xfe\nTOKEN=ghp_0123456789abcdef0123456789abcdef0123\n",
            "app/key.pem": b"-----BEGIN RSA PRIVATE KEY-----\n\0\0\0\n",
        }
        sops = "---\n".join(_dump(m) + "\n" for m in mutations(_parse_yaml(SOPS_SECRET)[0]))
        files["secrets/sops.yaml"] = sops
        write(root, files)

    return build


# -- file-level hostility ----------------------------------------------------------------------------
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)


def big_yaml(size: int) -> str:
    line = "  key-{:07d}: " + "v" * 60 + "\n"
    out = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"]
    total, i = len(out[0]), 0
    while total < size:
        out.append(line.format(i))
        total += len(out[-1])
        i += 1
    return "".join(out)


def many_documents(count: int) -> str:
    return "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(count))


def symlink_loop(root: Path) -> None:
    write(root, app())
    symlink(root, "app/loop-a.yaml", "loop-b.yaml")
    symlink(root, "app/loop-b.yaml", "loop-a.yaml")
    symlink(root, "app/self.yaml", "self.yaml")
    symlink(root, "app/dir-loop", ".")  # a directory containing itself
    symlink(root, "app/sub/up", "../..")


def symlink_escape(root: Path) -> None:
    write(root, app(kustomization=KUSTOMIZATION + "  - passwd.yaml\n  - etc\n"))
    symlink(root, "app/passwd.yaml", "/etc/passwd")
    symlink(root, "app/etc", "/etc")
    symlink(root, "app/hostname.yaml", "/etc/hostname")
    symlink(root, "outside", "../")


def special_files(root: Path) -> None:
    """Named pipes where a kustomization expects files: reading one would block forever."""
    write(root, app(kustomization=KUSTOMIZATION + "  - fifo.yaml\nconfigMapGenerator:\n  - name: c\n"
                    "    files: [fifo.txt]\npatches:\n  - path: fifo-patch.yaml\n"))
    for name in ("fifo.yaml", "fifo.txt", "fifo-patch.yaml", "Makefile", "CODEOWNERS"):
        os.mkfifo(root / "app" / name)
    symlink(root, "app/link.yaml", "fifo.yaml")


def self_including(root: Path) -> None:
    write(root, app(kustomization=KUSTOMIZATION + "  - .\n  - ../app\n"))


def cycle_of_two(root: Path) -> None:
    write(root, {
        "a/kustomization.yaml": "resources: [../b]\n",
        "b/kustomization.yaml": "resources: [../a, deploy.yaml]\n",
        "b/deploy.yaml": DEPLOYMENT,
    })


REMOTES = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deploy.yaml
  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld
  - https://github.com/org/repo/archive/main.zip
  - git@github.com:org/repo.git//base
  - ssh://git@example.com/org/repo.git//base?ref=main
  - github.com/org/repo/base?ref=v1.0.0
  - github.com/org/repo/base
  - https://raw.githubusercontent.com/org/repo/main/deploy.yaml
components:
  - https://github.com/org/components//web?ref=main
patches:
  - path: https://example.com/patch.yaml
helmCharts:
  - {name: web, repo: "https://charts.example.com", version: 1.0.0}
"""
REMOTE_ARGO = ARGO_APP.replace("https://example.com/org/config.git", "git@github.com:org/other.git")


def exec_plugins(marker: Path) -> Callable[[Path], None]:
    """A KRM exec function, a containerised one and a legacy exec plugin, each of which would drop
    `marker` if executed (so would the trapped commands on PATH)."""
    script = f"#!/bin/sh\ntouch '{marker}'\ncat\n"

    def build(root: Path) -> None:
        function = (
            "apiVersion: example.com/v1\nkind: Evil\nmetadata:\n  name: evil\n  annotations:\n"
            "    config.kubernetes.io/function: |\n      exec:\n        path: ./evil.sh\n"
        )
        container = (
            "apiVersion: example.com/v1\nkind: Boxed\nmetadata:\n  name: boxed\n  annotations:\n"
            "    config.kubernetes.io/function: |\n      container:\n        image: example.com/evil:1\n"
        )
        legacy = "apiVersion: someteam.example.com/v1\nkind: ChartInflator\nmetadata: {name: legacy}\n"
        kustomization = KUSTOMIZATION + (
            "generators: [function.yaml]\ntransformers: [legacy.yaml]\nvalidators: [container.yaml]\n"
        )
        write(root, app({
            "app/kustomization.yaml": kustomization,
            "app/function.yaml": function,
            "app/container.yaml": container,
            "app/legacy.yaml": legacy,
            "app/evil.sh": script,
            "plugins/kustomize/plugin/someteam.example.com/v1/chartinflator/ChartInflator": script,
        }))
        for exe in ("app/evil.sh", "plugins/kustomize/plugin/someteam.example.com/v1/chartinflator/ChartInflator"):
            os.chmod(root / exe, 0o755)

    return build


HELM_CHART: Files = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "charts/web/values.yaml": "replicaCount: 1\nimage: {repository: nginx, tag: '1.27'}\n",
    "charts/web/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n"
        "        {{- range .Values.containers }}\n        - name: {{ .name }}\n        {{- end }}\n"
        "{{- if .Values.extra }}\n{{ toYaml .Values.extra | indent 2 }}\n{{- end }}\n"
    ),
    "charts/web/templates/_helpers.tpl": '{{- define "web.name" -}}{{ .Chart.Name }}{{- end }}\n',
    "charts/web/templates/NOTES.txt": "Thanks for installing {{ .Chart.Name }}\n",
}

WIN1252 = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\u00e9\ndata:\n  quote: \u201csmart\u201d \u2013 \u20ac5\n"
).encode("cp1252")


def case_list(marker: Path) -> list[Case]:
    bad_flow = "key: [unclosed\n"
    return [
        # invalid YAML, in every kind of file
        Case("invalid-yaml-manifest", files_case(app({"app/broken.yaml": "apiVersion: v1\n" + bad_flow})),
             ("GL301",)),
        Case("invalid-yaml-kustomization",
             files_case(app(kustomization="resources:\n  - deploy.yaml\n - : [\n\tbad")), ("GL301",)),
        Case("invalid-yaml-argo",
             files_case(app({"argocd/web.yaml": ARGO_APP + "  syncPolicy: {automated: [\n"})), ("GL301",)),
        Case("invalid-yaml-flux",
             files_case(app({"clusters/prod/web.yaml": FLUX_KS + "  dependsOn:\n  - name: a\n   bad: indent\n"})),
             ("GL301",)),
        Case("duplicate-keys", files_case(app({"app/dup.yaml": DEPLOYMENT + "metadata: {name: again}\n"})),
             ("GL302",)),
        # wrong types everywhere
        Case("wrong-types-workloads", mutated_objects(WORKLOAD_OBJECTS, "manifests"), ("GL304",), ()),
        Case("wrong-types-argo", mutated_objects(ARGO_OBJECTS, "argocd"), ("GL304",), ()),
        Case("wrong-types-flux", mutated_objects(FLUX_OBJECTS, "clusters/prod"), ("GL304",), ()),
        Case("wrong-types-kustomizations", mutated_kustomizations, ("GL205",), ("k/0000", "k/0001", "k/0100")),
        Case("wrong-types-rendered", mutated_renders, ("GL205",), ("prod/r0000", "prod/r0003")),
        Case("random-multi-field-mutations", random_mutations(20261127), ("GL205", "GL304"), ("prod/w00", "prod/a01")),
        Case("random-kustomization-mutations", random_kustomization_mutations(20261127), ("GL205",), ("k/0000", "k/0001")),
        Case("kustomization-is-a-list", files_case(app(kustomization="- resources\n- deploy.yaml\n")),
             ("GL205",)),
        Case("kustomization-is-a-scalar", files_case(app(kustomization="just a string\n")), ("GL205",)),
        Case("named-wrong-types", files_case(app({
            "app/kustomization.yaml": KUSTOMIZATION + "patches: x\nimages: [1, 2]\n",
            "app/deploy.yaml": DEPLOYMENT.replace("          image: nginx:1.27.0\n",
                                                  "          image: nginx:1.27.0\n          env: null\n"
                                                  "          resources: 5\n"),
            "app/spec-string.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s}\nspec: string\n",
            "app/containers-map.yaml": DEPLOYMENT.replace("name: web\nspec", "name: c\nspec").replace(
                "      containers:\n        - name: web\n          image: nginx:1.27.0\n", "      containers: {}\n"),
            "app/metadata-list.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: []\n",
        })), ("GL205", "GL304")),
        Case("empty-and-odd-entries", files_case(app(kustomization=KUSTOMIZATION + (
            '  - ""\n  - "   "\n  - null\n  - 5\n  - {a: b}\n  - deploy.yaml/\n  - missing\n  - deploy.yaml/..\n'
            "components: [deploy.yaml]\n"), extra={"app/Kustomization": "resources: []\n",
                                                     "app/kustomization.yml": "kind: 5\napiVersion: [1]\n"})),
             ("GL201", "GL205", "GL207")),
        Case("deep-kustomization-chain", deep_chain, ("GL205",), ("chain/000", "chain/250")),
        Case("odd-file-names", odd_file_names, env={"PYTHONIOENCODING": "utf-8:strict"}),
        Case("hostile-ci-codeowners-scripts", hostile_hygiene, ("GL301", "GL307"), ("apps/web/overlays/prod",)),
        Case("secrets-baseline-wrong-types", hostile_secrets(
            '{"plugins_used": 5, "filters_used": "x", "results": [1, {"a": 5}], "exclude": 5, "version": []}'),
             ("GL601",)),
        Case("secrets-baseline-shapes", hostile_secrets(
            '{"plugins_used": [5, {"name": 7}, {"name": ["KeywordDetector"]}], "filters_used": [{"path": 5}, 3, '
            '{"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": 5}, '
            '{"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": [1, "(", null]}], '
            '"results": {"app/plain.yaml": [1, {"type": 5, "hashed_secret": []}], "x": 5}}'), ("GL601",)),
        Case("secrets-baseline-not-json", hostile_secrets(b"\xff{not json"), ("GL601",)),
        # undecodable or oversized files
        Case("binary-yaml", files_case(app({"app/blob.yaml": bytes(range(256)) * 8})), ("GL307",)),
        Case("non-utf8", files_case(app({"app/latin.yaml": b"apiVersion: v1\nkind: ConfigMap\n"
                                                             b"metadata: {name: x}\ndata: {a: \xff\xfe\xe9}\n"})),
             ("GL307",)),
        Case("windows-1252", files_case(app({"app/cp1252.yaml": WIN1252})), ("GL307",)),
        Case("huge-33mb", files_case(app({"app/huge.yaml": big_yaml(33 * 1024 * 1024)})), ("GL307",)),  # over 32 MiB
        Case("alias-bomb", files_case(app({"app/bomb.yaml": ALIAS_BOMB})), ("GL307",)),
        Case("deep-flow-nesting", files_case(app({"app/deep.yaml": "a: " + "[" * 10_000 + "]" * 10_000 + "\n"})),
             ("GL307",)),
        Case("deep-block-nesting", files_case(app({"app/deep.yaml": "".join(
            " " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2_000 + "v\n"})), ("GL307",)),
        Case("config-raises-limits", files_case(app({
            ".gitops-lint.yaml": "limits: {max_depth: 10000000, max_nodes: 1000000000, max_file_bytes: 1000000000}\n",
            "app/deep.yaml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
            "app/dash.yaml": "- " * 50_000 + "x\n",
            "app/block.yaml": "".join(" " * i + f"k{i}:\n" for i in range(3_000)) + " " * 3_000 + "v\n",
            "app/bomb.yaml": ALIAS_BOMB,
        })), ("GL307",)),
        Case("deep-dash-nesting", files_case(app({"app/deep.yaml": "- " * 5_000 + "x\n"})), ("GL307",)),
        # links and paths leading elsewhere
        Case("symlink-loop", symlink_loop, ("GL307",)),
        Case("symlink-escape", symlink_escape, ("GL202",)),
        Case("dotdot-escape", files_case(app(kustomization=KUSTOMIZATION + "  - ../../../../etc\n"
                                             "  - ../../../../etc/passwd\n")), ("GL202",)),
        Case("absolute-paths", files_case(app(kustomization=KUSTOMIZATION + "  - /etc\n  - /etc/passwd\n"
                                              "patches:\n  - path: /etc/hostname\n"
                                              "configMapGenerator:\n  - name: c\n    files: [/etc/passwd]\n"
                                              "    envs: [/etc/environment]\n")), ("GL202",)),
        Case("argo-flux-paths-escape", files_case(app({
            "argocd/web.yaml": ARGO_APP.replace("path: app", "path: ../../etc"),
            "argocd/abs.yaml": ARGO_APP.replace("path: app", "path: /etc").replace("name: web\n", "name: abs\n", 1),
            "clusters/prod/web.yaml": FLUX_KS.replace("./app", "../../../etc"),
        })), (), ()),
        # GL201 reports the unreadable reference; GL205 does not repeat it at the same line
        Case("named-pipes", special_files, ("GL201",)),
        Case("self-including", self_including, ("GL205",)),
        Case("cycle-of-two", cycle_of_two, ("GL205",), ("a", "b")),
        # remote content and code execution: never fetched, never run
        Case("remote-bases", files_case(app({"app/kustomization.yaml": REMOTES, "argocd/web.yaml": REMOTE_ARGO,
                                             "clusters/prod/web.yaml": FLUX_KS})), ("GL203",)),
        Case("exec-plugins", exec_plugins(marker), ("GL208",),
             env={"XDG_CONFIG_HOME": "{root}/plugins", "KUSTOMIZE_PLUGIN_HOME": "{root}/plugins/kustomize/plugin"}),
        # odd but valid text
        Case("crlf-and-bom", files_case({
            "app/kustomization.yaml": "\ufeff" + KUSTOMIZATION.replace("\n", "\r\n"),
            "app/deploy.yaml": "\ufeff" + DEPLOYMENT.replace("\n", "\r\n"),
            "argocd/web.yaml": "\ufeff" + ARGO_APP.replace("\n", "\r\n"),
        })),
        Case("empty-files", files_case(app({"app/empty.yaml": "", "empty/kustomization.yaml": "",
                                            "argocd/empty.yml": "", "blank/x.yaml": "\n\n   \n"})),
             (), ("app", "empty")),
        Case("comments-only", files_case(app({"app/notes.yaml": "# nothing here\n# at all\n",
                                              "c/kustomization.yaml": "# a kustomization of comments\n"})),
             (), ("app", "c")),
        Case("helm-chart", files_case(app(HELM_CHART))),
        Case("long-line", files_case(app({"app/long.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l}\n"
                                                           "data: {k: " + "x" * 1_500_000 + "}\n"}))),
        Case("many-files-parallel-parse", files_case(app({
            **{f"app/many/cm{i:03d}.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
               for i in range(450)},
            "app/many/bomb.yaml": ALIAS_BOMB, "app/many/blob.yaml": b"\0" * 64, "app/many/latin.yaml": b"a: \xff\n",
            "app/many/deep.yaml": "[" * 500 + "]" * 500, "app/many/broken.yaml": bad_flow,
        })), ("GL301", "GL307")),
        Case("ten-thousand-documents", files_case(app({"app/many.yaml": many_documents(10_000)}))),
        Case("duplicate-resource-ids", files_case(app({
            "app/kustomization.yaml": KUSTOMIZATION + "  - copy.yaml\n",
            "app/copy.yaml": DEPLOYMENT,
        })), ("GL205",)),
    ]


# -- running the CLI -----------------------------------------------------------------------------------
@dataclass
class Run:
    command: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def findings(self) -> list[dict]:
        return json.loads(self.stdout)["findings"]


def trap_path(directory: Path, marker: Path) -> str:
    """A directory of stand-ins for tools that fetch or execute; each only drops the marker."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in TRAPPED_COMMANDS:
        exe = directory / name
        exe.write_text(f"#!/bin/sh\necho trapped {name} >> '{marker}'\nexit 1\n")
        exe.chmod(0o755)
    return str(directory)


def run_cli(args: list[str], *, cwd: Path, trap: str, env: dict | None = None) -> Run:
    """Run `gitops-lint ARGS` offline: proxies at a closed port, trapped tools first on PATH."""
    full_env = {
        **os.environ,
        **GIT_ENV,
        "PATH": trap + os.pathsep + os.environ.get("PATH", ""),
        "NO_COLOR": "1",
        "GITHUB_ACTIONS": "",
        "GIT_TERMINAL_PROMPT": "0",
        **{name: CLOSED_PORT for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                                          "ALL_PROXY", "all_proxy")},
        "no_proxy": "",
        "NO_PROXY": "",
        **(env or {}),
    }
    proc = subprocess.run([*CLI, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          errors="replace", timeout=TIMEOUT, check=False)
    return Run(args, proc.returncode, proc.stdout, proc.stderr)


def assert_handled(run: Run) -> None:
    """Exit 0 or 1, no traceback, no internal-error finding."""
    output = run.stdout + run.stderr
    internal = [line.strip() for line in output.splitlines() if "GL000" in line or "internal error" in line]
    assert "Traceback" not in output, output[-4000:]
    assert not internal, "\n".join(internal[:20])
    assert run.code in (0, 1), f"{run.command}: exit {run.code}\n{output[-4000:]}"


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below root (hidden ones and .git included): type, mode, size, mtime, content or link."""
    entries: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames, *([""] if dirpath == str(root) else [])]:
            full = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                content = os.readlink(full)
            elif stat.S_ISREG(st.st_mode):
                content = hashlib.sha256(Path(full).read_bytes()).hexdigest()
            else:
                content = None
            rel = os.path.relpath(full, root)
            entries[rel] = (st.st_mode, st.st_size if not stat.S_ISDIR(st.st_mode) else None, st.st_mtime_ns,
                            content)
    return entries


def git_repo(root: Path, build: Callable[[Path], None]) -> str:
    """A git repository whose first commit is a plain README and whose HEAD adds the hostile files
    (left stat-dirty); returns the base commit."""
    root.mkdir(parents=True)
    env = {**os.environ, **GIT_ENV}

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                              env=env).stdout.strip()

    git("init", "-q", "-b", "main")
    (root / "README.md").write_text("hostile fixture\n")
    git("add", "README.md")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD")
    build(root)
    git("add", "-A")
    git("commit", "-q", "-m", "hostile")
    later = time.time() + 100  # every file stat-dirty, content unchanged: tempts git to rewrite its index
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            os.utime(os.path.join(dirpath, name), (later, later), follow_symlinks=False)
    return base


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    marker = base / "MARKER-executed"
    trap = trap_path(base / "trap-bin", marker)
    return base, marker, trap


CASE_IDS = [c.id for c in case_list(Path("/nonexistent"))]


@pytest.fixture(scope="module")
def repos(workspace):
    """case id -> (plain directory, git work tree, base commit, case); each built once, lazily."""
    base, marker, _trap = workspace
    cases = {c.id: c for c in case_list(marker)}
    built: dict[str, tuple] = {}

    def get(case_id: str):
        if case_id not in built:
            case = cases[case_id]
            plain = base / "plain" / case_id
            plain.mkdir(parents=True)
            case.build(plain)
            tree = base / "git" / case_id
            commit = git_repo(tree, case.build)
            built[case_id] = (plain, tree, commit, case)
        return built[case_id]

    return get


def case_env(case: Case, root: Path) -> dict:
    return {k: v.format(root=root) for k, v in case.env.items()}


COMMANDS = ("check", "check-git", "build", "scorecard", "diff-revisions", "diff-worktree")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_hostile_repository(case_id, command, repos, workspace):
    _base, marker, trap = workspace
    plain, tree, base_commit, case = repos(case_id)
    root = plain if command == "check" else tree
    before = snapshot(root)
    env = case_env(case, root)
    runs: list[Run] = []
    if command in ("check", "check-git"):
        runs.append(run_cli(["check", ".", "--format", "json", "--fail-on", "warning"], cwd=root, trap=trap, env=env))
        rules = {f["rule"] for f in runs[0].findings}
        missing = set(case.expect) - rules
        assert not missing, f"expected {sorted(missing)}; got {sorted(rules)}"
    elif command == "build":
        for directory in case.build_dirs:
            runs.append(run_cli(["build", directory, "--root", "."], cwd=root, trap=trap, env=env))
    elif command == "scorecard":
        runs.append(run_cli(["scorecard", ".", "--format", "json"], cwd=root, trap=trap, env=env))
    elif command == "diff-revisions":
        runs.append(run_cli(["diff", ".", "--base", base_commit, "--head", "HEAD", "--format", "json"],
                            cwd=root, trap=trap, env=env))
    else:
        runs.append(run_cli(["diff", ".", "--base", base_commit, "--format", "json"], cwd=root, trap=trap, env=env))
    for run in runs:
        assert_handled(run)
    assert not marker.exists(), marker.read_text()
    after = snapshot(root)
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
                             if before.get(k) != after.get(k)}


# -- no network, no execution: checked in-process too, where every socket and process is visible --------
@pytest.mark.parametrize("case_id", ["remote-bases", "exec-plugins"])
def test_in_process_no_socket_and_only_git_runs(case_id, tmp_path, monkeypatch):
    """Every entry point over remote bases and exec plugins: no socket is opened, and the only
    program started is git (listing files, reading revisions)."""
    from gitops_lint import api
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.diff.pipeline import diff_path
    from gitops_lint.lint import scorecard
    from gitops_lint.render import NotRendered, RenderError, render

    marker = tmp_path / "MARKER-executed"
    case = {c.id: c for c in case_list(marker)}[case_id]
    root = tmp_path / "repo"
    base_commit = git_repo(root, case.build)
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if args else kwargs)
        raise OSError("network access attempted during a lint")

    for owner, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"), (socket, "create_connection"),
                        (socket, "getaddrinfo"), (socket, "gethostbyname")):
        monkeypatch.setattr(owner, name, refuse)
    started: list[str] = []
    real_init = subprocess.Popen.__init__

    def record(self, args, *rest, **kwargs):
        argv = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
        started.append(os.path.basename(str(argv[0])))
        return real_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", record)
    monkeypatch.chdir(root)

    result = api.lint_path(root)
    assert not result.result.internal_error, [f.message for f in result.findings if f.rule == "GL000"]
    assert set(case.expect) <= {f.rule for f in result.findings}
    scorecard.score(result.repo, result.findings, result.pack, result.result.rules_run)
    with pytest.raises(RenderError) as raised:
        render(WorkingTree(root), "app")
    assert isinstance(raised.value, NotRendered), raised.value
    diff_path(root, base=base_commit, head="HEAD")
    diff_path(root, base=base_commit)

    assert attempts == []
    assert set(started) <= {"git"}, started
    assert not marker.exists()


# -- the repository is never written to (except by --fix, and then only the kustomizations it fixes) -----
def _listing(root: Path) -> list[str]:
    """Every path below root, hidden files and directories included (not following links)."""
    return sorted(
        os.path.relpath(os.path.join(dirpath, name), root)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False)
        for name in [*dirnames, *filenames]
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_check_writes_nothing_into_the_repository(fmt, tmp_path, workspace):
    """From inside the repo, in every format: no cache, report, lock or temp file appears there,
    in a plain directory or in a git work tree (whose .git is left alone too)."""
    _base, marker, trap = workspace
    for kind in ("plain", "git"):
        root = tmp_path / kind
        builder = files_case(app({
            "app/blob.yaml": b"\0\1\2",
            "app/kustomization.yaml": KUSTOMIZATION + "  - https://github.com/org/repo//base\nbases: [../lib]\n",
            "lib/kustomization.yaml": "resources: []\n",
            ".hidden/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: hunter2}\n",
            "argocd/web.yaml": ARGO_APP,
        }))
        if kind == "git":
            git_repo(root, builder)
        else:
            root.mkdir()
            builder(root)
        before_listing, before = _listing(root), snapshot(root)
        run = run_cli(["check", ".", "--format", fmt], cwd=root, trap=trap)
        assert_handled(run)
        assert run.stdout.strip()
        baseline = tmp_path / f"baseline-{kind}.json"  # written outside the repo, as asked
        assert_handled(run_cli(["baseline", ".", "-o", str(baseline)], cwd=root, trap=trap))
        assert baseline.is_file()
        assert _listing(root) == before_listing
        assert snapshot(root) == before
    assert not marker.exists()


def test_fix_writes_only_the_fixable_kustomizations(tmp_path, workspace):
    """--fix rewrites deprecated fields in the repository's own kustomization files; it never writes
    through a link leading outside the repository, never touches unreadable or malformed files, and
    keeps a file's CRLF line endings."""
    _base, marker, trap = workspace
    outside = tmp_path / "outside"
    outside.mkdir()
    outside_file = outside / "kustomization.yaml"
    outside_file.write_text("bases: [../x]\n")
    root = tmp_path / "repo"
    root.mkdir()
    write(root, {
        "fixme/kustomization.yaml": "bases:\n  - ../lib\n",
        "crlf/kustomization.yaml": "bases:\r\n  - ../lib\r\n",
        "lib/kustomization.yaml": "resources: []\n",
        "binary/kustomization.yaml": b"bases: [\0\1]\n",
        "broken/kustomization.yaml": "bases: [../lib\n",
        "typed/kustomization.yaml": "bases: ../lib\npatchesStrategicMerge: 5\ncommonLabels: [a]\nimageTags: x\n",
    })
    symlink(root, "escape/kustomization.yaml", str(outside_file))
    untouched = {p: (root / p).read_bytes() for p in ("binary/kustomization.yaml", "broken/kustomization.yaml")}
    outside_before = outside_file.read_bytes()
    run = run_cli(["check", ".", "--fix", "--format", "json"], cwd=root, trap=trap)
    assert_handled(run)
    assert outside_file.read_bytes() == outside_before
    assert (root / "fixme/kustomization.yaml").read_text() == "resources:\n  - ../lib\n"
    assert (root / "crlf/kustomization.yaml").read_bytes() == b"resources:\r\n  - ../lib\r\n"
    for path, content in untouched.items():
        assert (root / path).read_bytes() == content
    assert not marker.exists()


BAD_CONFIGS = {
    "invalid-yaml": "rules: [\n",
    "binary": b"\0\1\2",
    "not-utf8": b"fail_on: \xff\n",
    "a-list": "- rules\n",
    "wrong-types": "rules: 5\nexclude: x\nlimits: []\n",
    "bad-rule-setting": "rules: {GL301: {severity: 5}}\n",
    "alias-bomb": ALIAS_BOMB,
    "repo-card-naming-any-function": "rule_dirs: [cards]\n",
}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_bad_config_is_a_usage_error_without_traceback(name, tmp_path, workspace):
    """A broken config (or a card it brings) is the user's invocation going wrong: exit 2 and one
    clear line naming the file, for check, scorecard and diff alike."""
    _base, marker, trap = workspace
    card = ("id: GL950\nname: any-function\nseverity: error\nsummary: s\nrationale: r\nfix: f\n"
            "check: gitops_lint.lint.fix:fix_files\nexamples: {bad: 'a: 1', good: 'b: 1'}\n")
    base_commit = git_repo(tmp_path / "repo", files_case(app({".gitops-lint.yaml": BAD_CONFIGS[name],
                                                              "cards/GL950-any.yaml": card})))
    for args in (["check", "."], ["scorecard", "."], ["diff", ".", "--base", base_commit]):
        run = run_cli(args, cwd=tmp_path / "repo", trap=trap)
        assert run.code == 2, (args, run.stdout, run.stderr)
        assert "Traceback" not in run.stdout + run.stderr
        assert "internal error" not in run.stderr
        assert ".gitops-lint.yaml" in run.stderr or "GL950-any.yaml" in run.stderr, run.stderr
    assert not marker.exists()


def test_repository_git_config_runs_nothing(tmp_path, workspace):
    """A repository's own .git/config (an unpacked tarball, a shared checkout) names programs that git
    runs on reads: fsmonitor, clean/process filters, textconv, external diff, pager, ssh, remote helpers.
    No gitops-lint command may let git start one of them."""
    _base, marker, trap = workspace
    evil = f"touch '{marker}'; cat"
    root = tmp_path / "repo"
    base_commit = git_repo(root, files_case(app({".gitattributes": "* filter=evil diff=evil\n",
                                                 "argocd/web.yaml": ARGO_APP})))
    settings = {
        "core.fsmonitor": evil, "filter.evil.clean": evil, "filter.evil.smudge": evil,
        "filter.evil.process": evil, "filter.evil.required": "true", "diff.evil.textconv": evil,
        "diff.evil.command": evil, "diff.external": evil, "core.pager": evil, "core.sshCommand": evil,
        "remote.origin.url": f"ext::sh -c touch% {marker}", "core.hooksPath": str(trap),
    }
    for key, value in settings.items():
        subprocess.run(["git", "-C", str(root), "config", key, value], check=True)
    (root / "app/deploy.yaml").write_text(DEPLOYMENT.replace("replicas: 2", "replicas: 3"))  # stat-dirty
    before = snapshot(root)
    for args in (["check", "."], ["check", "app/deploy.yaml"], ["scorecard", "."], ["build", "app"],
                 ["diff", ".", "--base", base_commit], ["diff", ".", "--base", base_commit, "--head", "HEAD"]):
        assert_handled(run_cli(args, cwd=root, trap=trap))
        assert not marker.exists(), (args, marker.read_text())
    assert snapshot(root) == before


CHANGED_OBJECTS = DEPLOYMENT + """\
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: "postgres:16.1"}]}}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 5Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.0.0.10, selector: {app: web}, ports: [{port: 80}]}
"""


def test_diff_between_valid_and_wrong_typed_objects(tmp_path, workspace):
    """The change policies (GL801-GL804) compare each production object with a head version in which
    one field, in turn, holds a value of the wrong type; every comparison completes."""
    _base, marker, trap = workspace
    valid = _parse_yaml(CHANGED_OBJECTS)
    root = tmp_path / "repo"
    variants = [
        [*valid[:i], mutated, *valid[i + 1 :]]
        for i, doc in enumerate(valid)
        for mutated in mutations(doc)
        if mutated is not None
    ]

    def write_side(docs_of: Callable[[int], list]) -> Callable[[Path], None]:
        return lambda r: write(r, {f"prod/r{i:04d}/kustomization.yaml": "resources: [objects.yaml]\n"
                                   for i in range(len(variants))}
                               | {f"prod/r{i:04d}/objects.yaml": "---\n".join(_dump(d) + "\n" for d in docs_of(i))
                                  for i in range(len(variants))})

    base_commit = git_repo(root, write_side(lambda i: valid))
    write_side(lambda i: variants[i])(root)
    later = time.time() + 100  # stat-only changes: git diff would refresh (rewrite) .git/index for them
    for kustomization in root.glob("prod/*/kustomization.yaml"):
        os.utime(kustomization, (later, later))
    before = snapshot(root)
    for args in (["diff", ".", "--base", base_commit, "--format", "json"],
                 ["diff", ".", "--base", "HEAD", "--format", "json", "--fail-on", "info"]):
        run = run_cli(args, cwd=root, trap=trap)
        assert_handled(run)
        assert json.loads(run.stdout)["changes"]
    assert snapshot(root) == before
    assert not marker.exists()
