// validate-node-config runs the kubelet's and kube-proxy's own loading and validation code on a config file,
// the steps each binary takes at start-up before it touches the host, and stops there (starting the real
// kubelet as root would reconfigure this machine's cgroups and network).
//
//	validate-node-config kubelet <KubeletConfiguration file>
//	validate-node-config kube-proxy <KubeProxyConfiguration file>
//	validate-node-config feature-gates    (JSON: every gate the kubelet and kube-proxy know, its default and lock)
//
// Exit 0 and "valid" on stdout, or exit 1 with the component's own error on stderr. This file is shared by the
// tiers' modules (kubernetes-v1.30 links it); load.go beside it holds what differs between releases.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	proxyapp "k8s.io/kubernetes/cmd/kube-proxy/app"
	"k8s.io/kubernetes/pkg/kubelet/apis/config/validation"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
	utilfs "k8s.io/kubernetes/pkg/util/filesystem"
)

func kubelet(file string) error {
	// as cmd/kubelet/app: loadConfigFile, feature gates from the file, ValidateKubeletConfiguration
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, abs)
	if err != nil {
		return err
	}
	kc, err := load(loader)
	if err != nil {
		return fmt.Errorf("failed to load kubelet config file %s: %w", file, err)
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(kc.FeatureGates); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	return validation.ValidateKubeletConfiguration(kc, utilfeature.DefaultFeatureGate)
}

func kubeProxy(file string) error {
	// as cmd/kube-proxy/app: Options.Complete (loads the file, applies platform defaults and feature gates), Validate
	o := proxyapp.NewOptions()
	fs := pflag.NewFlagSet("kube-proxy", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--config", file}); err != nil {
		return err
	}
	if err := o.Complete(fs); err != nil {
		return err
	}
	return o.Validate()
}

// featureGates lists the gates both binaries register (k8s.io/kubernetes/pkg/features and the component-base
// ones they import), as the product's per-release list of names a config may set.
func featureGates() error {
	type gate struct {
		Default       bool   `json:"default"`
		LockToDefault bool   `json:"lockToDefault"`
		PreRelease    string `json:"preRelease"`
	}
	out := map[string]gate{}
	for name, spec := range utilfeature.DefaultMutableFeatureGate.GetAll() {
		out[string(name)] = gate{Default: spec.Default, LockToDefault: spec.LockToDefault, PreRelease: string(spec.PreRelease)}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "feature-gates" {
		if err := featureGates(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: validate-node-config kubelet|kube-proxy <file>")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "kubelet":
		err = kubelet(os.Args[2])
	case "kube-proxy":
		err = kubeProxy(os.Args[2])
	default:
		fmt.Fprintf(os.Stderr, "unknown component %q (kubelet or kube-proxy)\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Println("valid")
}
