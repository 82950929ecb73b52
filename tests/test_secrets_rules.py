"""Secret rules GL601–GL605: findings on leaks, silence on the safe paths, and no secret in any output."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitops_lint.api import lint_path
from gitops_lint.cli import main
from gitops_lint.lint.cards import builtin_card
from gitops_lint.secrets import engine as secret_engine
from gitops_lint.secrets import scan as secret_scan
from gitops_lint.secrets import sops

FIXTURES = Path(__file__).parent / "fixtures" / "secrets"
FAKE_AWS = "AKIA" + "IOSFODNN7FIXTURE"  # AWS-key shaped, not a key
AGE_KEY = "AGE-SECRET-KEY-1" + "FIXTURE0NOT0A0REAL0KEY" * 2 + "FIXTURE0NOT0AB"  # age-identity shaped


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def _gl6(repo: Path) -> list:
    result = lint_path(repo, select=["GL6"])
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return [f for f in result.findings if f.rule.startswith("GL6")]


def _summary(findings) -> set[tuple[str, str, int]]:
    return {(f.rule, f.path, f.line) for f in findings}


# -- fixture repos ----------------------------------------------------------------------------------
def test_safe_paths_raise_nothing(tmp_path):
    """ExternalSecret, SealedSecret, SOPS, CSI, vault:/ref+/sm:// references, ${VAR}, Secret names."""
    assert _gl6(_copy("safe", tmp_path)) == []


def test_platform_repo_is_quiet(tmp_path):
    """Helm values, cert-manager, ServiceMonitor, Flux decryption/postBuild, CI and Vault annotations
    name secrets everywhere without holding any."""
    assert _gl6(_copy("platform", tmp_path)) == []


def test_every_leak_is_found_once(tmp_path):
    found = _gl6(_copy("leaky", tmp_path))
    assert _summary(found) == {
        ("GL601", "secret.yaml", 7),
        ("GL602", "configmap.yaml", 7),  # AWS key
        ("GL602", "configmap.yaml", 8),  # password in a URL
        ("GL602", "deploy.sh", 2),  # GitHub token in a script
        ("GL603", "kustomization.yaml", 10),  # literal
        ("GL603", "kustomization.yaml", 13),  # plaintext env file
        ("GL604", "partial.sops.yaml", 7),
        ("GL605", "deployment.yaml", 17),  # CronJob initContainer
        ("GL605", "deployment.yaml", 23),  # CronJob container
    }
    # a Secret's data is GL601's, the generator's env file GL603's: never GL602 as well
    assert not [f for f in found if f.rule == "GL602" and f.path in ("secret.yaml", "plain.env")]


def test_placeholders_descriptions_and_source_code_are_not_secrets():
    """argocd-vault-plugin `<path:…>`, `dummy`, `changeme`, `your-…-here`, `sk-noauth`, empty and `${VAR}`
    values, password hashes, a CRD description, Go tests (a keyword, a URL with a password) and `authKey: auth`: none is a
    secret; the literal password, the generator literal and the cloud key in Go source still are."""
    found = _gl6(FIXTURES / "placeholders")
    assert _summary(found) == {
        ("GL601", "deploy/base/leaked.yaml", 6),
        ("GL602", "cmd/server/aws.go", 4),
        ("GL603", "deploy/base/kustomization.yaml", 17),
        ("GL605", "deploy/base/deployment.yaml", 25),
    }


def test_messages_name_key_and_detector(tmp_path):
    found = {(f.rule, f.line): f for f in _gl6(_copy("leaky", tmp_path)) if f.path == "configmap.yaml"}
    message = found[("GL602", 7)].message
    assert "data.AWS_ACCESS_KEY_ID" in message and "AWS Access Key" in message
    assert found[("GL602", 7)].resource == "ConfigMap/uploader"


