//go:build tools

// The Konnectivity server and agent of the e2e tier: apiserver-network-proxy's own commands. Built from this
// module, which requires the root module and its konnectivity-client at the same version; the root module's own
// `replace` of konnectivity-client with a local folder (missing from the module zip) applies only when that
// module is the main one, so it is not in the way here.
package tools

import (
	_ "sigs.k8s.io/apiserver-network-proxy/cmd/agent"
	_ "sigs.k8s.io/apiserver-network-proxy/cmd/server"
)
