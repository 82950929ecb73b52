"""Benchmark Helm rendering in `gitops-lint check`: 100 Argo CD Applications deploying one in-repo chart,
each with different values, rendered and checked (all rules).

    python benchmarks/bench_helm.py [--releases 100] [--repeat 3]

Prints the wall time of `check` (one process, -j 1) and the time spent rendering the releases; target
<= 5 s for 100 releases on a 2-core machine. Needs a Helm backend (gitops-lint[helm] or `helm`)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import CHART, helm_application  # noqa: E402

from gitops_lint.api import lint_path  # noqa: E402
from gitops_lint.deploy.helm_releases import release_renders  # noqa: E402
from gitops_lint.helm.backends import choose_backend  # noqa: E402


def write(root: Path, releases: int) -> None:
    files = dict(CHART)
    files.update({f"argocd/web-{i:03d}.yaml": helm_application(i) for i in range(releases)})
    files[".gitops-lint.yaml"] = "repo_urls: [https://example.com/bench.git]\n"
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    backend = choose_backend()
    if backend is None:
        sys.exit("no Helm backend: pip install 'gitops-lint[helm]' or put helm on PATH")
    with tempfile.TemporaryDirectory(prefix="bench-helm-") as tmp:
        root = Path(tmp)
        write(root, args.releases)
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = lint_path(root, jobs=1)
            total = time.perf_counter() - start
            renders = release_renders(result.repo)
            best = total if best is None else min(best, total)
        rendered = sum(1 for r in renders if r.ok)
        failed = [r.error or r.skipped for r in renders if not r.ok]
        print(f"backend={backend} releases={len(renders)} rendered={rendered} failed={len(failed)} "
              f"findings={len(result.findings)}")
        print(f"check (render + all rules), best of {args.repeat}: {best:.2f} s (target <= 5 s)")
        if failed:
            print("first failure:", failed[0])


if __name__ == "__main__":
    main()
