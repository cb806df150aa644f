// Package helm_test checks the Helm chart in warroom/ without a cluster:
// helm lint --strict and helm template over several value sets, value sets
// the schema must refuse, and every rendered object decoded strictly
// against the API types of three Kubernetes minor versions (the module in
// check/), which also holds the pods to the chart's promises.
//
// helm is the pinned release, built from its module through `go run`
// (cached in the Go build cache after the first build). Nothing is
// skipped: if helm or a checker cannot be built, the test fails.
package helm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// helmCommand is the helm the chart is checked with (make chart uses the
// same).
const helmCommand = "helm.sh/helm/v4/cmd/helm@v4.3.2"

// kubernetesAPIs are the three minor versions every object is decoded
// against: each is a go.mod of check/ pinning its k8s.io/api. The newest
// also knows the Prometheus Operator's ServiceMonitor (-tags crds).
var kubernetesAPIs = []struct {
	minor, modfile, tags string
}{
	{"1.35", "go.k8s-1.35.mod", ""},
	{"1.36", "go.k8s-1.36.mod", ""},
	{"1.37", "go.mod", "crds"},
}

// goCmd runs the go command in dir with a clean module set-up: no
// workspace, and the checker's own go.mod and go.sum files as they are
// committed (a missing sum fails instead of being fetched).
func goCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	return cmd
}

// helm runs the pinned helm binary with its state kept in home, never
// the user's.
type helm struct {
	bin, home string
}

