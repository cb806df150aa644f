package alerts

import (
	"net/http"
	"testing"

	"github.com/warroom-dev/warroom"
)

var sevMap = map[string]warroom.Severity{"critical": 1, "error": 2, "warning": 3, "info": 4}

func TestTitleAndSeverity(t *testing.T) {
	cases := []struct {
		m     message
		title string
		sev   warroom.Severity
	}{
		{message{CommonAnnotations: map[string]string{"summary": "Checkout\nis slow"}, CommonLabels: map[string]string{"severity": "Warning"}},
			"Checkout is slow", 3},
		{message{GroupLabels: map[string]string{"alertname": "HighLatency", "service": "checkout", "region": "eu"},
			Alerts: []alert{{Status: "firing", Labels: map[string]string{"severity": "warning"}},
				{Status: "firing", Labels: map[string]string{"severity": "critical"}},
				{Status: "resolved", Labels: map[string]string{"severity": "critical"}}}},
			"HighLatency (region=eu, service=checkout)", 1},
		{message{GroupLabels: map[string]string{"alertname": "Probe"}, CommonLabels: map[string]string{"severity": "page"}},
			"Probe", warroom.DefaultSeverity},
		{message{}, "Alert from Alertmanager", warroom.DefaultSeverity},
	}
	for _, c := range cases {
		if got := title(c.m); got != c.title {
			t.Errorf("title %q, want %q", got, c.title)
		}
		if got := severity(c.m, sevMap); got != c.sev {
			t.Errorf("%q: severity %s, want %s", c.title, got, c.sev)
		}
	}
}

func TestTokens(t *testing.T) {
	ts := ParseTokens(" prometheus=abc , bare==, other=x=y")
	cases := map[string]struct {
		name string
		ok   bool
	}{
		"Bearer abc": {"prometheus", true}, "bearer bare==": {"", true}, "Bearer x=y": {"other", true},
		"Bearer ab": {"", false}, "Basic abc": {"", false}, "": {"", false}, "Bearer ": {"", false},
	}
	for header, want := range cases {
		r, _ := http.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", header)
		if name, ok := ts.Authorize(r); name != want.name || ok != want.ok {
			t.Errorf("%q: %q %v, want %q %v", header, name, ok, want.name, want.ok)
		}
	}
	if _, ok := ParseTokens("").Authorize(&http.Request{Header: http.Header{"Authorization": {"Bearer "}}}); ok {
		t.Error("no tokens authorized an empty one")
	}
}
