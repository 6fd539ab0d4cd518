#!/usr/bin/env bash
# Runs .ci/run the way CI meets a new machine: a fresh clone of one commit (default HEAD: commit first), with
# ../shared beside it, an empty tools cache, an empty Go module cache and build cache, and empty npm and pip caches,
# all at once. A used checkout or a warm cache hides missing install steps (issue 15 was one).
#
#   bash scripts/cold-ci.sh [commit]          # prints the wall time of the whole .ci/run at the end
#
# Everything lives in one temp folder, removed afterwards unless KEEP_COLD_CI=1; the log is kept beside it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse "${1:-HEAD}")
work=$(mktemp -d "${TMPDIR:-/tmp}/cold-ci.XXXXXX")
log=$work.log
cleanup() {
  [ "${KEEP_COLD_CI:-0}" = 1 ] && { echo "cold-ci: kept $work" >&2; return; }
  chmod -R u+w "$work" 2>/dev/null || true   # the Go module cache is read-only
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet --no-local "$repo" "$work/main"
git -C "$work/main" checkout --quiet --detach "$commit"
if [ -d "$repo/../shared" ]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi

export CLUSTER_BOOTSTRAP_TOOLS=$work/tools GOMODCACHE=$work/gomod GOCACHE=$work/gocache
export npm_config_cache=$work/npm-cache PIP_CACHE_DIR=$work/pip-cache CI=true
unset GOMODCACHE_E2E GOCACHE_E2E

echo "cold-ci: commit $commit in $work/main; log $log" >&2
t0=$(date +%s)
set +e
(cd "$work/main" && bash .ci/run) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
secs=$(( $(date +%s) - t0 ))
echo "cold-ci: .ci/run exited $rc after $((secs / 60)) min $((secs % 60)) s (commit ${commit:0:12}, $(nproc) cores)" | tee -a "$log" >&2
exit "$rc"
