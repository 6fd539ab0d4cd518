package main

import (
	kubeletconfig "k8s.io/kubernetes/pkg/kubelet/apis/config"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
)

// load reads the kubelet's config file as the kubelet does (1.30: Load takes no context).
func load(loader configfiles.Loader) (*kubeletconfig.KubeletConfiguration, error) {
	return loader.Load()
}
