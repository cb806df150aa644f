package warroom_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

// schemaBase is where Slack publishes its manifest schemas; testdata holds
// copies, under Slack's licence, so the test needs no network.
const schemaBase = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"

func manifest(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func manifestSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(ecmaPatterns)
	for id, file := range map[string]string{
		"https://github.com/slackapi/manifest-schema/blob/main/manifest.schema.json": "manifest.schema.json",
		schemaBase + "manifest.schema.1.0.0.json":                                    "manifest.schema.1.0.0.json",
		schemaBase + "manifest.schema.2.0.0.json":                                    "manifest.schema.2.0.0.json",
	} {
		f, err := os.Open(filepath.Join("testdata", "slack-manifest-schema", file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("https://github.com/slackapi/manifest-schema/blob/main/manifest.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ecmaPatterns compiles the schema's patterns with Go's regexp. A few are
// ECMAScript-only (lookaheads such as "(?!…)" in unfurl_domains, which
// warroom's manifest does not use): those match anything, so every other
// rule of the schema is still checked.
func ecmaPatterns(pattern string) (jsonschema.Regexp, error) {
	if re, err := regexp.Compile(pattern); err == nil {
		return re, nil
	}
	return anything(pattern), nil
}

type anything string

func (a anything) String() string          { return string(a) }
func (a anything) MatchString(string) bool { return true }

// asJSON turns the YAML document into the values a JSON decoder makes.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// manifest.yaml is a valid app manifest by Slack's published schema, and
// a broken copy of it is not (the check can fail).
func TestManifestMatchesSlacksSchema(t *testing.T) {
	schema := manifestSchema(t)
	if err := schema.Validate(asJSON(t, manifest(t))); err != nil {
		t.Fatalf("manifest.yaml does not validate:\n%v", err)
	}
	broken := manifest(t)
	broken["display_information"].(map[string]any)["name"] = 42
	if err := schema.Validate(asJSON(t, broken)); err == nil {
		t.Fatal("a manifest whose name is a number validated: the schema check cannot fail")
	}
}

// The fake Slack grants exactly the bot scopes manifest.yaml asks for, so
// a method warroom calls without its scope fails the tests.
func TestFakeSlackGrantsTheManifestsScopes(t *testing.T) {
	var want []string
	for _, s := range manifest(t)["oauth_config"].(map[string]any)["scopes"].(map[string]any)["bot"].([]any) {
		want = append(want, s.(string))
	}
	got := slackfake.DefaultScopes()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the fake Slack grants %v; manifest.yaml asks for %v", got, want)
	}
}
