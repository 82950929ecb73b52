"""CODEOWNERS files as GitHub and GitLab read them: gitignore-like patterns, the last match wins, and a
pattern without owners removes ownership. GitLab `[Section]` headers are skipped (their rules still count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pathspec

# GitHub looks in .github/, the root, then docs/; GitLab in the root, docs/, then .gitlab/.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_SECTION = re.compile(r"^\^?\[[^\]]+\](\[\d+\])?(\s+\S.*)?$")


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: tuple[str, ...]
    line: int
    matcher: pathspec.PathSpec


@dataclass
class CodeOwners:
    path: str
    rules: list[Rule]

    def rule_for(self, file: str) -> Rule | None:
        """The rule that decides a file's owners: the last one that matches."""
        for rule in reversed(self.rules):
            if rule.matcher.match_file(file):
                return rule
        return None

    def owners(self, file: str) -> tuple[str, ...]:
        """Owners of a repo-relative file (empty when no rule matches or the last match un-owns it)."""
        rule = self.rule_for(file)
        return rule.owners if rule is not None else ()


def parse(path: str, text: str) -> CodeOwners:
    """Parse CODEOWNERS text; unparsable patterns are ignored (as the hosts do)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or _SECTION.match(line):
            continue
        line = re.split(r"(?<!\\)\s#", line, maxsplit=1)[0].strip()
        parts = re.split(r"(?<!\\)\s+", line)
        pattern = parts[0].replace("\\ ", " ").replace("\\#", "#")
        if pattern.startswith("!"):
            continue  # no negation in CODEOWNERS: the hosts reject the line
        try:
            matcher = pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, re.error):  # a bad pattern or character range: the hosts skip the line
            continue
        rules.append(Rule(pattern, tuple(parts[1:]), number, matcher))
    return CodeOwners(path, rules)


def find(repo) -> CodeOwners | None:
    """The CODEOWNERS file the hosting service uses (the first location present), parsed."""
    files = set(repo.files)
    for location in LOCATIONS:
        if location in files:
            return parse(location, repo.text(location) or "")
    return None
