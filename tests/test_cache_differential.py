"""Differential test of the cache and of `check FILE…`: after each random edit (seeded) the cached runs
(the first after the edit, and a warm re-run served from the cache) report exactly what an uncached
run reports; the restricted run of `check FILE…` (only the units that read the named files rendered and
checked), uncached and cached, reports at the named files exactly what the uncached whole run reports
there; and no planted secret value reaches the cache."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.model.kustomizations import is_kustomization_file

SECRET_MARK = "zq-planted-"


def _synthetic(root: Path, apps: int = 4) -> Path:
    files: dict[str, str] = {}
    for i in range(apps):
        app = f"svc-{i}"
        base = f"apps/{app}/base"
        files[f"{base}/kustomization.yaml"] = "resources:\n  - deployment.yaml\n  - service.yaml\n"
        files[f"{base}/deployment.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  selector:\n"
            f"    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n      labels: {{app: {app}}}\n"
            f"    spec:\n      containers:\n        - name: {app}\n          image: registry.example/{app}:1.{i}.0\n"
        )
        files[f"{base}/service.yaml"] = (
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector: {{app: {app}}}\n"
            "  ports:\n    - port: 80\n"
        )
        for env in ("staging", "production"):
            files[f"apps/{app}/overlays/{env}/kustomization.yaml"] = (
                f"resources:\n  - ../../base\nnamespace: {app}-{env}\n"
                "patches:\n  - path: replicas.yaml\n"
            )
            files[f"apps/{app}/overlays/{env}/replicas.yaml"] = (
                f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  replicas: {i + 2}\n"
            )
    return write_repo(root, files)


def _files(repo: Path, suffix: str = "") -> list[Path]:
    return sorted(p for p in repo.rglob(f"*{suffix}") if p.is_file() and ".cache" not in p.parts)


def _edit(repo: Path, rng: random.Random, n: int) -> str:
    """One random edit of the tree; returns what it did (for the failure message)."""
    yamls = _files(repo, ".yaml")
    kustomizations = [p for p in yamls if p.name == "kustomization.yaml"]
    kind = rng.choice(["modify", "modify", "add", "remove", "break", "secret", "rename"])
    if kind == "modify" and yamls:
        target = rng.choice(yamls)
        text = target.read_text(errors="replace")
        choice = rng.randrange(3)
        if choice == 0:
            text += f"# edit {n}\n"
        elif choice == 1:
            text = text.replace(":1.", f":{n}.", 1).replace("replicas: ", f"replicas: {n % 3}", 1)
        else:
            text += f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{n}\ndata:\n  k: v{n}\n"
        target.write_text(text)
        return f"modify {target.relative_to(repo)}"
    if kind == "add":
        directory = rng.choice([p.parent for p in yamls]) if yamls else repo
        name = f"added-{n}.yaml"
        (directory / name).write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added-{n}\n")
        own = directory / "kustomization.yaml"
        if own.is_file() and rng.random() < 0.7:
            own.write_text(own.read_text(errors="replace").replace("resources:\n", f"resources:\n  - {name}\n", 1))
        return f"add {(directory / name).relative_to(repo).as_posix()}"
    if kind == "remove" and len(yamls) > 3:
        target = rng.choice(yamls)
        target.unlink()
        return f"remove {target.relative_to(repo)}"
    if kind == "break" and kustomizations:
        target = rng.choice(kustomizations)
        target.write_text(target.read_text(errors="replace").replace(
            "resources:\n", f"resources:\n  - missing-{n}.yaml\n", 1))
        return f"break {target.relative_to(repo)}"
    if kind == "secret":
        directory = rng.choice([p.parent for p in yamls]) if yamls else repo
        secret = directory / f"secret-{n}.yaml"
        secret.write_text(
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s{n}\nstringData:\n  password: {SECRET_MARK}{n}x9\n")
        return f"secret {secret.relative_to(repo).as_posix()}"
    overlays = [p.parent for p in kustomizations if p.parent.parent.name == "overlays"]
    if overlays:
        target = rng.choice(overlays)
        renamed = target.with_name(f"{target.name}-r{n}")
        target.rename(renamed)
        return f"rename {target.relative_to(repo)}"
    return "nothing"


def _view(result) -> tuple:
    return ([f.to_dict() for f in result.findings], result.file_count, result.document_count,
            [c.id for c in result.cards])


def _at(result, named: list[str]) -> tuple:
    """A run's findings (and suppressed findings) at the named files, with its counts and rules."""
    def keep(found) -> list[dict]:
        return [f.to_dict() for f in found if f.path in named]

    return (keep(result.findings), keep(result.result.suppressed), result.file_count, result.document_count,
            [c.id for c in result.cards])


