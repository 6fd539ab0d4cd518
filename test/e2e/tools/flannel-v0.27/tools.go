//go:build tools

// flanneld at the older release our config accepts (flannel.version v0.27.0) (lib/components/flannel/releases.ts): pod-network e2e.
package tools

import (
	_ "github.com/flannel-io/flannel"
)
