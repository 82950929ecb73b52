"""The wheel ships the rule cards; an installed wheel finds them with no source tree."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT


@pytest.mark.slow
def test_wheel_contains_cards_and_runs_rules_from_a_fresh_venv(tmp_path):
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO_ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("gitops_lint/rule_pack/") and n.endswith(".yaml") for n in names)
    assert not any(n.startswith("rules/") for n in names), "no top-level `rules` package"
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # dependencies come from this interpreter's site-packages (appended after the venv's own)
    own_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
    parents = [p for p in sys.path if p.endswith("site-packages")]
    (Path(own_site) / "parent-deps.pth").write_text("\n".join(parents) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    out = subprocess.run([str(env_dir / "bin" / "gitops-lint"), "rules"], cwd=tmp_path,
                         check=True, capture_output=True, text=True, timeout=120)
    assert "GL302  yaml-duplicate-key" in out.stdout
    where = subprocess.run([str(python), "-c", "import gitops_lint.lint.cards as c; print(c.builtin_rules_dir())"],
                           cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(env_dir)) and "rule_pack" in where
