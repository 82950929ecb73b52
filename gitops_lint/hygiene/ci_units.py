"""CI jobs, scripts and Makefile/Taskfile/justfile targets as units that call each other.

A unit is a GitHub Actions/GitLab/CircleCI job (or a whole CI file of another kind), a shell script, or
one target of a Makefile, justfile or Taskfile. Units call each other: a `run:` step that runs
`./hack/e2e.sh`, `make deploy` or `task up`, a target's prerequisites, `$(MAKE) x`, a Taskfile
`task:` entry, a local composite action (`uses: ./.github/actions/x`).

A unit that starts a throw-away cluster (kind, k3d, minikube), itself or through a unit it calls, is a
test unit; whatever a test unit runs (the units it calls, transitively) runs against that cluster.
Neither is a push to a real cluster.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from gitops_lint.hygiene.ci_commands import EPHEMERAL

MAKE_NAMES = ("Makefile", "makefile", "GNUmakefile")
JUST_NAMES = ("justfile", "Justfile", ".justfile")
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.%/${}()@-][^\s:=#]*(?:\s+[^\s:=#]+)*)\s*:(?!=)(.*)$")
_TASK = re.compile(r"^  ([A-Za-z0-9_.:-]+):\s*(#.*)?$")  # a key under `tasks:` (two-space indent)
_SCRIPT_CALL = re.compile(r"(?:^|[\s;&|(`'\"=])(?:\$\{?\w+\}?/|\$\(dirname[^)]*\)/)?((?:\.{1,2}/)?[\w./-]+\.(?:sh|bash))\b")
_MAKE_CALL = re.compile(r"(?:^|[\s;&|(`'\"])(?:make|gmake|\$\(MAKE\)|\$\{MAKE\})((?:\s+(?:-[A-Za-z]+|--[\w-]+)"
                        r"(?:[ =](?!-)[^\s;&|]+)?)*)((?:\s+[A-Za-z0-9_][\w./%-]*)+)")
_TASK_CALL = re.compile(r"(?:^|[\s;&|(`'\"])(?:task|go-task)((?:\s+-{1,2}[\w-]+(?:[ =](?!-)[^\s;&|]+)?)*)"
                        r"((?:\s+[A-Za-z0-9_][\w:.-]*)+)")
_TASK_REF = re.compile(r"(?:^|[\s{,\[-])task:\s*['\"]?([\w:.-]+)")
_JUST_CALL = re.compile(r"(?:^|[\s;&|(`'\"])just((?:\s+[A-Za-z0-9_][\w-]*)+)")
_LOCAL_ACTION = re.compile(r"uses:\s*['\"]?\./([\w./-]+?)/?['\"]?\s*$")


@dataclass(frozen=True)
class Unit:
    """A job, a script or a target: lines `first`..`last` (1-based, inclusive) of `path`."""

    path: str
    name: str  # job or target name; "" for a whole script or file, or the preamble of a file
    first: int
    last: int

    @property
    def label(self) -> str:
        """How messages name it: `job deploy`, `target deploy`, or nothing for a whole file."""
        if not self.name:
            return ""
        return f"job `{self.name}`" if is_ci_path(self.path) else f"target `{self.name}`"


def is_ci_path(path: str) -> bool:
    """Whether `path` belongs to a CI system's configuration (GitHub, GitLab, CircleCI)."""
    return path.startswith((".github/", ".gitlab", ".circleci/")) or "gitlab-ci" in path


def job_units(path: str, lines: list[str], job_lines: list[tuple[str, int]]) -> list[Unit]:
    """Units of a CI file: the preamble and one per job (`job_lines`: name and first line), or the
    whole file when its jobs are unknown."""
    if not job_lines:
        return [Unit(path, "", 1, len(lines))]
    job_lines = sorted(job_lines, key=lambda j: j[1])
    bounds = [j[1] for j in job_lines] + [len(lines) + 1]
    units = [Unit(path, "", 1, job_lines[0][1] - 1)] if job_lines[0][1] > 1 else []
    units += [Unit(path, name, start, nxt - 1) for (name, start), nxt in zip(job_lines, bounds[1:], strict=True)]
    return units


def script_units(path: str, lines: list[str]) -> list[Unit]:
    """A shell script as one unit; a Makefile/justfile/Taskfile as its preamble plus one unit per target."""
    name = posixpath.basename(path)
    if name.startswith("Taskfile"):
        starts = [(m.group(1), i) for i, line in enumerate(lines, 1) if (m := _TASK.match(line))]
    elif name in MAKE_NAMES or name in JUST_NAMES or name.endswith(".mk"):
        starts = [(_target_name(m.group(1)), i) for i, line in enumerate(lines, 1)
                  if not line.startswith(("\t", " ")) and (m := _MAKE_TARGET.match(line))]
    else:
        return [Unit(path, "", 1, len(lines))]
    if not starts:
        return [Unit(path, "", 1, len(lines))]
    bounds = [s[1] for s in starts] + [len(lines) + 1]
    units = [Unit(path, "", 1, starts[0][1] - 1)] if starts[0][1] > 1 else []
    units += [Unit(path, target, start, nxt - 1) for (target, start), nxt in zip(starts, bounds[1:], strict=True)]
    return units


