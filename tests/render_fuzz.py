"""Differential fuzzing of the built-in renderer against `kubectl kustomize` (a development tool).

    python tests/render_fuzz.py [FIRST_SEED] [COUNT]

Each seed writes a random base/overlay/component/top tree (workloads, RBAC, ingress, generators,
prefixes, suffixes, namespaces, labels, images, replicas, patches of every kind) to a temporary
directory, builds it with both, and prints the first difference. Trees that agree are deleted.
"""

import json
import os
import pathlib
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import render_conformance as rc  # noqa: E402

from gitops_lint.core.source import WorkingTree  # noqa: E402
from gitops_lint.render import RenderError, render  # noqa: E402

WORK = tempfile.mkdtemp(prefix="render-fuzz-")


def dep(name, rnd, kind="Deployment"):
    d = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "serviceAccountName": "sa",
                    "containers": [
                        {
                            "name": "main",
                            "image": rnd.choice(["nginx", "nginx:1.0", "redis:7", "quay.io/x/y:1"]),
                            "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "sec"}}],
                            "env": [
                                {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "a"}}}
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "v", "configMap": {"name": "cfg"}},
                        {"name": "p", "persistentVolumeClaim": {"claimName": "data"}},
                    ],
                },
            },
        },
    }
    if kind == "StatefulSet":
        d["spec"]["serviceName"] = "svc"
    if rnd.random() < 0.5:
        d["spec"]["replicas"] = rnd.randint(1, 3)
    return d


def base_objects(rnd, tag):
    objs = [dep(f"web{tag}", rnd)]
    if rnd.random() < 0.5:
        objs.append(dep(f"db{tag}", rnd, "StatefulSet"))
    objs.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "svc"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
        }
    )
    objs.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})
    if rnd.random() < 0.5:
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"]},
            }
        )
    if rnd.random() < 0.5:
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": "r"},
                "rules": [
                    {
                        "apiGroups": [""],
                        "resources": ["configmaps"],
                        "resourceNames": ["cfg"],
                        "verbs": ["get"],
                    }
                ],
            }
        )
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                "subjects": [
                    {"kind": "ServiceAccount", "name": "sa"},
                    {"kind": "ServiceAccount", "name": "default"},
                ],
            }
        )
    if rnd.random() < 0.4:
        objs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {"name": "ing"},
                "spec": {
                    "tls": [{"secretName": "sec"}],
                    "rules": [
                        {
                            "http": {
                                "paths": [
                                    {
                                        "path": "/",
                                        "pathType": "Prefix",
                                        "backend": {"service": {"name": "svc", "port": {"number": 80}}},
                                    }
                                ]
                            }
                        }
                    ],
                },
            }
        )
    if rnd.random() < 0.3:
        objs.append(
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": {"name": "cj"},
                "spec": {
                    "schedule": "@daily",
                    "jobTemplate": {
                        "spec": {
                            "template": {
                                "spec": {
                                    "restartPolicy": "Never",
                                    "containers": [
                                        {
                                            "name": "c",
                                            "image": "busybox",
                                            "envFrom": [{"configMapRef": {"name": "cfg"}}],
                                        }
                                    ],
                                }
                            }
                        }
                    },
                },
            }
        )
    if rnd.random() < 0.3:
        objs.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "hpa"},
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"web{tag}"},
                    "maxReplicas": 3,
                },
            }
        )
    if rnd.random() < 0.3:
        objs.append(
            {
                "apiVersion": "example.com/v1",
                "kind": "Widget",
                "metadata": {"name": "w"},
                "spec": {"containers": [{"name": "x", "image": "nginx"}]},
            }
        )
    if rnd.random() < 0.2:
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nsobj"}})
    if rnd.random() < 0.3:
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": "cr"},
                "rules": [],
            }
        )
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "crb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr"},
                "subjects": [
                    {
                        "kind": "ServiceAccount",
                        "name": "sa",
                        "namespace": rnd.choice(["default", "ns1", "other"]),
                    }
                ],
            }
        )
    if rnd.random() < 0.2:
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "pod", "namespace": "fixed"},
                "spec": {
                    "containers": [{"name": "c", "image": "nginx:1@sha256:" + "b" * 64}],
                    "imagePullSecrets": [{"name": "sec"}],
                },
            }
        )
    if rnd.random() < 0.2:
        objs.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": "pdb"},
                "spec": {"selector": {"matchLabels": {"app": "web0"}}},
            }
        )
    if rnd.random() < 0.2:
        objs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "np"},
                "spec": {
                    "podSelector": {},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"a": "b"}}}]}],
                },
            }
        )
    return objs


