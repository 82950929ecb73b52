"""Name references: after prefixes, suffixes and hashes change names, follow them into referrers.

Restates kustomize's built-in nameReference configuration and its nameref filter: a referrer field
holding an old name of a referral (same kind, same namespace unless cluster-scoped) gets the
referral's final name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops_lint.render import fieldspec as fs
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import ResId, Resource


@dataclass
class BackRef:
    """A referral kind and the fields (in other kinds) that hold its name."""

    group: str
    version: str
    kind: str
    referrers: list[fs.FieldSpec] = field(default_factory=list)

    def selects(self, rid: ResId) -> bool:
        return (
            (not self.kind or self.kind == rid.kind)
            and (not self.group or self.group == rid.group)
            and (not self.version or self.version == rid.version)
        )


def parse_backrefs(entries: object) -> list[BackRef]:
    """`nameReference:` entries of a configurations file."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            raise RenderError(f"invalid nameReference entry {entry!r}")
        field_specs = entry.get("fieldSpecs")
        if field_specs is not None and not isinstance(field_specs, list):
            raise RenderError(f"invalid nameReference entry {entry!r}: fieldSpecs must be a list")
        specs = [fs.from_dict(x) for x in field_specs or []]
        out.append(
            BackRef(
                str(entry.get("group") or ""),
                str(entry.get("version") or ""),
                str(entry.get("kind") or ""),
                specs,
            )
        )
    return out


def merge_backrefs(base: list[BackRef], extra: list[BackRef]) -> list[BackRef]:
    """Merge referrer specs into the entry for the same referral GVK, else append (kustomize's MergeAll)."""
    out = [BackRef(b.group, b.version, b.kind, list(b.referrers)) for b in base]
    for e in extra:
        for b in out:
            if (b.group, b.version, b.kind) == (e.group, e.version, e.kind):
                b.referrers = fs.merge(b.referrers, e.referrers)
                break
        else:
            out.append(BackRef(e.group, e.version, e.kind, list(e.referrers)))
    return out


def fix_name_references(resources: list[Resource], backrefs: list[BackRef], memo: dict | None = None) -> None:
    """Update every referrer field that names a renamed referral (kustomize's FixBackReferences).
    `memo` (a dict owned by the caller's session) keeps the referrer index between calls."""
    by_kind = _index(backrefs, {} if memo is None else memo)
    wildcard = by_kind.get("", [])
    infos = {id(r): _Info(r) for r in resources}
    for referrer in resources:
        org = referrer.org_id
        candidates = None
        for backref, spec in (*by_kind.get(org.kind, ()), *wildcard) if org.kind else wildcard:
            if not spec.selects(org.group, org.version, org.kind):
                continue
            if candidates is None:
                candidates = [infos[id(r)] for r in _could_be_referenced(resources, referrer)]
            _Fixer(referrer, backref, spec, candidates).run()


def _index(backrefs: list[BackRef], memo: dict) -> dict[str, list[tuple[BackRef, fs.FieldSpec]]]:
    """Referrer specs by referrer kind ("" for any kind), memoised per configuration list."""
    hit = memo.get(id(backrefs))
    if hit is not None and hit[0] is backrefs:
        return hit[1]
    by_kind: dict[str, list[tuple[BackRef, fs.FieldSpec]]] = {}
    for backref in backrefs:
        for spec in backref.referrers:
            by_kind.setdefault(spec.kind, []).append((backref, spec))
    memo[id(backrefs)] = (backrefs, by_kind)
    return by_kind


class _Info:
    """A referral candidate's identities, computed once per name-reference pass."""

    __slots__ = ("res", "ids", "names", "cur", "name", "namespace")

    def __init__(self, res: Resource):
        self.res = res
        self.ids = res.all_ids()
        self.cur = self.ids[-1]
        self.names = {i.name for i in res.prev_ids}  # never-renamed objects are never candidates
        self.name = self.cur.name
        self.namespace = self.cur.namespace


