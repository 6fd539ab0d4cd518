//go:build tools

// The flannel CNI plugin. Its own repository (github.com/flannel-io/cni-plugin) is refused by the module proxy;
// the same plugin lived in containernetworking/plugins (plugins/meta/flannel) up to v0.9.1, which is served.
package tools

import (
	_ "github.com/containernetworking/plugins/plugins/meta/flannel"
)
