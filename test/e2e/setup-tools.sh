#!/usr/bin/env bash
# Builds the real components of the e2e tier from the Go module proxy (no release downloads are reachable):
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubeadm, kubelet, kube-proxy
# (k8s.io/kubernetes), etcd and etcdctl, CoreDNS, the Konnectivity server and agent, a cloud-controller-manager with the fake cloud (k8s.io/cloud-provider),
# flanneld (both pinned releases), the CNI plugins and cnitool, kube-router, cyclonus' truth table, kwok, kubeconform, kube-score, Helm, and the Pulumi CLI,
# its Node.js language host and the Kubernetes provider plugin; and Checkov from PyPI into a venv (bin/checkov),
# into $CLUSTER_BOOTSTRAP_TOOLS/bin (default ~/.cache/cluster-bootstrap-tools).
# Versions: test/e2e/tools/versions.env; one Go module per tool under test/e2e/tools/. The tier runs the
# product's default Kubernetes version; E2E_KUBERNETES_VERSION=<KUBERNETES_LEGACY_VERSION> builds the older one
# (with its etcd) beside it instead. Kubernetes and etcd binaries live in version-named folders, so both coexist.
# A binary is rebuilt only when its module files or build flags change (a stamp beside it), so a warm
# run takes well under a second. Nothing built or generated lands in the repository.
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

# Which Kubernetes tier: the default (= the product's default kubernetesVersion) or the opt-in older one.
k8s_version=${E2E_KUBERNETES_VERSION:-$KUBERNETES_VERSION}
case $k8s_version in
  "$KUBERNETES_VERSION")        k8s_module=kubernetes;                          etcd_module=etcd;                          etcd_version=$ETCD_VERSION ;;
  "$KUBERNETES_LEGACY_VERSION") k8s_module=kubernetes-${KUBERNETES_LEGACY_VERSION%.*}; etcd_module=etcd-${ETCD_LEGACY_VERSION%.*}; etcd_version=$ETCD_LEGACY_VERSION ;;
  *) echo "setup-tools: E2E_KUBERNETES_VERSION=$k8s_version is not a tier here; use $KUBERNETES_VERSION (default) or $KUBERNETES_LEGACY_VERSION" >&2; exit 1 ;;
esac

# The versions file and the go.mod files must agree: one place decides, the other is checked.
check_version() { # module-dir module-path version
  grep -qE "^\s*(require\s+)?$2 $3\b" "$tools/$1/go.mod" || { echo "setup-tools: $tools/$1/go.mod does not require $2 $3 (versions.env)" >&2; exit 1; }
}
check_version "$k8s_module" k8s.io/kubernetes "$k8s_version"
check_version "$etcd_module" go.etcd.io/etcd/server/v3 "$etcd_version"
check_version kwok sigs.k8s.io/kwok "$KWOK_VERSION"
check_version cloud-controller-manager k8s.io/cloud-provider "$CLOUD_PROVIDER_VERSION"
check_version konnectivity sigs.k8s.io/apiserver-network-proxy "$KONNECTIVITY_VERSION"
check_version coredns github.com/coredns/coredns "$COREDNS_VERSION"
check_version flannel github.com/flannel-io/flannel "$FLANNEL_VERSION"
check_version flannel-v0.27 github.com/flannel-io/flannel "$FLANNEL_LEGACY_VERSION"
check_version cni-plugins github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION"
check_version cni-plugins github.com/containernetworking/cni "$CNITOOL_VERSION"
check_version cni-flannel github.com/containernetworking/plugins "$CNI_FLANNEL_PLUGIN_VERSION"
check_version kube-router github.com/cloudnativelabs/kube-router/v2 "$KUBE_ROUTER_VERSION"
check_version cyclonus github.com/mattfenwick/cyclonus "$CYCLONUS_VERSION"
check_version kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION"
check_version kube-score github.com/zegl/kube-score "$KUBE_SCORE_VERSION"
check_version helm helm.sh/helm/v4 "$HELM_VERSION"
check_version pulumi github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION"
check_version pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3 "$PULUMI_LANGUAGE_NODEJS_VERSION"
check_version pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 "$PULUMI_KUBERNETES_MODULE_VERSION"
# sum.golang.org has no record of several Pulumi module versions the proxy serves (it answers 404); the
# committed go.sum files pin every hash, which Go checks before it would ask the checksum database.
export GONOSUMDB=github.com/pulumi

