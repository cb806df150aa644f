// Command check decodes rendered Kubernetes manifests strictly against the
// API types of one Kubernetes minor version (the k8s.io/api its go.mod
// pins) and holds warroom's pods to the chart's promises: probes on
// /healthz and /readyz, a non-root pod with a read-only root filesystem,
// replicas spread over nodes and kept by a PodDisruptionBudget.
//
// It is its own module so that each Kubernetes version can be pinned
// without touching warroom's go.mod: go.mod pins the newest, go.k8s-*.mod
// the older ones (go run -modfile=go.k8s-1.35.mod .).
//
//	go run . FILE...
//
// Each FILE is one release's manifests (a YAML stream). It prints one line
// per file, "ok FILE: …" or "FAIL FILE: …", and exits 1 if any failed.
// With no FILE it only says which API it checks against.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	c, err := newChecker()
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	fmt.Printf("Kubernetes API %s%s\n", apiVersion(), c.crdNote)
	failed := false
	for _, path := range os.Args[1:] {
		summary, err := c.checkFile(path)
		if err != nil {
			failed = true
			fmt.Printf("FAIL %s: %s\n", path, strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		fmt.Printf("ok %s: %s\n", path, summary)
	}
	if failed {
		os.Exit(1)
	}
}

// apiVersion is the k8s.io/api this binary was built with: the Kubernetes
// minor version every object was checked against.
func apiVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "k8s.io/api" {
				return "k8s.io/api " + d.Version
			}
		}
	}
	return "k8s.io/api (unknown version)"
}

type checker struct {
	scheme  *runtime.Scheme
	decoder runtime.Decoder
	// crdGroups are the groups of custom resources this build cannot
	// check; another build (with -tags crds) does.
	crdGroups map[string]bool
	crdNote   string
}

func newChecker() (*checker, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme,
		rbacv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			return nil, fmt.Errorf("scheme: %w", err)
		}
	}
	groups, note, err := addCRDs(s)
	if err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	// Strict: an unknown or duplicated field is an error, as with
	// kubectl apply --validate=strict.
	d := json.NewSerializerWithOptions(json.DefaultMetaFactory, s, s,
		json.SerializerOptions{Yaml: true, Strict: true})
	return &checker{scheme: s, decoder: d, crdGroups: groups, crdNote: note}, nil
}

// checkFile decodes every object of one release and checks the release as
// a whole; it returns a summary of what it checked.
func (c *checker) checkFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var objs []runtime.Object
	var names, errs []string
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read YAML: %w", err)
		}
		obj, name, err := c.decode(doc)
		switch {
		case err != nil:
			errs = append(errs, err.Error())
		case name != "":
			names = append(names, name)
			if obj != nil {
				objs = append(objs, obj)
			}
		}
	}
	errs = append(errs, checkRelease(objs)...)
	if len(errs) > 0 {
		return "", errors.New(strings.Join(errs, "\n"))
	}
	if len(names) == 0 {
		return "", errors.New("no objects")
	}
	return fmt.Sprintf("%d objects (%s)", len(names), strings.Join(names, ", ")), nil
}

// decode strictly decodes one YAML document. An empty document (a template
// that rendered nothing) returns no name; a custom resource this build
// cannot check returns its name and no object.
func (c *checker) decode(doc []byte) (runtime.Object, string, error) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return nil, "", fmt.Errorf("YAML: %w", err)
	}
	if meta.APIVersion == "" && meta.Kind == "" {
		if onlyComments(doc) {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("an object without apiVersion and kind")
	}
	name := meta.Kind + "/" + meta.Metadata.Name
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	gvk := gv.WithKind(meta.Kind)
	if !c.scheme.Recognizes(gvk) {
		if c.crdGroups[gv.Group] {
			return nil, name + " (unchecked here)", nil
		}
		return nil, "", fmt.Errorf("%s: %s is not a kind this Kubernetes serves", name, gvk)
	}
	obj, _, err := c.decoder.Decode(doc, nil, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return obj, name, nil
}

// onlyComments reports whether a YAML document holds nothing but
// comments and blank lines.
func onlyComments(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && string(line) != "---" {
			return false
		}
	}
	return true
}