# -- GL601 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, reported",
    [
        ("ZmFrZS1wYXNzd29yZA==", True),
        ('""', False),
        ("JHtEQl9QQVNTV09SRH0=", False),  # base64 of ${DB_PASSWORD}
        ("ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]", False),
    ],
)
def test_gl601_data_values(make_repo, value, reported):
    repo = make_repo(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {value}\n")
    assert bool([f for f in _gl6(repo) if f.rule == "GL601"]) is reported


def test_gl601_argocd_repository_secret_settings(make_repo):
    head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo\n  labels:\n"
    head += "    argocd.argoproj.io/secret-type: repository\nstringData:\n"
    public = head + "  type: git\n  url: https://github.com/example/gitops.git\n  project: default\n"
    assert _gl6(make_repo(public)) == []
    private = public + "  password: fixture-repo-pass\n"
    assert [(f.rule, f.line) for f in _gl6(make_repo(private))] == [("GL601", 11)]


def test_gl601_sops_secret_is_left_to_gl604(make_repo):
    text = (FIXTURES / "safe" / "sops-secret.yaml").read_text()
    repo = make_repo(
        text.replace("api_key: ENC[AES256_GCM,data:YXBpa2V5", "api_key: plain[AES256_GCM,data:YXBpa2V5")
    )
    assert {f.rule for f in _gl6(repo)} == {"GL604"}


# -- GL602 ------------------------------------------------------------------------------------------
def test_gl602_scans_non_yaml_files(make_repo):
    repo = make_repo(
        {
            "README.md": f"Use the key `{FAKE_AWS}` to upload.\n",
            "terraform/main.tf": 'password = "fixture-terraform-pass"\n',
            "config/app.properties": "spring.datasource.password=fixture-props-pass\n",
            "deploy/app.env": "API_KEY=fixture-env-value-7\nREGION=eu\n",  # dotenv: unquoted values count
            "keys/age.agekey": "# public key: age1example\n" + AGE_KEY + "\n",  # decrypts every SOPS file
            "logo.png": f"{FAKE_AWS}\n",  # binary types are skipped by name
        }
    )
    expected = {
        "README.md",
        "terraform/main.tf",
        "config/app.properties",
        "deploy/app.env",
        "keys/age.agekey",
    }
    assert {f.path for f in _gl6(repo)} == expected


def test_gl602_honours_the_detect_secrets_baseline(make_repo):
    accepted = {
        "type": "AWS Access Key",
        "filename": "configmap.yaml",
        "hashed_secret": hashlib.sha1(FAKE_AWS.encode()).hexdigest(),
        "is_verified": False,
        "line_number": 99,
    }
    baseline = {
        "version": "1.5.0",
        "plugins_used": [],
        "filters_used": [],
        "results": {"configmap.yaml": [accepted]},
    }
    files = {
        "configmap.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  KEY_ID: {FAKE_AWS}\n",
        "other.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  KEY_ID: {FAKE_AWS}\n",
        ".secrets.baseline": json.dumps(baseline),
    }
    assert {f.path for f in _gl6(make_repo(files))} == {"other.yaml"}


def test_gl602_baseline_disables_plugins(make_repo):
    baseline = {"plugins_used": [{"name": "KeywordDetector"}], "results": {}}
    files = {
        "a.yaml": f"key_id: {FAKE_AWS}\npassword: fixture-keyword-pass\n",
        ".secrets.baseline": json.dumps(baseline),
    }
    assert [(f.line, "Keyword" in f.message) for f in _gl6(make_repo(files))] == [(2, True)]


def test_gl602_formats_are_found_in_comments(make_repo):
    assert [f.line for f in _gl6(make_repo({"values.yaml": f"# key: {FAKE_AWS}\n"}))] == [1]


def test_gl602_pragma_allowlist(make_repo):
    repo = make_repo({"a.env": f"AWS_KEY={FAKE_AWS}  # pragma: allowlist secret\n"})
    assert _gl6(repo) == []


@pytest.mark.parametrize(
    "line",
    [
        "password: vault:secret/data/db#password",
        "password: ref+vault://secret/db#/password",
        "api_key: sm://project/api-key",
        "token: awssm:prod/token",
        "password: ${DB_PASSWORD}",
        "password: $(DB_PASSWORD)",
        "password: ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]",
        "secretName: web-tls",
        "existingSecret: grafana-admin",
        "nginx.ingress.kubernetes.io/auth-tls-secret: argocd/ca-secret",
        "passwordKey: admin-password",
        "secret: true",
        "password: <path:secret/data/db#password>",
        "tls: [{hosts: [a.example.com], secretName: creds}]",
        "secretKey: password",
        "# the password: is read from the vault at start-up",
        "# password: changeme-in-your-values",
        "check: gitops_lint.checks.secrets:secret_plaintext",
    ],
)
def test_gl602_references_and_placeholders_are_not_secrets(make_repo, line):
    assert [f for f in _gl6(make_repo({"values.yaml": f"app:\n  {line}\n"})) if f.rule == "GL602"] == []


def test_gl602_keyword_in_args_and_block_scalars(make_repo):
    files = {
        "job.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n"
        "      image: c:1.0.0\n      args: [--db-password=fixture-arg-pass]\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app.properties: |\n"
        "    db.host=db\n    db.password=fixture-props-pass\n",
    }
    found = {f.path: f for f in _gl6(make_repo(files))}
    assert found["job.yaml"].line == 9
    assert found["cm.yaml"].line == 8
    assert "data.app.properties: db.password" in found["cm.yaml"].message


def test_gl602_credential_named_configmap_keys(make_repo):
    cm = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  API_TOKEN: fixture-token-value\n"
        "  TOKEN_URL: https://auth.example.com/token\n  token_ttl: 24h\n  tokenSecretRef: my-token\n"
        "  LOG_LEVEL: info\n  SESSION_TOKEN: ${SESSION_TOKEN}\n"
    )
    found = _gl6(make_repo(cm))
    assert [(f.line, "data.API_TOKEN" in f.message) for f in found] == [(6, True)]
    config = {"rules": {"GL602": {"options": {"configmap_keys": False}}}}
    assert _gl6(make_repo(cm, config)) == []


