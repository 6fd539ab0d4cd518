//go:build tools

package main

import _ "go.etcd.io/etcd/etcdctl/v3"