func (h helm) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(h.home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(h.home, "config"),
		"HELM_DATA_HOME="+filepath.Join(h.home, "data"),
		"KUBECONFIG="+filepath.Join(h.home, "no-kubeconfig"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// mustBuildHelm builds the pinned helm with go run (the Go build cache
// keeps the binary, so only the first build takes minutes) and copies it
// out (go run -exec cp), so that each of the test's many helm runs is a
// plain process start. It fails the test if helm cannot be built: a check
// that silently did nothing would pass a broken chart.
func mustBuildHelm(t *testing.T) helm {
	t.Helper()
	h := helm{bin: filepath.Join(t.TempDir(), "helm"), home: t.TempDir()}
	start := time.Now()
	cmd := exec.CommandContext(t.Context(), "go", "run", "-exec", "cp", helmCommand, h.bin)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build %s: %v\n%s", helmCommand, err, out)
	}
	out, err := h.run(t.Context(), "version", "--short")
	if err != nil {
		t.Fatalf("cannot run %s: %v\n%s", helmCommand, err, out)
	}
	t.Logf("%s: helm %s (%s)", helmCommand, strings.TrimSpace(lastLine(out)), time.Since(start).Round(time.Millisecond))
	return h
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// want reads the "# want: …" comment a bad test file opens with: a
// substring of the error it must cause. "# only: crds" marks a file only
// the build with custom resource types can refuse.
func want(t *testing.T, path string) (substr string, onlyCRDs bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^# want: (.+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s has no '# want: …' line", path)
	}
	return string(m[1]), bytes.Contains(data, []byte("\n# only: crds"))
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	return files
}

// TestChart lints and renders the chart over testdata/values (and its
// defaults), checks that testdata/bad-values are refused, then decodes the
// renderings and testdata/bad-manifests against each Kubernetes version.
func TestChart(t *testing.T) {
	start := time.Now()
	h := mustBuildHelm(t)
	out := t.TempDir()
	rendered := renderGoodValues(t, h, out)
	t.Run("bad-values", func(t *testing.T) { refuseBadValues(t, h) })
	t.Run("refused-without-schema", func(t *testing.T) {
		// helm install --skip-schema-validation: the templates still
		// refuse several replicas on one SQLite file.
		out, err := h.run(t.Context(), "template", "warroom", "warroom", "--skip-schema-validation",
			"--values", "testdata/bad-values/sqlite-three-replicas.yaml")
		if err == nil || !strings.Contains(out, "allows exactly one replica") {
			t.Errorf("want a refusal of 3 replicas on SQLite, got %v:\n%s", err, out)
		}
	})
	t.Run("notes", func(t *testing.T) {
		out, err := h.run(t.Context(), "install", "warroom", "warroom", "--namespace", "incidents", "--dry-run=client")
		if err != nil {
			t.Fatalf("helm install --dry-run=client: %v\n%s", err, out)
		}
		if want := "kubectl --namespace incidents exec deploy/warroom -- warroom doctor"; !strings.Contains(out, want) {
			t.Errorf("NOTES.txt does not say %q:\n%s", want, out)
		}
	})
	t.Run("kustomize-agrees", func(t *testing.T) { agreesWithKustomize(t, rendered["defaults"]) })
	files := []string{kustomizeRelease(t, out)}
	for _, f := range rendered {
		files = append(files, f)
	}
	bad := glob(t, "testdata/bad-manifests/*.yaml")
	for _, k := range kubernetesAPIs {
		t.Run("kubernetes-"+k.minor, func(t *testing.T) { decodeAll(t, k.modfile, k.tags, files, bad) })
	}
	t.Logf("chart checked in %s", time.Since(start).Round(time.Millisecond))
}

// kustomizeRelease joins what deploy/kubernetes applies into one file, so
// that it is checked like a rendering of the chart.
func kustomizeRelease(t *testing.T, dir string) string {
	t.Helper()
	var all []byte
	for _, f := range []string{"deployment.yaml", "pdb.yaml", "service.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "kubernetes", f))
		if err != nil {
			t.Fatal(err)
		}
		all = append(append(all, "---\n"...), data...)
	}
	path := filepath.Join(dir, "kustomize.yaml")
	if err := os.WriteFile(path, all, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// renderGoodValues lints and renders every good value set concurrently
// (each helm run is a process start); it returns the rendering's file by
// value set name.
func renderGoodValues(t *testing.T, h helm, dir string) map[string]string {
	sets := map[string]string{"defaults": ""}
	for _, f := range glob(t, "testdata/values/*.yaml") {
		sets[strings.TrimSuffix(filepath.Base(f), ".yaml")] = f
	}
	rendered := make(map[string]string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan string, 2*len(sets))
	for name, values := range sets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var vf []string
			if values != "" {
				vf = []string{"--values", values}
			}
			if o, err := h.run(t.Context(), append([]string{"lint", "--strict", "warroom"}, vf...)...); err != nil {
				errs <- fmt.Sprintf("helm lint --strict %s: %v\n%s", name, err, o)
			}
			o, err := h.run(t.Context(), append([]string{"template", "warroom", "warroom", "--namespace", "incidents"}, vf...)...)
			if err != nil {
				errs <- fmt.Sprintf("helm template %s: %v\n%s", name, err, o)
				return
			}
			path := filepath.Join(dir, name+".yaml")
			if err := os.WriteFile(path, []byte(o), 0o644); err != nil {
				errs <- err.Error()
				return
			}
			mu.Lock()
			rendered[name] = path
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	return rendered
}

// refuseBadValues: each value set must stop helm lint and helm template,
// saying what its "# want:" line says.
func refuseBadValues(t *testing.T, h helm) {
	for _, f := range glob(t, "testdata/bad-values/*.yaml") {
		substr, _ := want(t, f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			for _, args := range [][]string{
				{"lint", "--strict", "warroom", "--values", f},
				{"template", "warroom", "warroom", "--values", f},
			} {
				out, err := h.run(t.Context(), args...)
				if err == nil {
					t.Errorf("helm %s accepted it:\n%s", args[0], out)
				} else if !strings.Contains(out, substr) {
					t.Errorf("helm %s refused it without saying %q:\n%s", args[0], substr, out)
				}
			}
		})
	}
}

// decodeAll runs the checker built against one Kubernetes version over
// the renderings (each must pass) and the bad manifests (each must fail as
// its "# want:" line says).
func decodeAll(t *testing.T, modfile, tags string, good, bad []string) {
	abs := func(fs []string) []string {
		var r []string
		for _, f := range fs {
			a, err := filepath.Abs(f)
			if err != nil {
				t.Fatal(err)
			}
			r = append(r, a)
		}
		return r
	}
	args := []string{"run", "-modfile=" + modfile}
	if tags != "" {
		args = append(args, "-tags="+tags)
	}
	args = append(append(args, "."), abs(append(append([]string{}, good...), bad...))...)
	start := time.Now()
	out, err := goCmd(t.Context(), "check", args...).CombinedOutput()
	first, _, _ := strings.Cut(string(out), "\n")
	t.Logf("%s: %d files in %s", first, len(good)+len(bad), time.Since(start).Round(time.Millisecond))
	// The bad manifests' FAIL lines are expected: show the output only
	// when something is wrong.
	defer func() {
		if t.Failed() {
			t.Logf("checker output:\n%s", out)
		}
	}()
	if err == nil {
		t.Fatalf("the checker passed every file, bad ones included:\n%s", out)
	}
	results := parseResults(t, string(out))
	for _, f := range abs(good) {
		if r := results[f]; !strings.HasPrefix(r, "ok ") {
			t.Errorf("%s: %s", f, r)
		}
	}
	for _, f := range abs(bad) {
		substr, onlyCRDs := want(t, f)
		r := results[f]
		switch {
		case onlyCRDs && tags != "crds":
			if !strings.HasPrefix(r, "ok ") || !strings.Contains(r, "unchecked here") {
				t.Errorf("%s: want it left unchecked by this build, got %s", f, r)
			}
		case !strings.HasPrefix(r, "FAIL "):
			t.Errorf("%s: the checker accepted it: %s", f, r)
		case !strings.Contains(r, substr):
			t.Errorf("%s: refused without saying %q: %s", f, substr, r)
		}
	}
}

// parseResults maps each file to its line of the checker's output; a
// checker that could not be built or started fails the test here.
func parseResults(t *testing.T, out string) map[string]string {
	t.Helper()
	results := make(map[string]string)
	for _, line := range strings.Split(out, "\n") {
		for _, p := range []string{"ok ", "FAIL "} {
			if rest, ok := strings.CutPrefix(line, p); ok {
				if i := strings.Index(rest, ": "); i > 0 {
					results[rest[:i]] = line
				}
			}
		}
	}
	if len(results) == 0 {
		t.Fatalf("the checker did not run:\n%s", out)
	}
	return results
}
