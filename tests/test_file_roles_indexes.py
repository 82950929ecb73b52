"""The per-run indexes behind file roles answer as a file-by-file decision would.

Directory facts are decided once per directory (files beside each other that differ only by being
listed, or by being the commented-out path itself, still get their own roles); a kustomization's plain
entries are joined without normalising; Skaffold configs are found once and serve every caller.
"""

from __future__ import annotations

from gitops_lint.api import explain_file
from gitops_lint.core.config import Config
from gitops_lint.core.loader import parse_text
from gitops_lint.core.source import PathEscapesRoot, WorkingTree, normalize
from gitops_lint.deploy.skaffold import dev_loop_images, skaffold_documents, skaffold_manifest_globs
from gitops_lint.model.file_roles import Role
from gitops_lint.model.kustomizations import build_kustomization
from gitops_lint.model.repository import Repository
from tests.conftest import write_repo

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


def test_files_in_one_directory_keep_their_own_roles(make_repo):
    root = make_repo({
        "deploy/base/kustomization.yaml": "resources:\n  - listed.yaml\n  #- ../extra\n  #- spare.yaml\n",
        "deploy/base/listed.yaml": CM.format(name="listed"),
        "deploy/base/left-out.yaml": CM.format(name="left-out"),
        "deploy/base/spare.yaml": CM.format(name="spare"),
        "deploy/extra/a/cm.yaml": CM.format(name="a"),
        "deploy/extra/b/cm.yaml": CM.format(name="b"),
    })
    listed, left_out = explain_file(root, "deploy/base/listed.yaml"), explain_file(root, "deploy/base/left-out.yaml")
    assert (listed.role, listed.reason) == (Role.DEPLOYED, "deployed by a kustomization")
    assert (left_out.role, left_out.orphan) == (Role.NOT_DEPLOYED, True)
    assert "beside deploy/base/kustomization.yaml" in left_out.reason
    spare = explain_file(root, "deploy/base/spare.yaml")  # the commented-out entry is the file itself
    assert spare.reason == "`deploy/base/spare.yaml` is commented out of deploy/base/kustomization.yaml"
    for path in ("deploy/extra/a/cm.yaml", "deploy/extra/b/cm.yaml"):  # two directories below the commented one
        assert explain_file(root, path).reason == "`deploy/extra` is commented out of deploy/base/kustomization.yaml"


def test_a_fixture_directory_decides_for_every_file_in_it(make_repo):
    root = make_repo({
        "pkg/testdata/one.yaml": CM.format(name="one"),
        "pkg/testdata/two.yaml": CM.format(name="two"),
        "pkg/testdata/tpl.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Name }}\n",
    })
    assert explain_file(root, "pkg/testdata/one.yaml").role == Role.FIXTURE
    assert explain_file(root, "pkg/testdata/two.yaml").role == Role.FIXTURE
    assert explain_file(root, "pkg/testdata/tpl.yaml").role == Role.TEMPLATE  # decided before its place


def test_an_identity_templated_through_an_escape_is_still_a_template(make_repo):
    # no `{{` in the text: the double-quoted escape makes `{{ .Release.Name }}` only once parsed
    root = make_repo({"deploy/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "\\x7b{ .Release.Name }}"\n',
                      "deploy/plain.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\tb"\n'})
    assert explain_file(root, "deploy/cm.yaml").role == Role.TEMPLATE
    assert explain_file(root, "deploy/plain.yaml").role == Role.MANIFEST


def _kustomization(directory: str, entries: list[str]):
    text = "resources:\n" + "".join(f"  - {e!r}\n" for e in entries)
    path = f"{directory}/kustomization.yaml" if directory else "kustomization.yaml"
    return build_kustomization(path, parse_text(path, text).documents[0])


def _expected(entry: str, directory: str) -> str | None:
    try:
        return normalize(entry.strip(), directory)
    except PathEscapesRoot:
        return None


def test_kustomization_targets_are_the_normalised_paths():
    entries = ["deployment.yaml", " spaced.yaml ", ".", "..", "...", "./a.yaml", "../b", "c/../d.yaml", "/abs.yaml",
               "c:x", "github.com/org/repo", "git@example.com:org/repo", "https://example.com/x.yaml", "x?ref=v1"]
    for directory in ("", "apps/web"):
        k = _kustomization(directory, entries)
        assert [r.value for r in k.references] == entries
        for r in k.references:
            if r.remote:
                assert "/" in r.value or ":" in r.value or "@" in r.value or "?" in r.value
                continue
            assert r.target == _expected(r.value, directory), (directory, r.value)
            assert r.escapes is (r.target is None)
            assert r.position.line == entries.index(r.value) + 2
        remote = {r.value for r in k.references if r.remote}
        assert remote == {"github.com/org/repo", "git@example.com:org/repo", "https://example.com/x.yaml", "x?ref=v1"}


def test_skaffold_configs_are_found_once_and_serve_every_caller(tmp_path):
    write_repo(tmp_path, {
        "skaffold.yaml": ("apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: web\n"
                          "manifests:\n  rawYaml:\n    - k8s/*.yaml\n"),
        "k8s/cm.yaml": CM.format(name="cm"),
        "other.yaml": "apiVersion: skaffoldish/v1\nkind: Config\nbuild:\n  artifacts:\n    - image: nope\n",
    })
    repo = Repository.build(WorkingTree(tmp_path), Config(), jobs=1)
    found = skaffold_documents(repo)
    assert [d.path for d in found] == ["skaffold.yaml"]
    assert skaffold_documents(repo) is found  # one list per run
    assert skaffold_manifest_globs(repo) == ["k8s/*.yaml"]
    assert dev_loop_images(repo) == {"web"}


def test_argo_repo_urls_are_normalised_once_and_judged_the_same_every_time(tmp_path):
    from gitops_lint.argo.model import argo_index

    write_repo(tmp_path, {"apps/web/cm.yaml": CM.format(name="web")})
    config = Config(repo_urls=("https://github.com/example/fleet.git",))
    index = argo_index(Repository.build(WorkingTree(tmp_path), config, jobs=1))
    spellings = ["https://github.com/example/fleet", "git@github.com:example/fleet.git",
                 "https://github.com/example/fleet.git"]
    for _ in range(2):  # the second round is answered from the per-index memo
        assert [index.is_local(url) for url in spellings] == [True, True, True]
        assert index.is_local("https://github.com/example/other.git") is False
        assert index.is_local("{{ .repoURL }}") is False and index.is_local("") is False
