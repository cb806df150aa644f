package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/doctor"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// doctorEnv is the world's configuration as environment variables, with
// the database in dir and changes applied ("" removes a variable).
func doctorEnv(w *world, dir string, changes map[string]string) func(string) string {
	env := map[string]string{}
	for _, kv := range w.env(dir) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range changes {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func runDoctorTest(t *testing.T, getenv func(string) string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := runCommand(ctx, []string{"doctor"}, getenv, &out, io.Discard)
	return out.String(), err
}

// reportLine finds the line of the report that starts with status and
// contains what, and the fix under it.
func reportLine(report, status, what string) (line, fix string, ok bool) {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), status+" ") && strings.Contains(l, what) {
			if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "fix: ") {
				fix = strings.TrimPrefix(strings.TrimSpace(lines[i+1]), "fix: ")
			}
			return l, fix, true
		}
	}
	return "", "", false
}

func mustLine(t *testing.T, report, status, what string) (line, fix string) {
	t.Helper()
	line, fix, ok := reportLine(report, status, what)
	if !ok {
		t.Errorf("report has no %s line about %q:\n%s", status, what, report)
	}
	if (status == "FAIL" || status == "warn") && ok && fix == "" {
		t.Errorf("%s line about %q comes without a fix:\n%s", status, what, report)
	}
	return line, fix
}

func TestDoctorHealthyInstallation(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	report, err := runDoctorTest(t, doctorEnv(w, dir, nil))
	if err != nil {
		t.Fatalf("doctor failed a working installation: %v\n%s", err, report)
	}
	if strings.Contains(report, "FAIL") {
		t.Errorf("FAIL in a working installation's report:\n%s", report)
	}
	mustLine(t, report, "ok", "variables")
	mustLine(t, report, "ok", "bot token")
	// The simulated Slack grants what manifest.yaml asks, in X-OAuth-Scopes.
	mustLine(t, report, "ok", "bot scopes")
	mustLine(t, report, "ok", "app token")
	mustLine(t, report, "ok", "credentials")
	mustLine(t, report, "ok", "scopes")
	line, _ := mustLine(t, report, "ok", "host "+demoZoomHost)
	for _, want := range []string{"Licensed", "2 meetings at a time", "at least 6 characters"} {
		if !strings.Contains(line, want) {
			t.Errorf("host line %q lacks %q", line, want)
		}
	}
	mustLine(t, report, "ok", "does not exist yet")
	mustLine(t, report, "ok", "WARROOM_HTTP_ADDR")
	if !strings.HasSuffix(report, "Everything checked is in order.\n") {
		t.Errorf("report does not end with its verdict:\n%s", report)
	}
}

// TestDoctorReportsBrokenConfiguration: everything wrong at once is
// reported at once, each with its fix, and doctor fails.
func TestDoctorReportsBrokenConfiguration(t *testing.T) {
	w := MustStartWorld(t)
	report, err := runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{
		"SLACK_BOT_TOKEN":       "xoxb-not-the-real-one",
		"SLACK_APP_TOKEN":       "",
		"ZOOM_CLIENT_SECRET":    "wrong-secret",
		"WARROOM_DB":            filepath.Join(t.TempDir(), "missing-dir", "warroom.db"),
		"WARROOM_POLL_INTERVAL": "soon",
		"LOG_LEVEL":             "loud",
	}))
	var de doctor.Failures
	if !errors.As(err, &de) || de.Count != 6 {
		t.Errorf("doctor returned %v, want 6 problems\n%s", err, report)
	}
	mustLine(t, report, "FAIL", "SLACK_APP_TOKEN is required")
	mustLine(t, report, "FAIL", "WARROOM_POLL_INTERVAL must be a positive duration")
	mustLine(t, report, "FAIL", "LOG_LEVEL must be one of")
	_, fix := mustLine(t, report, "FAIL", "Slack refused SLACK_BOT_TOKEN: invalid_auth")
	if !strings.Contains(fix, "copy it again") {
		t.Errorf("bot token fix %q", fix)
	}
	mustLine(t, report, "skip", "app token")
	_, fix = mustLine(t, report, "FAIL", "invalid_client")
	if !strings.Contains(fix, "ZOOM_CLIENT_SECRET") {
		t.Errorf("Zoom credentials fix %q does not name ZOOM_CLIENT_SECRET", fix)
	}
	_, fix = mustLine(t, report, "FAIL", "missing-dir does not exist")
	if !strings.Contains(fix, "create") {
		t.Errorf("database fix %q", fix)
	}
	if !strings.HasSuffix(report, "\n6 problems: warroom will not work until each FAIL is fixed.\n") {
		t.Errorf("no verdict:\n%s", report)
	}
}