def _could_be_referenced(resources: list[Resource], referrer: Resource) -> list[Resource]:
    rid = referrer.cur_id
    if rid.cluster_scoped:
        return list(resources)
    binding_ns = set()
    if rid.kind in ("RoleBinding", "ClusterRoleBinding"):
        for s in referrer.data.get("subjects") or []:
            if isinstance(s, dict) and isinstance(s.get("namespace"), str):
                binding_ns.add(s["namespace"])
    out = []
    for r in resources:
        cid = r.cur_id
        if cid.cluster_scoped or cid.ns_equals(rid) or cid.namespace in binding_ns:
            out.append(r)
    return out


def _same_ending(a: list[str], b: list[str]) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return not b
    return b[len(b) - len(a) :] == a


class _Fixer:
    def __init__(self, referrer: Resource, backref: BackRef, spec: fs.FieldSpec, candidates: list[_Info]):
        self.referrer = referrer
        self.backref = backref
        self.spec = spec
        self.candidates = candidates

    def run(self) -> None:
        fs.walk(self.referrer.data, self.spec, self._visit)

    def _visit(self, container, key) -> None:
        value = container[key]
        if value is None:
            return
        if isinstance(value, str):
            self._scalar(container, key)
        elif isinstance(value, dict):
            self._mapping(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    self._mapping(item)
                elif isinstance(item, str):
                    self._scalar(value, i)
        elif not isinstance(value, (int, float, bool)):
            raise RenderError("name reference field must be a scalar, sequence or map")

    def _scalar(self, container, key) -> None:
        old = container[key]
        referral = self._select(old, self.candidates, same_ns=False)
        if referral is not None and referral.name != old:
            container[key] = referral.name

    def _mapping(self, node: dict) -> None:
        if "name" not in node:
            raise RenderError(f"path config error; no 'name' field in node at {self.spec.path}")
        kind = node.get("kind")
        if isinstance(kind, str) and kind != self.backref.kind and self.spec.path == "subjects":
            return
        old = node["name"]
        candidates = self.candidates
        ns = node.get("namespace")
        if ns is not None:
            by_org = [r for r in candidates if r.res.org_id.effective_namespace == ns]
            candidates = by_org or [r for r in candidates if r.cur.effective_namespace == ns]
        referral = self._select(old, candidates, same_ns=True)
        if referral is None:
            return
        if referral.name == old and not referral.namespace:
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace

    def _select(self, old, candidates: list[_Info], same_ns: bool) -> Resource | None:
        kind_filter = None
        if self.spec.path.endswith("roleRef/name"):
            role_ref = self.referrer.data.get("roleRef")
            kind_filter = role_ref.get("kind") if isinstance(role_ref, dict) else None
        rid = self.referrer.cur_id
        referrer_scoped = rid.cluster_scoped
        out = []
        for info in candidates:
            if old not in info.names:
                continue
            if not any(self.backref.selects(i) for i in info.ids):
                continue
            if kind_filter is not None and not any(i.kind == kind_filter for i in info.ids):
                continue
            if not referrer_scoped:
                cid = info.cur
                if not (cid.cluster_scoped or cid.kind == "ServiceAccount" or cid.ns_equals(rid)):
                    continue
            out.append(info)
        if len(out) == 1:
            return out[0].res
        mine_p, mine_s = self.referrer.prefixes, self.referrer.suffixes
        out = [
            i
            for i in out
            if (not i.res.prefixes or not mine_p or _same_ending(i.res.prefixes, mine_p))
            and (not i.res.suffixes or not mine_s or _same_ending(i.res.suffixes, mine_s))
        ]
        if len(out) == 1:
            return out[0].res
        strict = [
            i for i in out if _same_ending(i.res.prefixes, mine_p) and _same_ending(i.res.suffixes, mine_s)
        ]
        if len(strict) == 1:
            return strict[0].res
        if not out:
            return None
        first = out[0]
        if all(i.name == first.name and (not same_ns or i.namespace == first.namespace) for i in out):
            return first.res
        ids = ", ".join(str(i.cur) for i in out)
        raise RenderError(f"found multiple possible referrals for {rid} at {self.spec.path}: {ids}")
