"""Errors raised while rendering a kustomization."""

from __future__ import annotations

from gitops_lint.core.findings import Position


class RenderError(Exception):
    """A kustomize build failure: what went wrong, and (when known) the file and line responsible."""

    def __init__(self, message: str, path: str | None = None, position: Position | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.position = position

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.position is not None:
            where = f"{where}:{self.position.line}"
        return f"{where}: {self.message}" if where else self.message


class NotRendered(RenderError):
    """A feature that is deliberately not rendered offline (helm charts, remote resources, KRM functions)."""


def located(exc: RenderError, path: str, position: Position | None) -> RenderError:
    """`exc` if it already says where, else a copy (same class) placed at `path`/`position`.
    Copies, because a cached sub-build's error is re-raised for every overlay that includes it."""
    if exc.path is not None and exc.position is not None:
        return exc
    copy = exc.__class__(exc.message, exc.path or path, exc.position or position)
    return copy
