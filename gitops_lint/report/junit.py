"""JUnit XML (the Jenkins/GitLab flavour): one testsuite per rule, one failed testcase per finding,
and one passing testcase for each rule that found nothing, so test dashboards count every rule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from gitops_lint.core.findings import Finding

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold: control characters and lone surrogates (non-UTF-8 names) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))


def _case_name(f: Finding) -> str:
    where = f"{f.path}:{f.line}:{f.column}"
    extra = ", ".join(x for x in (f.resource, f.environment) if x)
    return f"{where} ({extra})" if extra else where


def _details(f: Finding) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {f.message}"]
    for label, value in (("resource", f.resource), ("environment", f.environment),
                         ("fingerprint", f.fingerprint)):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _suites(findings: list[Finding], cards: list) -> list[tuple[str, str, list[Finding]]]:
    """(rule id, rule name, its findings) for every rule run, then any rule seen only in findings."""
    by_rule: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=Finding.sort_key):
        by_rule.setdefault(f.rule, []).append(f)
    suites = [(c.id, c.name, by_rule.pop(c.id, [])) for c in sorted(cards, key=lambda c: c.id)]
    suites += [(rule, found[0].name, found) for rule, found in sorted(by_rule.items())]
    return suites


def render(findings: list[Finding], cards: list) -> str:
    """The JUnit report as XML text."""
    root = ET.Element("testsuites", name="gitops-lint")
    total = failures = 0
    for index, (rule, name, found) in enumerate(_suites(findings, cards)):
        title = xml_text(f"{rule} {name}")
        suite = ET.SubElement(root, "testsuite", name=title, id=str(index), tests=str(max(len(found), 1)),
                              failures=str(len(found)), errors="0", skipped="0", time="0")
        for f in found:
            case = ET.SubElement(suite, "testcase", name=xml_text(_case_name(f)), classname=title, time="0")
            failure = ET.SubElement(case, "failure", message=xml_text(f.message), type=str(f.severity))
            failure.text = xml_text(_details(f))
        if not found:
            ET.SubElement(suite, "testcase", name=xml_text(f"{rule} {name}: no finding"), classname=title, time="0")
        total += max(len(found), 1)
        failures += len(found)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
