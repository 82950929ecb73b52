"""Helm chart rendering: charts packed from the repository (or fetched by explicit opt-in), values
merged as each operator merges them, and each render run in a worker process with a time and memory
limit by one of two backends (helm-python-sdk in-process, or the `helm template` binary).

This package imports only `gitops_lint.core`; the model and the rules use it."""
