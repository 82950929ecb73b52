#!/usr/bin/env bash
# Emergency fix: bump the replicas by hand (drift that Git never sees).
set -euo pipefail
kubectl -n shop-production scale deployment/web --replicas=6
kubectl -n shop-production set image deployment/web web=ghcr.io/example-org/web:hotfix
