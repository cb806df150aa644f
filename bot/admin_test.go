package bot_test

import (
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
)

// Only admins get a Connect Zoom link: anyone else running
// /incident zoom connect is told so, with no link.
func TestZoomConnectIsForAdminsOnly(t *testing.T) {
	w := testworld.Start(t, testworld.Config{UserOAuth: true, NoJobs: true})

	d, ack := w.Slash(t, testworld.NotAdmin, "zoom connect")
	if r := testworld.AckReply(t, ack); r.Text != "" {
		t.Errorf("the command was answered in its ack (%q); the admin check answers afterwards", r.Text)
	}
	ans := w.Answer(t, testworld.NotAdmin, d)
	if ans.Text != blocks.NotAdmin {
		t.Errorf("a non-admin was answered %q, want %q", ans.Text, blocks.NotAdmin)
	}
	if link := testworld.ButtonURL(ans.Blocks, blocks.ActionConnectZoom); link != "" || strings.Contains(string(ans.Blocks), "state=") {
		t.Errorf("a non-admin got a Connect Zoom link: %s", ans.Blocks)
	}
	if !strings.Contains(w.Log.String(), "admin action refused") {
		t.Errorf("the refusal was not logged")
	}

	// An admin, asking the same, gets the link.
	w.ConnectLink(t)
}

// The other Zoom admin commands are refused to non-admins the same way.
func TestZoomStatusAndDisconnectAreForAdminsOnly(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	for _, text := range []string{"zoom status", "zoom disconnect someone@example.com"} {
		d, _ := w.Slash(t, testworld.NotAdmin, text)
		if ans := w.Answer(t, testworld.NotAdmin, d); ans.Text != blocks.NotAdmin {
			t.Errorf("/incident %s: a non-admin was answered %q", text, ans.Text)
		}
	}
	d, _ := w.Slash(t, testworld.Admin, "zoom status")
	if ans := w.Answer(t, testworld.Admin, d); !strings.Contains(ans.Text, testworld.ZoomHost) {
		t.Errorf("an admin's zoom status does not show the host %s: %q", testworld.ZoomHost, ans.Text)
	}
}

// Without a public URL and a secret key, connecting is not offered even
// to an admin: they are told what to set.
func TestZoomConnectNeedsSetup(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	d, _ := w.Slash(t, testworld.Admin, "zoom connect")
	if ans := w.Answer(t, testworld.Admin, d); ans.Text != blocks.ConnectNeedsSetup {
		t.Errorf("an admin was answered %q, want %q", ans.Text, blocks.ConnectNeedsSetup)
	}
}
