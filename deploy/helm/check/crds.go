//go:build crds

package main

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// addCRDs registers the Prometheus Operator's own Go types, so a
// ServiceMonitor is decoded as strictly as a built-in kind. The operator's
// module pins the newest k8s.io/api, hence only the newest check builds
// with it (-tags crds); a custom resource does not change with the
// cluster's version.
func addCRDs(s *runtime.Scheme) (map[string]bool, string, error) {
	if err := monitoringv1.AddToScheme(s); err != nil {
		return nil, "", err
	}
	return nil, " and monitoring.coreos.com/v1 (prometheus-operator's types)", nil
}
