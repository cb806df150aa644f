//go:build !crds

package main

import "k8s.io/apimachinery/pkg/runtime"

// addCRDs, without -tags crds, leaves monitoring.coreos.com objects to the
// build that has the Prometheus Operator's types: they are listed as
// unchecked rather than refused.
func addCRDs(*runtime.Scheme) (map[string]bool, string, error) {
	return map[string]bool{"monitoring.coreos.com": true}, " (monitoring.coreos.com left to the crds build)", nil
}