def _target_name(head: str) -> str:
    return head.split()[0]


class CallGraph:
    """Units of the repository's CI files and scripts, what each calls, and which are test units."""

    def __init__(self, units: list[Unit], texts: dict[str, list[str]], files: set[str]):
        self.units = units
        self._texts = texts
        self._files = files
        self._by_target: dict[tuple[str, str], Unit] = {(u.path, u.name): u for u in units if u.name}
        self._whole: dict[str, Unit] = {u.path: u for u in units if not u.name and u.first == 1}
        self._basenames: dict[str, list[str]] = {}
        for path in texts:
            self._basenames.setdefault(posixpath.basename(path), []).append(path)
        self.calls = {u: self._calls(u) for u in units}
        self.exempt = self._exempt()

    def text(self, unit: Unit) -> str:
        return "\n".join(self._texts[unit.path][unit.first - 1 : unit.last])

    def _calls(self, unit: Unit) -> set[Unit]:
        text = self.text(unit)
        out: set[Unit] = set()
        here = posixpath.dirname(unit.path)
        for m in _SCRIPT_CALL.finditer(text):
            target = self._script(m.group(1), here)
            if target is not None and target != unit.path:
                out.add(self._whole[target])
        for pattern, files in ((_MAKE_CALL, MAKE_NAMES), (_TASK_CALL, ("Taskfile.yml", "Taskfile.yaml")),
                               (_JUST_CALL, JUST_NAMES)):
            for m in pattern.finditer(text):
                directory = _dir_flag(m.group(1)) if pattern is not _JUST_CALL else ""
                for name in m.group(pattern.groups).split():
                    out |= self._targets(files, directory, name)
        if unit.name:
            out |= self._prerequisites(unit)
        for m in _LOCAL_ACTION.finditer(text):
            for name in ("action.yml", "action.yaml"):
                hit = self._whole.get(posixpath.join(m.group(1), name))
                if hit is not None:
                    out.add(hit)
        out.discard(unit)
        return out

    def _prerequisites(self, unit: Unit) -> set[Unit]:
        """Make/just prerequisites on the target line; Taskfile `deps:` and `task:` entries."""
        lines = self._texts[unit.path]
        out: set[Unit] = set()
        if posixpath.basename(unit.path).startswith("Taskfile"):
            for m in _TASK_REF.finditer(self.text(unit)):
                out |= self._targets((posixpath.basename(unit.path),), posixpath.dirname(unit.path), m.group(1))
            deps = re.search(r"deps:\s*\[([^\]]*)\]", self.text(unit))
            for name in re.findall(r"[\w:.-]+", deps.group(1)) if deps else []:
                out |= self._targets((posixpath.basename(unit.path),), posixpath.dirname(unit.path), name)
            return out
        made = _MAKE_TARGET.match(lines[unit.first - 1])
        if unit.name.startswith("."):
            return out  # .PHONY, .DEFAULT_GOAL…: special targets list targets, they do not run them
        for name in made.group(2).split("#")[0].replace("|", " ").split() if made else []:
            hit = self._by_target.get((unit.path, name))
            if hit is not None:
                out.add(hit)
        return out

    def _script(self, value: str, here: str) -> str | None:
        """A script path as written (from the repository root, the caller's folder, or a unique name)."""
        value = value[2:] if value.startswith("./") else value
        for candidate in (posixpath.normpath(value), posixpath.normpath(posixpath.join(here, value))):
            if candidate in self._whole:
                return candidate
        same = [p for p in self._basenames.get(posixpath.basename(value), []) if p in self._whole]
        return same[0] if len(same) == 1 else None

    def _targets(self, names: tuple[str, ...], directory: str, target: str) -> set[Unit]:
        out = set()
        for name in names:
            hit = self._by_target.get((posixpath.normpath(posixpath.join(directory, name)), target))
            if hit is not None:
                out.add(hit)
        return out

    def _exempt(self) -> set[Unit]:
        """Test units (starting a throw-away cluster, themselves or through a callee) and all they run."""
        starts = {u for u in self.units if EPHEMERAL.search(self.text(u))}
        test = {u for u in self.units if self._reaches(u, starts)}
        # a CI file whose preamble (workflow `env`, `before_script`…) starts the cluster: every job is a test
        test |= {v for u in test if not u.name and is_ci_path(u.path) for v in self.units if v.path == u.path}
        exempt: set[Unit] = set()
        todo = list(test)
        while todo:
            unit = todo.pop()
            if unit not in exempt:
                exempt.add(unit)
                todo.extend(self.calls[unit])
        return exempt

    def _reaches(self, unit: Unit, targets: set[Unit]) -> bool:
        seen: set[Unit] = set()
        todo = [unit]
        while todo:
            current = todo.pop()
            if current in targets:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(self.calls[current])
        return False


def _dir_flag(flags: str) -> str:
    """The `-C dir` / `--directory=dir` / `-d dir` of a make or task call ("" when none)."""
    m = re.search(r"(?:-C|--directory|-d|--dir)[ =](\S+)", flags or "")
    return posixpath.normpath(m.group(1)) if m else ""