func TestDoctorZoomHostProblems(t *testing.T) {
	w, err := startWorldWith(slackfake.Config{}, func(c *zoomfake.Config) {
		c.Hosts = []zoomfake.User{
			{Email: "basic@example.com", Type: 1},
			{Email: "strict@example.com", Type: 2},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	w.Zoom.SetPasscodeRules("strict@example.com", zoomfake.PasscodeRules{Length: 8, HaveSpecialCharacter: true, HaveUpperAndLowerCharacters: true, ConsecutiveCharactersLength: 4})
	report, err := runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{
		"ZOOM_HOSTS": "basic@example.com,strict@example.com,ghost@example.com",
	}))
	if err == nil {
		t.Errorf("doctor passed hosts that cannot work:\n%s", report)
	}
	_, fix := mustLine(t, report, "warn", "host basic@example.com: Basic, 1 meeting at a time")
	if !strings.Contains(fix, "40 minutes") {
		t.Errorf("Basic licence fix %q does not say why", fix)
	}
	mustLine(t, report, "ok", "host strict@example.com: Licensed, 2 meetings at a time; passcodes at least 8 characters, upper and lower case, a special character, no run of 4")
	_, fix = mustLine(t, report, "FAIL", "host ghost@example.com: Zoom has no such user")
	if !strings.Contains(fix, "ZOOM_HOSTS") {
		t.Errorf("missing host fix %q", fix)
	}

	// The default host, "me", is checked too, with a warning that it is
	// the app's creator.
	report, _ = runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{"ZOOM_HOSTS": ""}))
	mustLine(t, report, "warn", `ZOOM_HOSTS: "me"`)
	mustLine(t, report, "warn", "host me (basic@example.com)")
}

// scopeProxy stands in front of the simulated Slack and adds the
// X-OAuth-Scopes header real Slack sends with every answer.
func scopeProxy(t *testing.T, w *world, scopes []string) string {
	t.Helper()
	target, _ := url.Parse(strings.TrimSuffix(w.Slack.APIURL(), "/api/"))
	p := httputil.NewSingleHostReverseProxy(target)
	p.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("X-OAuth-Scopes", strings.Join(scopes, ","))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

func TestDoctorComparesSlackScopesWithTheManifest(t *testing.T) {
	w := MustStartWorld(t)
	all := append([]string{"incoming-webhook"}, manifestScopes(t)...)
	report, err := runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{"SLACK_API_URL": scopeProxy(t, w, all)}))
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	mustLine(t, report, "ok", "bot scopes: all")

	some := slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == "pins:write" || s == "bookmarks:write" })
	report, err = runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{"SLACK_API_URL": scopeProxy(t, w, some)}))
	if err == nil {
		t.Errorf("doctor passed a bot token without pins:write:\n%s", report)
	}
	_, fix := mustLine(t, report, "FAIL", "bot scopes: the bot token lacks pins:write, bookmarks:write")
	if !strings.Contains(fix, "Reinstall") {
		t.Errorf("scope fix %q does not say to reinstall", fix)
	}
}

// manifestScopes reads the bot scopes from manifest.yaml.
func manifestScopes(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var scopes []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "bot:":
			in = true
		case in && strings.HasPrefix(trimmed, "- "):
			scope, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "- "), "#")
			scopes = append(scopes, strings.TrimSpace(scope))
		case in && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			in = false
		}
	}
	if len(scopes) == 0 {
		t.Fatal("no bot scopes found in manifest.yaml")
	}
	return scopes
}

func TestDoctorScopesMatchTheManifest(t *testing.T) {
	got, want := slices.Sorted(slices.Values(doctor.SlackBotScopes)), slices.Sorted(slices.Values(manifestScopes(t)))
	if !slices.Equal(got, want) {
		t.Errorf("doctor.SlackBotScopes = %v\nmanifest.yaml asks for %v\nkeep them equal", got, want)
	}
}

