// Tiny wrapper so etcd can be built from the Go module proxy (etcdctl builds from its own module).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
