//go:build tools

// flanneld at the release our default config pins (lib/components/flannel/releases.ts): pod-network e2e.
package tools

import (
	_ "github.com/flannel-io/flannel"
)
