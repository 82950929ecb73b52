"""The Services a workload may be selected by (GL705): their namespaces, selectors and target ports.

Unsharded, every Service document and every Service of every build. In a shard (`check --shard`) the
rule reports on its own roots' workloads only, and a Service of another unit may still select them
(an unnamespaced one, or one in the same namespace): the index holds every Service document, the
builds of the shard's roots, and the builds of other roots unless their Services select only what
their documents select (`model/service_sources.py`), plus the rendered Helm releases. What it leaves
out adds no selection and no port to what it holds, so the rule's findings are an unsharded run's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_lint.core.datapath import as_dict, as_list
from gitops_lint.model.service_sources import renders_services_as_written

if TYPE_CHECKING:
    from gitops_lint.model.rendered_views import RootRender
    from gitops_lint.model.repository import Repository

Service = tuple[str | None, dict, list]  # (namespace, selector, target ports)


class ServiceIndex:
    """Services by one (label, value) pair of their selector, so a workload looks only at the Services
    that could select it (a Service whose selector has a non-string value is always looked at)."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.by_pair: dict[tuple[str, str], list[int]] = {}
        self.always: list[int] = []
        for i, (_ns, selector, _ports) in enumerate(services):
            pairs = sorted((str(k), v) for k, v in selector.items() if isinstance(v, str))
            if len(pairs) == len(selector):
                self.by_pair.setdefault(pairs[0], []).append(i)
            else:
                self.always.append(i)

    def candidates(self, labels: dict) -> list[Service]:
        """The Services whose selector might match `labels`, in their original order."""
        found = set(self.always)
        for k, v in labels.items():
            if isinstance(v, str):
                found.update(self.by_pair.get((str(k), v), ()))
        return [self.services[i] for i in sorted(found)]


def service_index(repo: Repository) -> ServiceIndex:
    """(namespace, selector, target ports) of the Services in sources and in rendered roots that may
    select a workload of the run's share (see the module docstring)."""
    datas = [d.data for d in repo.objects("Service")]
    for render in [*repo.rendered.deployed_roots(), *repo.derived(other_shards_renders)]:
        datas += [o.data for o in render.objects if o.data.get("kind") == "Service"] if render.ok else []
    out = []
    for data in datas:
        spec = as_dict(data.get("spec"))
        selector = as_dict(spec.get("selector"))
        if selector and not metrics_only(data, spec):
            ports = as_list(spec.get("ports"))
            targets = [as_dict(p).get("targetPort", as_dict(p).get("port")) for p in ports]
            out.append((as_dict(data.get("metadata")).get("namespace"), selector, targets))
    return ServiceIndex(out)


def other_shards_renders(repo: Repository) -> list[RootRender]:
    """In a shard, the builds of other shards' roots whose Services may select more than their documents,
    and (outside shard 1) the Helm releases; nothing unsharded."""
    share = repo.share
    if share is None:
        return []
    views = repo.rendered
    out = [views.root(d) for d in views.deployed_dirs()
           if not share.owns_root(d) and not renders_services_as_written(repo, d)]
    return out + (views.chart_roots() if not share.charts else [])


def metrics_only(data: dict, spec: dict) -> bool:
    """A Service that only exposes metrics to a scraper (`*-metrics`, every port named for metrics):
    no user traffic goes through it, so a readiness probe gates nothing."""
    name = str(as_dict(data.get("metadata")).get("name", ""))
    ports = [as_dict(p) for p in as_list(spec.get("ports"))]
    named = [str(p.get("name", "")) for p in ports]
    return name.endswith("-metrics") or (bool(named) and all("metric" in n or "prom" in n for n in named))