def test_gl602_high_entropy_is_opt_in(make_repo):
    files = {"values.yaml": 'checksum: "8f4e2a9c1b7d3e6f0a5c9b2d4e7f1a3c"\n'}
    assert _gl6(make_repo(files)) == []
    config = {"rules": {"GL602": {"options": {"high_entropy": True}}}}
    assert [f.rule for f in _gl6(make_repo(files, config))] == ["GL602"]


def test_anchors_are_necessary_conditions():
    """Each anchor must match every line its detector reports (else the prefilter would hide hits)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    samples = [
        f"key: {FAKE_AWS}",
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIXTUREKEY"',
        "url: https://user:pa55word@example.com/x",
        "token: ghp_fixtureFIXTUREfixtureFIXTUREfixture12",
        "-----BEGIN RSA PRIVATE KEY-----",
        "SLACK=xoxb-123456789012-abcdefghijkl",
        "stripe: sk_live_" + "a" * 24,
        "jwt: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        'PASSWORD = "fixture-pass"',
        "artifactory: AKC" + "a" * 12,
        "mailchimp: " + "a" * 32 + "-us12",
        "twilio: SK" + "a" * 32,
        "//registry.npmjs.org/:_authToken=npm_" + "a" * 36,
        "telegram: 123456789:" + "A" * 35,
        "AccountKey=" + "a" * 88,
        "glpat-" + "a" * 20,
        "sendgrid: SG." + "a" * 22 + "." + "b" * 43,
        AGE_KEY,
    ]
    classes = {c.__name__: c for c in get_mapping_from_secret_type_to_class().values()}
    classes.update({c.__name__: c for c in secret_engine.extra_plugins()})
    import re

    for name, anchor in secret_engine.ANCHORS.items():
        plugin = classes[name]()
        for line in samples:
            if plugin.analyze_line(filename="x.yaml", line=line, line_number=1):
                assert re.search(anchor, line.lower()), (name, line)


def test_each_file_is_read_once(tmp_path, monkeypatch):
    from collections import Counter

    from gitops_lint.core.source import WorkingTree

    reads: Counter = Counter()
    original = WorkingTree.read_bytes

    def counting(self, path):
        reads[path] += 1
        return original(self, path)

    monkeypatch.setattr(WorkingTree, "read_bytes", counting)
    _gl6(_copy("leaky", tmp_path))
    assert reads and max(reads.values()) == 1, reads


def test_parallel_scan_equals_serial(monkeypatch):
    contents = [(f"f{i}.yaml", f"a: 1\npassword: fixture-pass-{i}\nkey: {FAKE_AWS}\n") for i in range(40)]
    config = secret_scan.scan_config(builtin_card("GL602").options_for({}), None)
    serial = secret_engine.scan_contents(config, contents, jobs=1)
    monkeypatch.setattr(secret_engine, "PARALLEL_BYTES", 1)
    parallel = secret_engine.scan_contents(config, contents, jobs=2)
    assert sorted(serial, key=repr) == sorted(parallel, key=repr) and len(serial) == 80


# -- GL603 ------------------------------------------------------------------------------------------
def test_gl603_file_inputs(make_repo):
    kustomization = (
        "secretGenerator:\n  - name: tls\n    files:\n      - tls.key\n      - empty.txt\n      - enc.json\n"
        "      - tls.crt\n"
    )
    repo = make_repo(
        {
            "kustomization.yaml": kustomization,
            "tls.key": "-----BEGIN PRIVATE KEY-----\nZmFrZQ==\n-----END PRIVATE KEY-----\n",
            "empty.txt": "\n",
            "tls.crt": "-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n",
            "enc.json": '{"data": "ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]", "sops": {"mac": "x"}}\n',
        }
    )
    assert [(f.rule, f.line) for f in _gl6(repo)] == [("GL603", 4)]


# -- GL604 ------------------------------------------------------------------------------------------
SOPS_META = "sops:\n  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]\n  version: 3.8.1\n"
ENC = "ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]"


@pytest.mark.parametrize(
    "body, reported",
    [
        (f"password: {ENC}\nport_unencrypted: 5432\n{SOPS_META}", False),  # default unencrypted suffix
        (f"password: {ENC}\nport: 5432\n{SOPS_META}", True),
        (f"password: {ENC}\nport_plain: 5432\n{SOPS_META}  unencrypted_suffix: _plain\n", False),
        (f"db:\n  password: {ENC}\n  host: db\n{SOPS_META}  encrypted_regex: ^password$\n", False),
        (f"password: {ENC}\nhost: db\n{SOPS_META}  unencrypted_regex: ^host$\n", False),
        (f"password: {ENC}\nhost: db\n{SOPS_META}  encrypted_suffix: word\n", False),
        (f"password: {ENC}\nsops:\n  version: 3.8.1\n", True),  # no MAC
        (f"password: {ENC}\n", True),  # ciphertext without metadata
    ],
)
def test_gl604_respects_sops_rules(make_repo, body, reported):
    assert bool([f for f in _gl6(make_repo({"values.enc.yaml": body})) if f.rule == "GL604"]) is reported


def test_gl604_creation_rules(make_repo):
    files = {
        ".sops.yaml": "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1xyz\n",
        "secrets/values.yaml": "database:\n  password: fixture-should-be-encrypted\n",
        "apps/values.yaml": "replicas: 2\n",
    }
    assert [(f.rule, f.path) for f in _gl6(make_repo(files))] == [("GL604", "secrets/values.yaml")]
    files[".sops.yaml"] = "creation_rules:\n  - path_regex: .*\\.yaml$\n    age: age1xyz\n"  # catch-all
    assert [(f.rule, f.path) for f in _gl6(make_repo(files))] == [("GL602", "secrets/values.yaml")]


def test_gl604_dotenv(make_repo):
    text = f"TOKEN={ENC}\nLEFT=fixture-plain\nsops_mac={ENC}\nsops_version=3.8.1\n"
    assert [(f.rule, f.line) for f in _gl6(make_repo({"app.env": text}))] == [("GL604", 2)]


# -- GL605 ------------------------------------------------------------------------------------------
def test_gl605_rollout_and_ignored_names(make_repo):
    rollout = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1.0.0
          env:
            - name: API_KEY
              value: fixture-api-key
            - name: PUBLIC_KEY
              value: fixture-public
            - name: JWT_SECRET
              value: GOOGLE_API_KEY_VAL
"""
    assert [(f.rule, f.line) for f in _gl6(make_repo(rollout)) if f.rule == "GL605"] == [("GL605", 13)]


