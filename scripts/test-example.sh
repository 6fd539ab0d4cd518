#!/usr/bin/env bash
# Builds the library, then installs, builds and tests examples/app-repo from a clean state, as an app repo
# would consume it: `file:../..` with install-links (examples/app-repo/.npmrc) packs the library's
# package.json `files` (the compiled build/lib and the schemas), so build/ must be current first.
# Usage: bash scripts/test-example.sh   (or npm run test:example)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
cd examples/app-repo
rm -rf node_modules build dist
# --ignore-scripts: the library is already built; packing it must not run its `prepare` again
npm ci --no-audit --no-fund --ignore-scripts
npm test
npm run synth
test -s dist/platform-info.k8s.yaml && test -s dist/tenants.k8s.yaml
# the node and PKI files too, with what the app's own component contributed
grep -q 'oidc-issuer-url' dist/node-config/kubeadm-init.yaml && grep -q 'kubectl.shop.example.com' dist/pki/openssl/apiserver.csr.conf
echo "examples/app-repo: built, tested and synthesized against the library in $root"