def kust_fields(rnd, tag, level):
    k = {}
    if rnd.random() < 0.4:
        k["namespace"] = rnd.choice(["ns1", "ns2"])
    if rnd.random() < 0.4:
        k["namePrefix"] = f"p{level}-"
    if rnd.random() < 0.3:
        k["nameSuffix"] = f"-s{level}"
    if rnd.random() < 0.3:
        k["commonLabels"] = {f"cl{level}": "x"}
    if rnd.random() < 0.3:
        k["labels"] = [
            {
                "pairs": {f"l{level}": "y"},
                "includeSelectors": rnd.random() < 0.5,
                "includeTemplates": rnd.random() < 0.5,
            }
        ]
    if rnd.random() < 0.3:
        k["commonAnnotations"] = {f"a{level}": "z"}
    if rnd.random() < 0.4:
        k["images"] = [
            rnd.choice(
                [
                    {"name": "nginx", "newTag": "2.0"},
                    {"name": "redis", "newName": "my/redis"},
                    {"name": "busybox", "digest": "sha256:" + "a" * 64},
                    {"name": "quay.io/x/y", "newName": "z/y", "newTag": "t"},
                ]
            )
        ]
    return k


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if isinstance(obj, list):
            f.write("\n---\n".join(json.dumps(o) for o in obj))
        else:
            f.write(json.dumps(obj))