# -- never a secret in any output -------------------------------------------------------------------
CANARY_AWS = "AKIA" + "CANARY7TESTONLY1"
CANARY = "canary-Zq81-value"


def _canary_repo(make_repo) -> Path:
    b64 = base64.b64encode(CANARY.encode()).decode()
    return make_repo(
        {
            "secret.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {b64}\n"
            f"stringData:\n  token: {CANARY}\n",
            "configmap.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
            f"  KEY_ID: {CANARY_AWS}\n  {CANARY_AWS}: 'true'\n  password: {CANARY}\n  API_TOKEN: {CANARY}\n",
            "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: d\n          image: d:1.0.0\n          env:\n"
            f"            - name: DB_PASSWORD\n              value: {CANARY}\n",
            "kustomization.yaml": "resources: [secret.yaml, configmap.yaml, deploy.yaml]\nsecretGenerator:\n"
            f"  - name: g\n    literals:\n      - PASSWORD={CANARY}\n    envs:\n      - plain.env\n",
            "plain.env": f"PASSWORD={CANARY}\n",
            "partial.yaml": f"password: {ENC}\napi_token: {CANARY}\n{SOPS_META}",
            "run.sh": f"export AWS_ACCESS_KEY_ID={CANARY_AWS}\nexport password='{CANARY}'\n",
        }
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_no_secret_value_in_any_output(make_repo, fmt):
    repo = _canary_repo(make_repo)
    result = CliRunner().invoke(main, ["check", str(repo), "--select", "GL6", "--format", fmt])
    assert result.exit_code == 1, result.output
    out = result.output
    rules = {r for r in ("GL601", "GL602", "GL603", "GL604", "GL605") if r in out}
    assert rules == {"GL601", "GL602", "GL603", "GL604", "GL605"}, out
    forbidden = [CANARY, CANARY_AWS, base64.b64encode(CANARY.encode()).decode()]
    forbidden += [hashlib.sha1(s.encode()).hexdigest() for s in (CANARY, CANARY_AWS)]
    forbidden += ["Zq81", "CANARY7"]  # no fragment either
    for secret in forbidden:
        assert secret not in out, (fmt, secret)


# -- helpers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("${VAR}", True),
        ("$(VAR)", True),
        ("vault:secret/data/x#y", True),
        ("ref+awssm://x", True),
        ("${USER}:${PASS}", True),
        ("postgres://${USER}:${PASS}@db:5432/app", False),  # GL602's filters drop the `${PASS}` part
        ("", True),
        ("hunter2-fixture", False),
        ("postgres://app:fixture@db", False),
    ],
)
def test_is_reference(value, expected):
    assert sops.is_reference(value) is expected


