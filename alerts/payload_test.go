package alerts

import (
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
