"""Chart version constraints as Helm resolves them against a repository index (semver ranges:
`*`, `x` wildcards, comparisons, `^`, `~`, hyphen ranges, `,`/space = and, `||` = or)."""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
EXACT = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def parse(text: str) -> tuple[int, int, int, tuple] | None:
    """(major, minor, patch, prerelease) of a full version, None when it is not one."""
    m = _VERSION.match(text.strip())
    if not m or not all(g and g.isdigit() for g in m.groups()[:3]):
        return None
    pre = tuple(int(p) if p.isdigit() else p for p in (m.group(4) or "").split(".") if p)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), pre


def _key(v: tuple) -> tuple:
    major, minor, patch, pre = v
    # a prerelease sorts before its release; numeric identifiers before alphanumeric ones
    return (major, minor, patch, 0 if pre else 1, tuple((0, p, "") if isinstance(p, int) else (1, 0, p)
                                                         for p in pre))


def _bounds(term: str) -> list[tuple[str, tuple]]:
    """A single constraint term as (operator, version) comparisons."""
    term = term.strip()
    m = re.match(r"^(>=|<=|!=|>|<|=|\^|~>|~)?\s*(.+)$", term)
    if not m:
        return []
    op, text = m.group(1) or "", m.group(2)
    if text in ("*", "x", "X"):
        return []
    vm = _VERSION.match(text)
    if not vm:
        raise ValueError(f"bad version constraint {term!r}")
    parts = [vm.group(1), vm.group(2), vm.group(3)]
    wild = [p is None or not p.isdigit() for p in parts]
    nums = [int(p) if p and p.isdigit() else 0 for p in parts]
    pre = tuple(int(p) if p.isdigit() else p for p in (vm.group(4) or "").split(".") if p)
    low = (nums[0], nums[1], nums[2], pre)
    if op == "^":
        if nums[0] or wild[1]:
            high = (nums[0] + 1, 0, 0, (0,))
        elif nums[1] or wild[2]:
            high = (0, nums[1] + 1, 0, (0,))
        else:
            high = (0, 0, nums[2] + 1, (0,))
        return [(">=", low), ("<", high)]
    if op in ("~", "~>"):
        high = (nums[0] + 1, 0, 0, (0,)) if wild[1] else (nums[0], nums[1] + 1, 0, (0,))
        return [(">=", low), ("<", high)]
    if any(wild) and op in ("", "="):
        high = (nums[0] + 1, 0, 0, (0,)) if wild[1] else (nums[0], nums[1] + 1, 0, (0,))
        return [(">=", low), ("<", high)]
    return [(op or "=", low)]


def _holds(version: tuple, op: str, bound: tuple) -> bool:
    a, b = _key(version), _key(bound)
    return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def _checks(alternative: str) -> list[tuple[str, tuple]]:
    """The comparisons of one `||` alternative (raises ValueError when it is not a constraint)."""
    alternative = re.sub(r"\s+-\s+", " - ", alternative.strip())
    if " - " in alternative:
        lo, hi = alternative.split(" - ", 1)
        terms = [f">={lo}", f"<={hi}"]
    else:
        terms = [t for t in re.split(r"[,\s]+", re.sub(r"(>=|<=|!=|>|<|=|\^|~>|~)\s+", r"\1", alternative)) if t]
    return [c for t in terms for c in _bounds(t)]


def is_range(text: str | None) -> bool:
    """Whether `text` is a version constraint other than one exact version (empty: any version);
    False for an exact version and for what is no constraint at all (an OCI tag such as `latest`)."""
    text = (text or "").strip()
    if EXACT.match(text):
        return False
    try:
        for alternative in text.split("||"):
            _checks(alternative)
    except ValueError:
        return False
    return True


def satisfies(version: str, constraint: str | None) -> bool:
    """Whether `version` meets `constraint` (empty/None: any release version)."""
    v = parse(version)
    if v is None:
        return False
    text = (constraint or "").strip()
    if not text:
        return not v[3]
    for alternative in text.split("||"):
        try:
            checks = _checks(alternative)
        except ValueError:
            return False
        if v[3] and not any(b[3] and b[:3] == v[:3] for _, b in checks):
            continue  # prereleases only match a constraint that names that prerelease's version
        if all(_holds(v, op, b) for op, b in checks):
            return True
    return False


def best(versions: list[str], constraint: str | None) -> str | None:
    """The highest of `versions` meeting `constraint` (an exact version matches only itself)."""
    text = (constraint or "").strip()
    if text and EXACT.match(text):
        return next((v for v in versions if v.lstrip("v") == text.lstrip("v")), None)
    matching = [v for v in versions if satisfies(v, text)]
    return max(matching, key=lambda v: _key(parse(v)), default=None)  # type: ignore[arg-type]
