package main

import (
	"context"

	kubeletconfig "k8s.io/kubernetes/pkg/kubelet/apis/config"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
)

// load reads the kubelet's config file as the kubelet does (1.35: Load takes a context).
func load(loader configfiles.Loader) (*kubeletconfig.KubeletConfiguration, error) {
	return loader.Load(context.Background())
}
