//go:build tools

// kube-network-policies (SIG Network's NetworkPolicy enforcer: nftables + NFQUEUE) on every pod-network node:
// the dataplane that enforces our NetworkPolicies in the pod-network e2e.
package tools

import (
	_ "sigs.k8s.io/kube-network-policies/cmd"
)
