package main

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// checkRelease holds one release's objects to what the chart promises
// operators; it returns one sentence per broken promise.
func checkRelease(objs []runtime.Object) []string {
	var errs []string
	var pdbs []*policyv1.PodDisruptionBudget
	var deps []*appsv1.Deployment
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			deps = append(deps, o)
		case *policyv1.PodDisruptionBudget:
			pdbs = append(pdbs, o)
		}
	}
	if len(deps) == 0 {
		errs = append(errs, "no Deployment")
	}
	for _, d := range deps {
		name := "Deployment/" + d.Name
		for _, e := range checkPod(&d.Spec.Template.Spec) {
			errs = append(errs, name+": "+e)
		}
		replicas := int32(1)
		if d.Spec.Replicas != nil {
			replicas = *d.Spec.Replicas
		}
		if replicas > 1 {
			if !spreadOverNodes(&d.Spec.Template.Spec) {
				errs = append(errs, name+": replicas are not spread over nodes (topologySpreadConstraints on kubernetes.io/hostname or a pod anti-affinity)")
			}
			if !hasPDB(pdbs, d.Spec.Template.Labels) {
				errs = append(errs, name+": no PodDisruptionBudget selects its pods")
			}
		}
	}
	return errs
}

// checkPod: warroom's probes, and a pod that cannot become root or write
// outside its volumes.
func checkPod(p *corev1.PodSpec) []string {
	var errs []string
	sc := p.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		errs = append(errs, "pod securityContext.runAsNonRoot is not true")
	}
	if sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		errs = append(errs, "pod runs as user 0")
	}
	podSeccomp := sc != nil && sc.SeccompProfile != nil && sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	if p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		errs = append(errs, "the service account token is mounted (warroom does not call the Kubernetes API)")
	}
	if len(p.Containers) == 0 {
		errs = append(errs, "no containers")
	}
	for i := range p.Containers {
		c := &p.Containers[i]
		for _, e := range checkContainer(c, podSeccomp) {
			errs = append(errs, fmt.Sprintf("container %s: %s", c.Name, e))
		}
	}
	return errs
}

func checkContainer(c *corev1.Container, podSeccomp bool) []string {
	var errs []string
	sc := c.SecurityContext
	switch {
	case sc == nil:
		errs = append(errs, "no securityContext")
	default:
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			errs = append(errs, "allowPrivilegeEscalation is not false")
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			errs = append(errs, "readOnlyRootFilesystem is not true")
		}
		if sc.Privileged != nil && *sc.Privileged {
			errs = append(errs, "privileged")
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			errs = append(errs, "runs as user 0")
		}
		if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			errs = append(errs, "runAsNonRoot is false")
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			errs = append(errs, "capabilities do not drop ALL")
		} else if len(sc.Capabilities.Add) > 0 {
			errs = append(errs, fmt.Sprintf("adds capabilities %v", sc.Capabilities.Add))
		}
		if sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			errs = append(errs, fmt.Sprintf("seccomp profile %s", sc.SeccompProfile.Type))
		} else if sc.SeccompProfile == nil && !podSeccomp {
			errs = append(errs, "no RuntimeDefault seccomp profile")
		}
	}
	errs = append(errs, checkProbe("startupProbe", c.StartupProbe, "/healthz", c)...)
	errs = append(errs, checkProbe("livenessProbe", c.LivenessProbe, "/healthz", c)...)
	errs = append(errs, checkProbe("readinessProbe", c.ReadinessProbe, "/readyz", c)...)
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		errs = append(errs, "no CPU or memory request")
	}
	if c.Resources.Limits.Memory().IsZero() {
		errs = append(errs, "no memory limit")
	}
	if !replicaFromPodName(c.Env) {
		errs = append(errs, "WARROOM_REPLICA is not the pod's name (downward API metadata.name)")
	}
	return errs
}

// checkProbe: an HTTP GET of path on one of the container's ports.
func checkProbe(what string, p *corev1.Probe, path string, c *corev1.Container) []string {
	if p == nil {
		return []string{"no " + what}
	}
	g := p.HTTPGet
	if g == nil {
		return []string{what + " is not an HTTP GET"}
	}
	var errs []string
	if g.Path != path {
		errs = append(errs, fmt.Sprintf("%s asks %q, not %s", what, g.Path, path))
	}
	found := false
	for _, port := range c.Ports {
		if (g.Port.StrVal != "" && g.Port.StrVal == port.Name) || (g.Port.StrVal == "" && g.Port.IntVal == port.ContainerPort) {
			found = true
		}
	}
	if !found {
		errs = append(errs, fmt.Sprintf("%s port %s is not a port of the container", what, g.Port.String()))
	}
	return errs
}

func replicaFromPodName(env []corev1.EnvVar) bool {
	for _, e := range env {
		if e.Name == "WARROOM_REPLICA" {
			return e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name"
		}
	}
	return false
}

func spreadOverNodes(p *corev1.PodSpec) bool {
	for _, t := range p.TopologySpreadConstraints {
		if t.TopologyKey == corev1.LabelHostname && t.LabelSelector != nil {
			return true
		}
	}
	if a := p.Affinity; a != nil && a.PodAntiAffinity != nil {
		for _, t := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			if t.PodAffinityTerm.TopologyKey == corev1.LabelHostname {
				return true
			}
		}
		for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
			if t.TopologyKey == corev1.LabelHostname {
				return true
			}
		}
	}
	return false
}

// hasPDB reports whether a PodDisruptionBudget selects pods with these
// labels.
func hasPDB(pdbs []*policyv1.PodDisruptionBudget, podLabels map[string]string) bool {
	for _, b := range pdbs {
		sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(podLabels)) {
			return true
		}
	}
	return false
}