# -- corpus ---------------------------------------------------------------------------------------
def test_corpus_repos(corpus):
    counts = {}
    for repo in sorted(p for p in corpus.iterdir() if p.is_dir()):
        for f in _gl6(repo):
            counts[(repo.name, f.rule)] = counts.get((repo.name, f.rule), 0) + 1
    # the kustomize examples commit plaintext Secrets and passwords in properties files; the Flux
    # examples are clean; microservices-demo has a `*_VAL` placeholder that is not reported; the
    # transformerconfigs example's `bbbbbbbb` is a stand-in (issue-10 review): the two mysql-pass Secrets
    assert counts.get(("kubernetes-sigs__kustomize", "GL601")) == 2
    # springboot application.properties (3 files + 1 ConfigMap patch) and ldap's config.env passwords
    assert counts.get(("kubernetes-sigs__kustomize", "GL602")) == 5
    assert not any(k[0].startswith("fluxcd__") for k in counts)
    assert ("GoogleCloudPlatform__microservices-demo", "GL605") not in counts


@pytest.mark.parametrize(
    "value, placeholder",
    [
        ("dummy", True), ("changeme", True), ("CHANGE_ME", True), ("dummy-token", True),
        ("your-api-key-here", True), ("YOUR_API_TOKEN", True), ("insert-password-here", True),
        ("sk-noauth", True), ("sk-no-key-required", True), ("xxxxxxxx", True), ("<redacted>", True),
        ("$2a$10$wJ3BxZTKuIpxf8vAHHVmE.V3mAlZz3Zg1ZsYwtw3lYkgHb3rGcpnq", True),  # bcrypt hash
        ("2024-05-01T10:00:00Z", True),
        # real-looking values stay secrets (the card examples among them)
        ("fake-password-in-git", False), ("not-a-real-token-but-plaintext", False), ("puttysecret", False),
        ("mysecretpassword", False), ("S3cure-Adm1n-Passw0rd", False), ("sk-proj-4f9a8b7c6d5e", False),
        ("admin", False),
    ],
)
def test_placeholder_vocabulary(value, placeholder):
    assert sops.is_reference(value) is placeholder