def case(seed, root):
    rnd = random.Random(seed)
    if os.path.exists(root):
        shutil.rmtree(root)
    bases = []
    for b in range(rnd.randint(1, 2)):
        tag = str(b)
        k = kust_fields(rnd, tag, f"b{b}")
        k["resources"] = ["r.yaml"]
        k["configMapGenerator"] = [{"name": "cfg", "literals": ["a=1", f"b={seed}"]}]
        k["secretGenerator"] = [{"name": "sec", "literals": ["p=x"]}]
        if rnd.random() < 0.3:
            k["generatorOptions"] = {"disableNameSuffixHash": True}
        if rnd.random() < 0.3 and b == 0:
            k["replicas"] = [{"name": "web0", "count": 5}]
        write(f"{root}/base{b}/r.yaml", base_objects(rnd, tag))
        write(f"{root}/base{b}/kustomization.yaml", k)
        bases.append(f"../base{b}")
    o = kust_fields(rnd, "o", "o")
    o["resources"] = bases
    if rnd.random() < 0.5:
        o["configMapGenerator"] = [
            {"name": "cfg", "behavior": rnd.choice(["merge", "replace"]), "literals": ["c=3"]}
        ]
    if rnd.random() < 0.5:
        o["patches"] = [
            rnd.choice(
                [
                    {
                        "target": {"kind": "Deployment"},
                        "patch": json.dumps(
                            [{"op": "add", "path": "/metadata/annotations", "value": {"j": "1"}}]
                        ),
                    },
                    {
                        "patch": json.dumps(
                            {
                                "apiVersion": "apps/v1",
                                "kind": "Deployment",
                                "metadata": {"name": "web0"},
                                "spec": {
                                    "template": {
                                        "spec": {
                                            "containers": [
                                                {"name": "main", "resources": {"limits": {"cpu": "1"}}}
                                            ]
                                        }
                                    }
                                },
                            }
                        )
                    },
                    {
                        "target": {"kind": "Service", "name": "svc"},
                        "patch": json.dumps(
                            {
                                "apiVersion": "v1",
                                "kind": "Service",
                                "metadata": {"name": "x"},
                                "spec": {"type": "NodePort"},
                            }
                        ),
                    },
                    {
                        "target": {"labelSelector": "app=web0"},
                        "patch": json.dumps([{"op": "replace", "path": "/spec/replicas", "value": 9}]),
                    },
                ]
            )
        ]
    if rnd.random() < 0.3:
        o["patchesStrategicMerge"] = [
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": "sa"},
                    "automountServiceAccountToken": False,
                }
            )
        ]
    if rnd.random() < 0.3:
        o["patchesJson6902"] = [
            {
                "target": {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web0"},
                "patch": json.dumps([{"op": "add", "path": "/spec/paused", "value": True}]),
            }
        ]
    if rnd.random() < 0.3:
        o["secretGenerator"] = [
            {"name": "sec", "behavior": "merge", "literals": ["q=1"], "options": {"labels": {"merged": "1"}}}
        ]
    if rnd.random() < 0.2:
        o["replicas"] = [{"name": "web0", "count": 7}]
    if rnd.random() < 0.25:
        o["replacements"] = [
            {
                "source": {"kind": "Service", "name": "svc", "fieldPath": "metadata.name"},
                "targets": [
                    {
                        "select": {"kind": "Deployment"},
                        "fieldPaths": ["spec.template.metadata.annotations.svc"],
                        "options": {"create": True},
                    }
                ],
            }
        ]
    if rnd.random() < 0.25:
        o["vars"] = [{"name": "SVC", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}}]
        o.setdefault("commonAnnotations", {})["uses-var"] = "$(SVC)"
    if rnd.random() < 0.2:
        o["sortOptions"] = {"order": "fifo"}
    if rnd.random() < 0.15:  # something kustomize refuses
        broken = rnd.choice(
            [
                {
                    "patchesStrategicMerge": [
                        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nope"}})
                    ]
                },
                {"resources": [*bases, bases[0]]},
                {"configMapGenerator": [{"name": "absent", "behavior": "merge", "literals": ["a=b"]}]},
                {"replicas": [{"name": "absent", "count": 1}]},
                {"images": [{"name": "nginx", "newTag": 2}]},
                {"secretGenerator": [{"name": "sec", "literals": ["p=x"]}]},
                {"namePrefix": ["x"]},
            ]
        )
        o.update(broken)
    if rnd.random() < 0.2:
        o["generatorOptions"] = {"labels": {"gen": "o"}, "disableNameSuffixHash": rnd.random() < 0.5}
        o.setdefault("configMapGenerator", []).append({"name": "new", "envs": ["a.env"]})
        os.makedirs(f"{root}/overlay", exist_ok=True)
        pathlib.Path(f"{root}/overlay/a.env").write_text("X=1\n# c\nY=two words\n")
    if rnd.random() < 0.3:
        write(
            f"{root}/comp/kustomization.yaml",
            {
                "apiVersion": "kustomize.config.k8s.io/v1alpha1",
                "kind": "Component",
                **kust_fields(rnd, "c", "c"),
                "configMapGenerator": [{"name": "extra", "literals": ["e=1"]}]
                + (
                    [{"name": "cfg", "behavior": "merge", "literals": ["from-component=1"]}]
                    if rnd.random() < 0.5
                    else []
                ),
                "patches": [
                    {
                        "target": {"kind": "Deployment", "labelSelector": "app=web0"},
                        "patch": json.dumps(
                            {
                                "apiVersion": "apps/v1",
                                "kind": "Deployment",
                                "metadata": {"name": "any"},
                                "spec": {
                                    "template": {"spec": {"containers": [{"name": "side", "image": "envoy"}]}}
                                },
                            }
                        ),
                    }
                ]
                if rnd.random() < 0.5
                else [],
            },
        )
        o["components"] = ["../comp"]
    write(f"{root}/overlay/kustomization.yaml", o)
    if rnd.random() < 0.3:
        write(f"{root}/top/kustomization.yaml", {**kust_fields(rnd, "t", "t"), "resources": ["../overlay"]})
        return f"{root}/top"
    return f"{root}/overlay"


bad = 0
n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
start = int(sys.argv[1]) if len(sys.argv) > 1 else 0
for seed in range(start, start + n):
    d = case(seed, f"{WORK}/c{seed}")
    okk, outk = rc.kubectl_build(pathlib.Path(d))
    try:
        res = render(WorkingTree(f"{WORK}/c{seed}", use_git=False), d.rsplit("/", 1)[1])
        oko, outo = True, res.to_yaml()
    except RenderError as e:
        oko, outo = False, str(e)
    if okk != oko or (okk and rc.documents(outk) != rc.documents(outo)):
        bad += 1
        print("SEED", seed, okk, oko)
        if okk and oko:
            print(rc.first_difference(rc.documents(outk), rc.documents(outo))[:1500])
        else:
            print((outk if not okk else outo)[:400])
    else:
        shutil.rmtree(f"{WORK}/c{seed}")
print("bad", bad, "of", n)
