package bot

import "testing"

func TestTitleFromChannel(t *testing.T) {
	for in, want := range map[string]string{
		"20261123-db-is-slow": "db is slow",
		"db_is_slow":          "db is slow",
		"2026":                "2026",
		"":                    "Incident",
		"20261123-":           "20261123",
	} {
		if got := titleFromChannel(in); got != want {
			t.Errorf("titleFromChannel(%q) = %q, want %q", in, got, want)
		}
	}
}
