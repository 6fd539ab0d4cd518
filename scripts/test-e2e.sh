#!/usr/bin/env bash
# The real-cluster tier as CI runs it: jest.e2e.config.js's two projects side by side (files that share the one
# cluster, and files that start their own control plane), each project's files one after another. Writes each
# project's jest JSON into the folder given (default: a temp folder) and fails when either project fails.
#   bash scripts/test-e2e.sh [results-dir]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
pids=()
for project in shared-cluster own-control-plane; do
  npx jest -c jest.e2e.config.js --selectProjects "$project" --runInBand --json --outputFile="$out/e2e-$project.json" \
    > >(sed -u "s/^/[$project] /") 2>&1 &
  pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
exit $rc
