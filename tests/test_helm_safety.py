"""Helm safety in `check`: a value from a `valuesFrom` Secret never reaches any report (not even through
Helm's own error message), chart test hooks are not part of the rendered release, a chart symlink that
leaves the chart fails the release, an index cannot point the fetcher at local files, and the linted
repository's own config cannot choose where fetched charts are written."""

from __future__ import annotations

import io
import json
import os

import pytest
from click.testing import CliRunner

from gitops_lint.api import lint_path
from gitops_lint.cli import main
from gitops_lint.core.config import ConfigError
from gitops_lint.deploy.helm_releases import release_renders
from gitops_lint.helm.fetch import ChartFetcher, FetchError
from gitops_lint.helm.release import ChartSource
from helm_charts import flux_release, needs_sdk, values_secret, web_chart

SECRET_VALUE = "s3cr3t-registry.example.com/app:latest"

RELEASE = flux_release(spec="""\
  valuesFrom:
    - kind: Secret
      name: shop-secret
      valuesKey: image
      targetPath: {target}
""")

SECRET = values_secret("image", SECRET_VALUE)


def _repo(make_repo, target: str, extra: dict[str, str] | None = None):
    return make_repo({**web_chart(), **(extra or {}), "apps/shop/release.yaml": RELEASE.format(target=target),
                      "apps/shop/secret.yaml": SECRET})


def _every_report(repo) -> str:
    out = []
    for fmt in ("text", "json", "sarif", "github", "markdown", "codequality", "junit"):
        result = CliRunner().invoke(main, ["check", str(repo), "--format", fmt, "--no-cache", "--fail-on", "never"])
        assert result.exit_code == 0, result.output
        out.append(result.output)
    return "\n".join(out)


@needs_sdk
def test_a_secret_value_in_a_rendered_object_is_never_reported(make_repo):
    repo = _repo(make_repo, "image")
    findings = lint_path(repo).findings
    # the image is hidden from every rule (a value from a Secret): not judged, rather than misjudged
    assert not [f for f in findings if f.rule == "GL701"]
    assert SECRET_VALUE not in _every_report(repo)


@needs_sdk
def test_a_pinned_image_from_a_secret_is_not_called_untagged(make_repo):
    pinned = values_secret("image", "registry.example.com/app:1.27.3")
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": RELEASE.format(target="image"),
                      "apps/shop/secret.yaml": pinned})
    assert not [f for f in lint_path(repo).findings if f.rule == "GL701"]


@needs_sdk
def test_a_secret_value_in_helms_error_message_is_never_reported(make_repo):
    failing = {"charts/web/templates/check.yaml": '{{- if ne .Values.host "example.org" }}'
                                                  '{{ fail (printf "host %s is not allowed" .Values.host) }}'
                                                  "{{- end }}\n"}
    repo = _repo(make_repo, "host", failing)
    [finding] = [f for f in lint_path(repo).findings if f.rule == "GL209"]
    assert "is not allowed" in finding.message and "<redacted>" in finding.message
    assert SECRET_VALUE not in _every_report(repo)


@needs_sdk
def test_chart_test_hooks_are_not_rendered(make_repo):
    hook = {"charts/web/templates/tests/connection.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations:\n"
        '    "helm.sh/hook": test\nspec:\n  containers:\n    - name: wget\n      image: busybox:latest\n'),
        "charts/web/templates/job.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hooked\n  annotations:\n"
        '    "helm.sh/hook": pre-install,test-success\n')}
    result = lint_path(_repo(make_repo, "host", hook))
    [render] = release_renders(result.repo)
    names = {o.data["metadata"]["name"] for o in render.objects}
    assert "shop-test" not in names and "shop-web" in names
    assert "shop-hooked" in names  # an install hook is part of what `helm template` outputs
    assert not [f for f in result.findings if f.rule == "GL701" and "busybox" in f.message]
    assert not json.dumps([f.to_dict() for f in result.findings]).count("shop-test")


def test_an_index_cannot_make_the_fetcher_read_local_files(tmp_path):
    """A chart repository's index names the archive's URL: anything but http(s) is refused, unopened."""
    opened: list[str] = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def opener(url: str, timeout: float):
        opened.append(url)
        return Response(b"apiVersion: v1\nentries:\n  web:\n    - version: 1.0.0\n      urls: [file:///etc/hostname]\n")

    fetcher = ChartFetcher(tmp_path, opener=opener)
    with pytest.raises(FetchError, match="only http"):
        fetcher.get(ChartSource(repo_url="https://charts.example.org", chart="web", version="1.0.0"))
    assert opened == ["https://charts.example.org/index.yaml"]


@needs_sdk
def test_a_symlink_leaving_the_chart_fails_the_release_without_reading_it(make_repo):
    repo = make_repo({**web_chart(), "private.txt": "do-not-read-this-file\n",
                      "apps/shop/release.yaml": RELEASE.format(target="host"), "apps/shop/secret.yaml": SECRET})
    os.symlink("../../../private.txt", repo / "charts/web/files/leak.txt")
    [finding] = [f for f in lint_path(repo).findings if f.rule == "GL209"]
    assert "leaves the chart directory" in finding.message
    assert "do-not-read-this-file" not in _every_report(repo)


def test_the_repositorys_own_config_cannot_choose_the_chart_cache(make_repo):
    repo = make_repo({"apps/a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"},
                     {"helm": {"cache": "/tmp/elsewhere"}})
    with pytest.raises(ConfigError, match="helm.cache may not be set"):
        lint_path(repo)