def _named(whole, rng: random.Random, n: int, edited: str) -> list[str]:
    """Files to name in `check FILE…`, in turn: the file just edited (as pre-commit would), a kustomization
    file, a manifest that several roots read (a base), a file that no root reads, and two at random."""
    repo = whole.repo
    reads: dict[str, int] = {}
    for root in repo.top_level_roots:
        for path in repo.files_read_by(root):
            reads[path] = reads.get(path, 0) + 1
    yamls = sorted(repo.parsed_files)
    kustomizations = [p for p in yamls if is_kustomization_file(p)]
    pools = [[edited], kustomizations, [p for p in yamls if reads.get(p, 0) > 1 and p not in kustomizations],
             [p for p in yamls if p not in reads], yamls]
    pool = pools[n % len(pools)] or yamls
    return sorted(rng.sample(pool, min(2 if pool is pools[-1] else 1, len(pool))))


def _differential(repo: Path, cache: Path, edits: int, seed: int) -> None:
    rng = random.Random(seed)
    for n in range(edits):
        what = _edit(repo, rng, n)
        whole = lint_path(repo, jobs=1)
        cold = _view(whole)
        first = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache)
        warm = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache)
        assert warm.repo is None, f"edit {n} ({what}): warm run not served from the cache"
        assert _view(first) == cold, f"edit {n} ({what}): first cached run differs"
        assert _view(warm) == cold, f"edit {n} ({what}): warm run differs"
        named = _named(whole, rng, n, what.split(" ", 1)[-1])
        if not named:
            continue
        expected = _at(whole, named)
        restricted = lint_path(repo, jobs=1, files=named)  # `check FILE…`, uncached
        assert restricted.repo is not None
        assert _at(restricted, named) == expected, f"edit {n} ({what}): check {named} differs"
        assert {f.path for f in restricted.findings} <= set(named)
        served = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache, files=named)  # by the whole run
        assert served.repo is None and _at(served, named) == expected, f"edit {n} ({what}): {named}"
        if n % 4 == 0:  # a restricted run stored under its own key, then answered from it
            own = cache.with_name(f"{cache.name}-named")
            stored = lint_path(repo, jobs=1, use_cache=True, cache_dir=own, files=named)
            again = lint_path(repo, jobs=1, use_cache=True, cache_dir=own, files=named)
            assert stored.repo is not None and again.repo is None, f"edit {n} ({what})"
            assert _at(stored, named) == _at(again, named) == expected, f"edit {n} ({what}): {named}"
    for path in (*cache.rglob("*"), *cache.with_name(f"{cache.name}-named").rglob("*")):
        if path.is_file():
            assert SECRET_MARK.encode() not in path.read_bytes(), path


def test_random_edits_on_a_synthetic_repo(tmp_path):
    repo = _synthetic(tmp_path / "repo")
    hub = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  team: blue\n"
    files = {"components/team/kustomization.yaml": hub}  # a label/annotation hub two apps' overlays include
    for app in ("svc-0", "svc-1"):
        overlay = repo / "apps" / app / "overlays" / "staging" / "kustomization.yaml"
        files[overlay.relative_to(repo).as_posix()] = overlay.read_text() + "components:\n  - ../../../../components/team\n"
    write_repo(repo, files)
    _differential(repo, tmp_path / "cache", edits=160, seed=13)


def test_random_edits_on_a_corpus_repo(tmp_path, corpus):
    source = corpus / "fluxcd__flux2-kustomize-helm-example"
    if not source.is_dir():
        pytest.skip("corpus repo not present")
    repo = tmp_path / "repo"
    shutil.copytree(source, repo, ignore=shutil.ignore_patterns(".git"))
    _differential(repo, tmp_path / "cache", edits=50, seed=7)
