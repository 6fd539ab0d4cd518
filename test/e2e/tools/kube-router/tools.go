//go:build tools

// kube-router's network policy controller (iptables + ipset) on every pod-network node: the dataplane that
// enforces our NetworkPolicies in the policy e2e. Its router and service proxy stay off.
package tools

import (
	_ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
)
