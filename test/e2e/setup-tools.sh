#!/usr/bin/env bash
# Builds the real components of the e2e tier from the Go module proxy (no release downloads are reachable):
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes), etcd, kwok,
# kubeconform, kube-score, and the Pulumi CLI, its Node.js language host and the Kubernetes provider plugin,
# into $CLUSTER_BOOTSTRAP_TOOLS/bin (default ~/.cache/cluster-bootstrap-tools).
# Versions: test/e2e/tools/versions.env; one Go module per tool under test/e2e/tools/.
# A binary is rebuilt only when its module files or build flags change (a stamp beside it), so a warm
# run takes well under a second. Nothing built lands in the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=$here/tools
. "$tools/versions.env"
cache=${CLUSTER_BOOTSTRAP_TOOLS:-$HOME/.cache/cluster-bootstrap-tools}
bin=$cache/bin
mkdir -p "$bin"
export GOMODCACHE=${GOMODCACHE_E2E:-$cache/gomod} GOCACHE=${GOCACHE_E2E:-$cache/gocache}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false -trimpath"
command -v go >/dev/null || { echo "setup-tools: Go is required (the tools are built from the Go module proxy)" >&2; exit 1; }

# The versions file and the go.mod files must agree: one place decides, the other is checked.
check_version() { # module-dir module-path version
  grep -qE "^\s*(require\s+)?$2 $3\b" "$tools/$1/go.mod" || { echo "setup-tools: $tools/$1/go.mod does not require $2 $3 (versions.env)" >&2; exit 1; }
}
check_version kubernetes k8s.io/kubernetes "$KUBERNETES_VERSION"
check_version etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
check_version kwok sigs.k8s.io/kwok "$KWOK_VERSION"
check_version kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION"
check_version kube-score github.com/zegl/kube-score "$KUBE_SCORE_VERSION"
check_version pulumi github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION"
check_version pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3 "$PULUMI_LANGUAGE_NODEJS_VERSION"
check_version pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 "$PULUMI_KUBERNETES_MODULE_VERSION"
# sum.golang.org has no record of several Pulumi module versions the proxy serves (it answers 404); the
# committed go.sum files pin every hash, which Go checks before it would ask the checksum database.
export GONOSUMDB=github.com/pulumi

minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  # without these the binaries call themselves v0.0.0-master and clients warn about version skew
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

started=$(date +%s)
built=0
build() { # module-dir binary package ldflags
  local dir=$tools/$1 out=$bin/$2 stamp
  stamp=$(cat "$dir/go.mod" "$dir/go.sum" $(find "$dir" -name '*.go' | sort) <(echo "$3 $4") | sha256sum | cut -c1-16)
  if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then return; fi
  local t0=$(date +%s)
  (cd "$dir" && go build -ldflags "$4" -o "$out.tmp" "$3")
  mv "$out.tmp" "$out"
  echo "$stamp" > "$out.stamp"
  echo "setup-tools: built $2 in $(( $(date +%s) - t0 )) s"
  built=$((built + 1))
}
build kubernetes kube-apiserver          k8s.io/kubernetes/cmd/kube-apiserver          "$k8s_ldflags"
build kubernetes kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
build kubernetes kube-scheduler          k8s.io/kubernetes/cmd/kube-scheduler          "$k8s_ldflags"
build kubernetes kubectl                 k8s.io/kubernetes/cmd/kubectl                 "$k8s_ldflags"
build etcd       etcd                    cluster-bootstrap/e2e-tools/etcd              "-s -w"
build kwok       kwok                    sigs.k8s.io/kwok/cmd/kwok                     "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
build kubeconform kubeconform            github.com/yannh/kubeconform/cmd/kubeconform  "-s -w"
build kube-score kube-score              github.com/zegl/kube-score/cmd/kube-score     "-s -w -X main.version=$KUBE_SCORE_VERSION"
pulumi_version_pkg=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
build pulumi pulumi                      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi    "-s -w -X $pulumi_version_pkg=$PULUMI_VERSION"
build pulumi-language-nodejs pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "-s -w -X $pulumi_version_pkg=$PULUMI_LANGUAGE_NODEJS_VERSION"
# The provider's main embeds its schema, which upstream generates (go generate) at build time; the module
# ships schema.json, and internal/stampschema writes the embed with the version stamped, as upstream does.
k8s_provider=$tools/pulumi-kubernetes/cmd/pulumi-resource-kubernetes
if [ ! -s "$k8s_provider/schema-embed.json" ] || ! grep -q "\"version\":\"$PULUMI_KUBERNETES_PROVIDER_VERSION\"" "$k8s_provider/schema-embed.json"; then
  module_dir=$(cd "$tools/pulumi-kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
  (cd "$tools/pulumi-kubernetes" && VERSION=$PULUMI_KUBERNETES_PROVIDER_VERSION go run ./internal/stampschema "$module_dir/cmd/pulumi-resource-kubernetes" "$k8s_provider")
fi
build pulumi-kubernetes pulumi-resource-kubernetes ./cmd/pulumi-resource-kubernetes "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_PROVIDER_VERSION"

# KWOK's stock "fast" stages (node ready + heartbeat, pods ready/complete/delete), taken from the module
# at the pinned version rather than copied into this repository.
stages=$cache/kwok-stages-$KWOK_VERSION.yaml
if [ ! -s "$stages" ]; then
  kwok_dir=$(cd "$tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo '---'; cat "$kwok_dir/kustomize/stage/$f"
  done > "$stages.tmp"
  mv "$stages.tmp" "$stages"
fi

echo "setup-tools: $built tool(s) built in $(( $(date +%s) - started )) s; binaries in $bin"
