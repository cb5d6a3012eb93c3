// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 for the
// kube-api-test binaries (see deploy/dev/kube-test-binaries.sh).
//
// kube-api-test starts etcd with --listen-client-urls http://0.0.0.0:PORT. kulp's
// tests keep every socket on loopback, so the wildcard address is rewritten to
// 127.0.0.1 before etcd sees it; kube-apiserver still reaches it (0.0.0.0 as a
// destination means this host).
package main

import (
	"os"
	"strings"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	args := make([]string, len(os.Args))
	for i, a := range os.Args {
		args[i] = strings.ReplaceAll(a, "://0.0.0.0:", "://127.0.0.1:")
	}
	etcdmain.Main(args)
}
