package helm_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// agreesWithKustomize compares the chart's default Deployment with
// deploy/kubernetes/deployment.yaml where they must say the same: the
// probes, the security contexts, the resources, the ports, the spread
// and the way pods stop and roll. Labels and the image differ on purpose.
func agreesWithKustomize(t *testing.T, rendered string) {
	chart := findDeployment(t, rendered)
	kustomize := findDeployment(t, "../kubernetes/deployment.yaml")
	paths := [][]string{
		{"spec", "replicas"},
		{"spec", "strategy"},
		{"spec", "template", "spec", "terminationGracePeriodSeconds"},
		{"spec", "template", "spec", "automountServiceAccountToken"},
		{"spec", "template", "spec", "enableServiceLinks"},
		{"spec", "template", "spec", "securityContext"},
		{"spec", "template", "spec", "containers", "0", "args"},
		{"spec", "template", "spec", "containers", "0", "env"},
		{"spec", "template", "spec", "containers", "0", "ports"},
		{"spec", "template", "spec", "containers", "0", "startupProbe"},
		{"spec", "template", "spec", "containers", "0", "livenessProbe"},
		{"spec", "template", "spec", "containers", "0", "readinessProbe"},
		{"spec", "template", "spec", "containers", "0", "resources"},
	}
	for _, p := range paths {
		got, want := lookup(chart, p), lookup(kustomize, p)
		if want == nil {
			t.Errorf("deploy/kubernetes has no %s", strings.Join(p, "."))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s differs between the chart (+) and deploy/kubernetes (-):\n%s", strings.Join(p, "."), d)
		}
	}
	// The chart adds runAsNonRoot to the container; the rest must match.
	c := lookup(chart, []string{"spec", "template", "spec", "containers", "0", "securityContext"}).(map[string]any)
	delete(c, "runAsNonRoot")
	k := lookup(kustomize, []string{"spec", "template", "spec", "containers", "0", "securityContext"})
	if d := cmp.Diff(k, any(c)); d != "" {
		t.Errorf("the container's securityContext differs (+chart -kustomize):\n%s", d)
	}
	// Same spread, apart from the label selector (the chart adds its
	// instance label).
	spread := func(doc map[string]any) []string {
		var keys []string
		for _, c := range lookup(doc, []string{"spec", "template", "spec", "topologySpreadConstraints"}).([]any) {
			m := c.(map[string]any)
			keys = append(keys, m["topologyKey"].(string)+" "+m["whenUnsatisfiable"].(string))
		}
		return keys
	}
	if d := cmp.Diff(spread(kustomize), spread(chart)); d != "" {
		t.Errorf("topologySpreadConstraints differ (+chart -kustomize):\n%s", d)
	}
}

func findDeployment(t *testing.T, path string) map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: no Deployment (%v)", path, err)
		}
		if doc["kind"] == "Deployment" {
			return normalize(t, doc)
		}
	}
}

// normalize round-trips through JSON so that both files' numbers and maps
// have the same Go types.
func normalize(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func lookup(v any, path []string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := int(p[0] - '0')
			if len(p) != 1 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestSettingsDocumented: every variable values.schema.json lets an
// operator set (secret and env) is one the README's Configuration section
// describes, so the schema cannot accept a name warroom does not read.
func TestSettingsDocumented(t *testing.T) {
	data, err := os.ReadFile("warroom/values.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]struct {
			PropertyNames struct {
				Enum []string `json:"enum"`
			} `json:"propertyNames"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Configuration\n")
	section, _, _ = strings.Cut(section, "\n## ")
	documented := regexp.MustCompile("`([A-Z][A-Z0-9_]+)`").FindAllStringSubmatch(section, -1)
	var names []string
	for _, m := range documented {
		names = append(names, m[1])
	}
	for _, key := range []string{"secret", "env"} {
		enum := schema.Properties[key].PropertyNames.Enum
		if len(enum) == 0 {
			t.Fatalf("values.schema.json: %s has no propertyNames enum", key)
		}
		for _, n := range enum {
			if !slices.Contains(names, n) {
				t.Errorf("values.schema.json: %s allows %s, which README's Configuration does not describe", key, n)
			}
		}
	}
}
