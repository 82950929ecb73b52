"""AppProjects declared outside plain manifests: in Helm values (`projects:` of the argocd-apps chart,
`additionalProjects` of argo-cd) or by Helm chart templates (names unknown until Helm renders them)."""

from __future__ import annotations

import re

from gitops_lint.argo.appset import files_under
from gitops_lint.model.repository import Repository, helm_template_dirs

PROJECT_VALUE_KEYS = ("projects", "additionalProjects")
ANY_PROJECT = "*"  # in `declared`: a Helm chart template defines AppProjects whose names are unknown


def chart_templates_define(repo: Repository, kind: str, directory: str | None = None) -> bool:
    """Whether a Helm chart template (under `directory`, else anywhere) declares objects of `kind`."""
    needle = re.compile(rf"^\s*kind:\s*['\"]?{kind}['\"]?\s*$", re.MULTILINE)
    prefix = f"{directory}/" if directory else ""
    dirs = repo.derived(_sorted_template_dirs)
    for template_dir in dirs:
        if prefix and not (template_dir + "/").startswith(prefix):
            continue
        for f in files_under(repo, template_dir):
            text = repo.text(f)
            if text and needle.search(text):
                return True
    return False


def _sorted_template_dirs(repo: Repository) -> list[str]:
    return sorted(helm_template_dirs(repo.files))


def declared_projects(repo: Repository) -> set[str]:
    """Project names declared in Helm values files (`projects:` of argocd-apps, `additionalProjects`)."""
    names: set[str] = set()
    for parsed in repo.parsed_files.values():
        for doc in parsed.documents:
            if isinstance(doc.data, dict) and "kind" not in doc.data:
                _collect_projects(doc.data, names, depth=0)
    return names


def _collect_projects(node, names: set[str], depth: int) -> None:
    if depth > 4 or not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in PROJECT_VALUE_KEYS:
            if isinstance(value, dict):
                names.update(k for k in value if isinstance(k, str))
            elif isinstance(value, list):
                names.update(
                    v["name"] for v in value if isinstance(v, dict) and isinstance(v.get("name"), str)
                )
        else:
            _collect_projects(value, names, depth + 1)