// TestDoctorBesideARunningWarroom: doctor changes nothing and reads the
// running bot's health and readiness.
func TestDoctorBesideARunningWarroom(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	r := MustRun(t, w, dir)
	declare(t, w, "U1", "declare Doctor visit")
	MustWaitRoom(t, w, todayName("Doctor visit", 1))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	poll(ctx, func() bool { s, _ := httpGet(t, "http://"+r.Main.HTTPAddr()+"/readyz"); return s == 200 })
	report, err := runDoctorTest(t, doctorEnv(w, dir, map[string]string{"WARROOM_HTTP_ADDR": r.Main.HTTPAddr()}))
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	line, _ := mustLine(t, report, "ok", "WARROOM_DB")
	for _, want := range []string{"(current)", "1 incident,", "in use by a running warroom"} {
		if !strings.Contains(line, want) {
			t.Errorf("database line %q lacks %q", line, want)
		}
	}
	mustLine(t, report, "ok", "healthy and ready")
	// The bot kept its connection and its work.
	declare(t, w, "U1", "declare After doctor")
	MustWaitRoom(t, w, todayName("After doctor", 1))
}

// TestDoctorUserOAuth checks the user-managed mode: the client credentials
// without a user, connected accounts from the database, and the public URL.
func TestDoctorUserOAuth(t *testing.T) {
	e := MustRunConnect(t, nil)
	env := func(changes map[string]string) func(string) string {
		m := map[string]string{}
		for _, kv := range e.env() {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return func(k string) string { return m[k] }
	}
	report, err := runDoctorTest(t, env(nil))
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	mustLine(t, report, "ok", "credentials: Zoom accepts ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
	mustLine(t, report, "warn", "connected accounts: none yet")
	mustLine(t, report, "ok", "WARROOM_PUBLIC_URL "+e.public+": reaches warroom")
	if _, _, ok := reportLine(report, "warn", "is not https"); ok {
		t.Errorf("a loopback public URL was warned about")
	}

	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	report, _ = runDoctorTest(t, env(nil))
	mustLine(t, report, "ok", "account "+robotEmail+": connected")

	killRefreshToken(t, e)
	declare(t, e.w, "U1", "declare Dead account")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	poll(ctx, func() bool { return scrape(t, e.run.Main.HTTPAddr())["warroom_zoom_token_refresh_failures_total"] == 1 })
	report, err = runDoctorTest(t, env(nil))
	if err == nil {
		t.Errorf("doctor passed with the only account dead:\n%s", report)
	}
	_, fix := mustLine(t, report, "FAIL", "account "+robotEmail+": must be reconnected")
	if !strings.Contains(fix, "/incident zoom connect") {
		t.Errorf("dead account fix %q", fix)
	}

	report, _ = runDoctorTest(t, env(map[string]string{"ZOOM_CLIENT_SECRET": "nope"}))
	mustLine(t, report, "FAIL", "Zoom refused ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
}

// TestDoctorExitStatus runs the real binary: a broken configuration exits
// with status 1.
func TestDoctorExitStatus(t *testing.T) {
	bin := MustBuildBinary(t)
	w := MustStartWorld(t)
	cmd := exec.Command(bin, "doctor")
	cmd.Env = append(w.env(t.TempDir()), "ZOOM_CLIENT_SECRET=wrong", "PATH="+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("warroom doctor with a wrong secret: %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "warroom: doctor found 1 problem") {
		t.Errorf("output:\n%s", out)
	}
	cmd = exec.Command(bin, "doctor")
	cmd.Env = append(w.env(t.TempDir()), "PATH="+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("warroom doctor on a working configuration: %v\n%s", err, out)
	}
}

func TestDoctorDatabaseProblems(t *testing.T) {
	w := MustStartWorld(t)
	ctx := context.Background()

	// A database a newer warroom migrated further than this one knows.
	dir := t.TempDir()
	db := filepath.Join(dir, "warroom.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite", store.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	report, err := runDoctorTest(t, doctorEnv(w, dir, nil))
	if err == nil {
		t.Errorf("doctor passed a database from a newer warroom:\n%s", report)
	}
	_, fix := mustLine(t, report, "FAIL", "schema 999 was written by a newer warroom")
	if !strings.Contains(fix, "restore a backup") {
		t.Errorf("fix %q", fix)
	}

	// A file that is not a database at all.
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, "warroom.db"), bytes.Repeat([]byte("not sqlite "), 1000), 0o600)
	report, err = runDoctorTest(t, doctorEnv(w, dir, nil))
	if err == nil {
		t.Errorf("doctor passed a file that is not a database:\n%s", report)
	}
	mustLine(t, report, "FAIL", "WARROOM_DB")
}
