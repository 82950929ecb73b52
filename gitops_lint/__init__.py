"""gitops-lint: a linter and pre-merge policy checker for GitOps repositories."""

__version__ = "0.1.0"
