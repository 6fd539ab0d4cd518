// The e2e tier's cloud-controller-manager: k8s.io/cloud-provider's own command (app.NewCloudControllerManagerCommand,
// its default controllers and flags) with the library's fake cloud (k8s.io/cloud-provider/fake) registered under
// the provider name of the tier's 'cloud-external' scenario. Nothing here talks to a cloud; the fake answers from
// memory, so what the test observes is only how the real controllers use the Kubernetes API with our RBAC.
package main

import (
	"context"
	"io"
	"net"
	"os"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	cloudprovider "k8s.io/cloud-provider"
	"k8s.io/cloud-provider/app"
	"k8s.io/cloud-provider/app/config"
	"k8s.io/cloud-provider/fake"
	"k8s.io/cloud-provider/names"
	"k8s.io/cloud-provider/options"
	"k8s.io/component-base/cli"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/klog/v2"
)

// providerName is `cloudProvider.name` of the 'cloud-external' scenario (test/e2e/support.ts).
const providerName = "example"

// nodePrefix: only nodes the CCM test creates get instance metadata. The tier's other nodes are shared with other
// tests; for them the fake answers "no addresses", so the node controller's periodic address sync leaves them be.
const nodePrefix = "ccm-e2e-"

// The instance the fake reports for each of the test's nodes (documentation addresses, RFC 5737).
var (
	instanceIP   = net.ParseIP("192.0.2.10")
	loadBalancer = net.ParseIP("192.0.2.100")
)

func newCloud(io.Reader) (cloudprovider.Interface, error) {
	c := &fake.Cloud{
		Provider:          providerName,
		EnableInstancesV2: true,
		// every instance exists and runs: the lifecycle controller must never delete or taint a node
		ExistsByProviderID: true,
		NodeShutdown:       false,
		ExternalIP:         loadBalancer,
		Balancers:          map[string]fake.Balancer{},
		// no route controller: our args set --configure-cloud-routes=false
		DisableRoutes: true,
	}
	c.OverrideInstanceMetadata = func(_ context.Context, node *v1.Node) (*cloudprovider.InstanceMetadata, error) {
		if !strings.HasPrefix(node.Name, nodePrefix) {
			return &cloudprovider.InstanceMetadata{ProviderID: node.Spec.ProviderID}, nil
		}
		return &cloudprovider.InstanceMetadata{
			ProviderID:    providerName + "://" + node.Name,
			InstanceType:  "example.small",
			NodeAddresses: []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: instanceIP.String()}, {Type: v1.NodeHostName, Address: node.Name}},
			Zone:          "example-zone-a",
			Region:        "example-region",
		}, nil
	}
	return c, nil
}

func initCloud(cfg *config.CompletedConfig) cloudprovider.Interface {
	shared := cfg.ComponentConfig.KubeCloudShared.CloudProvider
	cloud, err := cloudprovider.InitCloudProvider(shared.Name, shared.CloudConfigFile)
	if err != nil || cloud == nil {
		klog.Fatalf("cloud provider %q (only %q is registered): %v", shared.Name, providerName, err)
	}
	return cloud
}

func main() {
	cloudprovider.RegisterCloudProvider(providerName, newCloud)
	opts, err := options.NewCloudControllerManagerOptions()
	if err != nil {
		klog.Fatalf("cloud-controller-manager options: %v", err)
	}
	cmd := app.NewCloudControllerManagerCommand(opts, initCloud, app.DefaultInitFuncConstructors, names.CCMControllerAliases(), cliflag.NamedFlagSets{}, wait.NeverStop)
	os.Exit(cli.Run(cmd))
}