# A cold run spends minutes waiting on downloads with both cores idle. Fetch the later tools' modules in the
# background while the first ones compile (best effort: the build itself downloads whatever this missed, and a
# version the proxy refuses for a module's own tests must not fail it). Concurrent go commands lock the cache.
prefetch_log=$cache/prefetch.log
(
  for dir in "$etcd_module" kms-plugin cloud-controller-manager konnectivity coredns flannel flannel-v0.27 cni-plugins \
             cni-flannel kube-router cyclonus kwok kubeconform kube-score helm pulumi pulumi-language-nodejs pulumi-kubernetes; do
    (cd "$tools/$dir" && go mod download) || echo "setup-tools: prefetch of $dir incomplete (the build fetches the rest)"
  done
) >"$prefetch_log" 2>&1 &
prefetch_pid=$!
trap 'kill "$prefetch_pid" 2>/dev/null || true' EXIT

minor=${k8s_version#v1.}; minor=${minor%%.*}
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  # without these the binaries call themselves v0.0.0-master and clients warn about version skew
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

# The folder of a module in the module cache, downloaded first: `go list -m` alone prints an empty line for a
# module that is not in the cache yet (a new machine), which once turned a path into /cmd/... (issue 15).
module_dir() { # module-dir module-path
  (cd "$tools/$1" && go mod download "$2") >&2
  local dir
  dir=$(cd "$tools/$1" && go list -m -f '{{.Dir}}' "$2")
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "setup-tools: module $2 (required by $tools/$1/go.mod) has no folder in GOMODCACHE=$GOMODCACHE after go mod download (got '$dir')" >&2
    exit 1
  fi
  echo "$dir"
}

started=$(date +%s)
built=0
build() { # module-dir (under tools/, or an absolute path) binary package ldflags
  local dir=$1 out=$bin/$2 stamp
  mkdir -p "$(dirname "$out")"
  case $dir in /*) ;; *) dir=$tools/$dir ;; esac
  stamp=$(cat "$dir/go.mod" "$dir/go.sum" $(find "$dir" -name '*.go' | sort) <(echo "$3 $4") | sha256sum | cut -c1-16)
  if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then return; fi
  local t0=$(date +%s)
  (cd "$dir" && go build -ldflags "$4" -o "$out.tmp" "$3")
  mv "$out.tmp" "$out"
  echo "$stamp" > "$out.stamp"
  echo "setup-tools: built $2 in $(( $(date +%s) - t0 )) s"
  built=$((built + 1))
}
k8s_bin=kubernetes-$k8s_version
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl kubeadm kubelet kube-proxy; do
  build "$k8s_module" "$k8s_bin/$cmd" "k8s.io/kubernetes/cmd/$cmd" "$k8s_ldflags"
done
# the kubelet's and kube-proxy's own config loading and validation, at the tier's version (node-config e2e)
build "$k8s_module" "$k8s_bin/validate-node-config" cluster-bootstrap/e2e-tools/kubernetes/validate-node-config "$k8s_ldflags"
build "$etcd_module" "etcd-$etcd_version/etcd"     cluster-bootstrap/e2e-tools/etcd "-s -w"
build "$etcd_module" "etcd-$etcd_version/etcdctl" go.etcd.io/etcd/etcdctl/v3       "-s -w"
# a KMS v2 plugin for the tier only (k8s.io/kms's gRPC server, AES-GCM under a local key): encryption-kms e2e
build kms-plugin kms-plugin              cluster-bootstrap/e2e-tools/kms-plugin        "-s -w"
# k8s.io/cloud-provider's command with its fake cloud (tools/cloud-controller-manager), stamped with the release
# it belongs to (v0.x.y is v1.x.y), whichever tier this run builds
ccm_version=v1.${CLOUD_PROVIDER_VERSION#v0.}
ccm_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ccm_ldflags+=" -X $pkg.gitVersion=$ccm_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$ccm_version" | cut -d. -f2) -X $pkg.gitTreeState=clean"
done
build cloud-controller-manager cloud-controller-manager cluster-bootstrap/e2e-tools/cloud-controller-manager "$ccm_ldflags"
# the Konnectivity server and agent (apiserver-network-proxy's own commands): konnectivity e2e
build konnectivity konnectivity-server    sigs.k8s.io/apiserver-network-proxy/cmd/server "-s -w"
build konnectivity konnectivity-agent     sigs.k8s.io/apiserver-network-proxy/cmd/agent  "-s -w"
# CoreDNS (upstream main, cloud backends left out: tools/coredns/main.go) for the DNS tests and the DNS benchmark
build coredns    coredns                 cluster-bootstrap/e2e-tools/coredns           "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
# flanneld at both pinned releases (cgo: its UDP backend links C), the CNI plugins our conflist chains and cnitool,
# which runs a conflist as a container runtime would: pod-network e2e. Plugins live in bin/cni, where cnitool
# looks (CNI_PATH).
flannel_version_pkg=github.com/flannel-io/flannel/pkg/version.Version
CGO_ENABLED=1 build flannel       "flannel-$FLANNEL_VERSION/flanneld"        github.com/flannel-io/flannel "-s -w -X $flannel_version_pkg=$FLANNEL_VERSION"
CGO_ENABLED=1 build flannel-v0.27 "flannel-$FLANNEL_LEGACY_VERSION/flanneld" github.com/flannel-io/flannel "-s -w -X $flannel_version_pkg=$FLANNEL_LEGACY_VERSION"
for plugin in ipam/host-local main/bridge main/loopback meta/portmap; do
  build cni-plugins "cni/${plugin#*/}" "github.com/containernetworking/plugins/plugins/$plugin" "-s -w"
done
build cni-flannel cni/flannel            github.com/containernetworking/plugins/plugins/meta/flannel "-s -w"
build cni-plugins cnitool                github.com/containernetworking/cni/cnitool "-s -w"
# kube-router's network policy controller enforces NetworkPolicies in the policy e2e
build kube-router kube-router            github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
# our main over cyclonus' simulated probe and matcher (test/e2e/tools/cyclonus/main.go)
build cyclonus    cyclonus-truth-table    cluster-bootstrap/e2e-tools/cyclonus          "-s -w"
build kwok       kwok                    sigs.k8s.io/kwok/cmd/kwok                     "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
build kubeconform kubeconform            github.com/yannh/kubeconform/cmd/kubeconform  "-s -w"
build kube-score kube-score              github.com/zegl/kube-score/cmd/kube-score     "-s -w -X main.version=$KUBE_SCORE_VERSION"
# Helm for the chart that `synthConfig.format: helm` publishes (helm.e2e): lint, template, install. Without the
# stamp it calls itself "v4.3" (its Makefile sets the full version the same way).
build helm       helm                    helm.sh/helm/v4/cmd/helm                      "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
pulumi_version_pkg=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
build pulumi pulumi                      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi    "-s -w -X $pulumi_version_pkg=$PULUMI_VERSION"
build pulumi-language-nodejs pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "-s -w -X $pulumi_version_pkg=$PULUMI_LANGUAGE_NODEJS_VERSION"
# The provider's main embeds its schema, which upstream generates (go generate) at build time; the module
# ships schema.json, and internal/stampschema writes the embed with the version stamped, as upstream does.
# Generated inputs stay out of the work tree: the provider's module is copied into the tools cache and the
# embeds are written there, so a fresh clone and a used one build the same thing.
k8s_provider_src=$cache/src/pulumi-kubernetes
k8s_provider_cmd=$k8s_provider_src/cmd/pulumi-resource-kubernetes
k8s_provider_key=$(cat $(find "$tools/pulumi-kubernetes" -type f | sort) <(echo "$PULUMI_KUBERNETES_PROVIDER_VERSION") | sha256sum | cut -c1-16)
if [ "$(cat "$k8s_provider_src.stamp" 2>/dev/null)" != "$k8s_provider_key" ] || [ ! -s "$k8s_provider_cmd/schema-embed.json" ]; then
  rm -rf "$k8s_provider_src" "$k8s_provider_src.stamp"
  mkdir -p "$(dirname "$k8s_provider_src")"
  cp -R "$tools/pulumi-kubernetes" "$k8s_provider_src"
  provider_module=$(module_dir pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)
  (cd "$k8s_provider_src" && VERSION=$PULUMI_KUBERNETES_PROVIDER_VERSION go run ./internal/stampschema "$provider_module/cmd/pulumi-resource-kubernetes" "$k8s_provider_cmd")
  grep -q "\"version\":\"$PULUMI_KUBERNETES_PROVIDER_VERSION\"" "$k8s_provider_cmd/schema-embed.json" || {
    echo "setup-tools: $k8s_provider_cmd/schema-embed.json does not carry version $PULUMI_KUBERNETES_PROVIDER_VERSION" >&2; exit 1; }
  echo "$k8s_provider_key" > "$k8s_provider_src.stamp"
fi
build "$k8s_provider_src" pulumi-resource-kubernetes ./cmd/pulumi-resource-kubernetes "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_PROVIDER_VERSION"

# KWOK's stock "fast" stages (node ready + heartbeat, pods ready/complete/delete), taken from the module
# at the pinned version rather than copied into this repository.
stages=$cache/kwok-stages-$KWOK_VERSION.yaml
if [ ! -s "$stages" ]; then
  kwok_dir=$(module_dir kwok sigs.k8s.io/kwok)
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -s "$kwok_dir/kustomize/stage/$f" ] || { echo "setup-tools: $kwok_dir/kustomize/stage/$f is missing or empty (KWOK $KWOK_VERSION)" >&2; exit 1; }
    echo '---'; cat "$kwok_dir/kustomize/stage/$f"
  done > "$stages.tmp"
  mv "$stages.tmp" "$stages"
