"""Argo CD Applications as the rules see them: an Application or the template of an ApplicationSet,
its sources, and the overlay rendering that judged it (patched per environment)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops_lint.argo.overlays import rendered_variants
from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.model.file_roles import unapplied_files
from gitops_lint.model.locator import FieldLocator
from gitops_lint.model.repository import Repository

APPLICATION = "argoproj.io/Application"
APPLICATIONSET = "argoproj.io/ApplicationSet"


@dataclass(frozen=True)
class Source:
    """One entry of `spec.source` / `spec.sources`."""

    repo_url: str
    path: str | None
    target_revision: object
    chart: str | None
    ref: str | None
    where: tuple  # relative to the app's spec: ("source",) or ("sources", i)
    recurse: bool = False


@dataclass
class ArgoApp:
    """An Application, or the template of an ApplicationSet (`is_appset`)."""

    doc: Document
    base: tuple  # where the Application spec sits in the document
    spec: dict
    name: str
    is_appset: bool
    sources: list[Source] = field(default_factory=list)
    patch: str = ""  # an ApplicationSet's templatePatch (a Go template string), checked for mentions
    rendered_environment: str | None = None  # the environment of the overlay that renders it, if any
    variant: str = ""  # the roots of this rendering when an overlay-patched document renders differently
    locate: FieldLocator | None = None  # where the rendering's fields were set (None: as written)

    def patched(self, *words: str) -> bool:
        """Whether the ApplicationSet's templatePatch may set any of these fields (then rules stay quiet)."""
        return any(w in self.patch for w in words)

    @property
    def label(self) -> str:
        return (
            f"ApplicationSet/{self.doc.name or '?'} (template)"
            if self.is_appset
            else f"Application/{self.name}"
        )

    def where(self, *path) -> tuple:
        return (*self.base, *path)

    def at(self, *path, key: bool = False) -> tuple[str, Position]:
        """File and position of a spec field: the overlay patch that set it, else the document itself."""
        locate = self.locate or FieldLocator.of_document(self.doc)
        return locate(self.where(*path), key=key)

    def _dict(self, *path) -> dict:
        node = dig(self.spec, path)
        return node if isinstance(node, dict) else {}

    @property
    def project(self):
        return self.spec.get("project")

    @property
    def destination(self) -> dict:
        return self._dict("destination")

    @property
    def sync_policy(self) -> dict:
        return self._dict("syncPolicy")

    @property
    def automated(self) -> dict | None:
        """The `automated` policy when automated sync is on, else None (`enabled: false` turns it off)."""
        policy = self.sync_policy
        if "automated" not in policy or policy["automated"] is None:
            return None
        auto = policy["automated"] if isinstance(policy["automated"], dict) else {}
        return None if auto.get("enabled") is False else auto

    @property
    def sync_options(self) -> list[str]:
        options = self.sync_policy.get("syncOptions")
        return (
            [o.replace(" ", "") for o in options if isinstance(o, str)] if isinstance(options, list) else []
        )


def _sources(spec: dict) -> list[Source]:
    multi = spec.get("sources")
    entries: list[tuple[tuple, object]] = (
        [(("sources", i), s) for i, s in enumerate(multi)] if isinstance(multi, list) and multi else [])
    if not entries and isinstance(spec.get("source"), dict):
        entries = [(("source",), spec["source"])]
    out = []
    for where, s in entries:
        if not isinstance(s, dict):
            continue
        directory = s.get("directory")
        out.append(
            Source(
                repo_url=s["repoURL"] if isinstance(s.get("repoURL"), str) else "",
                path=s["path"] if isinstance(s.get("path"), str) else None,
                target_revision=s.get("targetRevision"),
                chart=s["chart"] if isinstance(s.get("chart"), str) else None,
                ref=s["ref"] if isinstance(s.get("ref"), str) else None,
                where=where,
                recurse=isinstance(directory, dict) and directory.get("recurse") is True,
            )
        )
    return out


def applications(repo: Repository) -> list[ArgoApp]:
    """Applications and ApplicationSet templates; patch files skipped, overlay-patched ones as rendered."""
    patches = unapplied_files(repo)
    docs = [d for d in repo.objects(APPLICATION, APPLICATIONSET) if d.path not in patches]
    variants = rendered_variants(repo, {d.path for d in docs})
    apps = []
    for doc in docs:
        renderings = variants.get((doc.path, doc.start.line))
        if not renderings:
            apps.extend(_app(doc, doc.data))
            continue
        for v in renderings:
            variant = ",".join(v.roots) if len(renderings) > 1 else ""
            apps.extend(_app(doc, v.data, v.environment, variant, v.locate))
    return apps


def _app(
    doc: Document,
    data: dict,
    environment: str | None = None,
    variant: str = "",
    locate: FieldLocator | None = None,
) -> list[ArgoApp]:
    appset = data.get("kind") == "ApplicationSet"
    base = ("spec", "template", "spec") if appset else ("spec",)
    spec = dig(data, base)
    if not isinstance(spec, dict):
        return []
    name = dig(data, ("spec", "template", "metadata", "name")) if appset else dig(data, ("metadata", "name"))
    patch = dig(data, ("spec", "templatePatch")) if appset else None
    return [
        ArgoApp(
            doc,
            base,
            spec,
            name if isinstance(name, str) else "?",
            appset,
            _sources(spec),
            patch if isinstance(patch, str) else "",
            environment,
            variant,
            locate,
        )
    ]
