"""What a run of the rules returns (kept apart from the engine: a cached run is answered without it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops_lint.core.findings import Finding


@dataclass
class RunResult:
    """Findings after suppressions and baseline, plus what was filtered (for `baseline` and stats)."""

    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

    @property
    def internal_error(self) -> bool:
        return any(f.is_internal_error for f in self.findings)