fi

# Checkov (PyPI, Python 3.10+) in its own venv, reinstalled only when the pinned version is not the one there.
# bin/checkov is a wrapper that keeps it offline: no update check against PyPI (CKV_SKIP_PACKAGE_UPDATE_CHECK),
# no guideline/mapping download from the Prisma Cloud API (BC_SKIP_MAPPING; callers add --skip-download too),
# and no API key, so nothing is uploaded. docs/real-cluster-tier.md: Checkov.
checkov_venv=$cache/checkov-venv checkov_new=
# (the installed version from pip's metadata: `checkov --version` takes seconds to import everything)
if [ "$("$checkov_venv/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  command -v python3 >/dev/null || { echo "setup-tools: python3 (3.10+) is required for Checkov" >&2; exit 1; }
  t0=$(date +%s)
  rm -rf "$checkov_venv"
  python3 -m venv "$checkov_venv"
  "$checkov_venv/bin/pip" install --quiet --disable-pip-version-check --no-input "checkov==$CHECKOV_VERSION"
  echo "setup-tools: installed checkov $CHECKOV_VERSION in $(( $(date +%s) - t0 )) s"
  built=$((built + 1)) checkov_new=1
fi
if [ -n "$checkov_new" ] || [ ! -x "$bin/checkov" ] || ! grep -q "Checkov $CHECKOV_VERSION," "$bin/checkov"; then
  printf '%s\n' '#!/bin/sh' "# written by test/e2e/setup-tools.sh: Checkov $CHECKOV_VERSION, kept offline" \
    'unset BC_API_KEY PRISMA_API_URL BC_API_URL' 'export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE' \
    "exec '$checkov_venv/bin/checkov' \"\$@\"" > "$bin/checkov.tmp"
  chmod +x "$bin/checkov.tmp" && mv "$bin/checkov.tmp" "$bin/checkov"
  got=$("$bin/checkov" --version) || { echo "setup-tools: $bin/checkov does not run" >&2; exit 1; }
  [ "$got" = "$CHECKOV_VERSION" ] || { echo "setup-tools: $bin/checkov reports '$got', not $CHECKOV_VERSION (versions.env)" >&2; exit 1; }
fi

wait "$prefetch_pid" 2>/dev/null || true
echo "setup-tools: $built tool(s) built in $(( $(date +%s) - started )) s; binaries in $bin"
