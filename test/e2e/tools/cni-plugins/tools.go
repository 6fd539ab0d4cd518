//go:build tools

// The CNI plugins our Linux conflist chains after flannel (bridge with host-local IPAM, portmap) plus loopback,
// and cnitool, which runs a conflist the way a container runtime does: pod-network e2e.
package tools

import (
	_ "github.com/containernetworking/cni/cnitool"
	_ "github.com/containernetworking/plugins/plugins/ipam/host-local"
	_ "github.com/containernetworking/plugins/plugins/main/bridge"
	_ "github.com/containernetworking/plugins/plugins/main/loopback"
	_ "github.com/containernetworking/plugins/plugins/meta/portmap"
)
