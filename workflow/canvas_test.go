package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

func (h *harness) canvasCreates() int {
	n := 0
	for _, c := range h.slack.Calls() {
		if c.Method == "conversations.canvases.create" {
			n++
		}
	}
	return n
}

// canvasShows waits until the channel's canvas holds every one of want.
func (h *harness) canvasShows(t *testing.T, channelID string, want ...string) string {
	t.Helper()
	var md string
	wait(t, 10*time.Second, "the canvas to show "+strings.Join(want, ", "), func() bool {
		c, ok := h.slack.Canvas(channelID)
		md = c.Markdown
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("canvas:\n%s", md)
			}
		})
		if !ok {
			return false
		}
		for _, w := range want {
			if !strings.Contains(md, w) {
				return false
			}
		}
		return true
	})
	return md
}

// The canvas is made once and follows the incident: its facts, the call,
// and a timeline of what happened, in order. A title full of markdown
// stays text in its heading.
func TestTheCanvasFollowsTheIncident(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "# DB | down ``` <!channel>")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	md := h.canvasShows(t, r.channel.ID, "[Join the Zoom call](https://", "**Severity:** SEV2", "Declared by ![](@U1)")
	if !strings.HasPrefix(md, `# INC-`) || !strings.Contains(md, `\# DB \| down \`+"`"+`\`+"`"+`\`+"`"+` \<\!channel\>`) {
		t.Errorf("the title is not escaped text in the heading:\n%s", md)
	}

	h.st.SetSeverity(h.ctx, rec.ID, warroom.SEV1)
	h.st.SetCommander(h.ctx, rec.ID, "U2")
	start := time.Now().Truncate(time.Second)
	h.wf.ReceiveZoomEvent(h.ctx, participantEvent("meeting.participant_joined", id, "Dana", start))
	h.wf.ReceiveZoomEvent(h.ctx, participantEvent("meeting.participant_left", id, "Dana", start.Add(time.Second)))
	h.st.Resolve(h.ctx, rec.ID, "fixed", store.ResolveOptions{})
	h.kick()
	md = h.canvasShows(t, r.channel.ID, "Severity changed to SEV1", "![](@U2) became the commander", "Dana joined the call",
		"Dana left the call", "Resolved", "**Status:** Resolved")
	order := []string{"Declared", "SEV1", "became the commander", "Resolved"}
	last := 0
	for _, w := range order {
		i := strings.Index(md[last:], w)
		if i < 0 {
			t.Fatalf("timeline out of order at %q:\n%s", w, md)
		}
		last += i
	}
	if strings.Contains(md, "[Join the Zoom call]") {
		t.Errorf("a resolved incident's canvas still offers the call:\n%s", md)
	}
	if n := h.canvasCreates(); n != 1 {
		t.Errorf("%d canvas creates, want 1", n)
	}
}

// A create whose answer was lost is not repeated: the canvas is found in
// the channel's properties; and a channel that has one already answers
// channel_canvas_already_exists, which finds it too.
func TestTheCanvasIsMadeOncePerChannel(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Cache cold")
	r := h.built(t, rec)
	h.canvasShows(t, r.channel.ID, "Declared")
	first, _ := h.slack.Canvas(r.channel.ID)

	for i, lost := range []store.Canvas{{State: store.CanvasCreating}, {}} {
		if err := h.st.SetCanvas(h.ctx, jobtype.Fence{}, rec.ID, lost); err != nil {
			t.Fatal(err)
		}
		h.st.SetSeverity(h.ctx, rec.ID, warroom.Severity(3-i))
		h.kick()
		h.canvasShows(t, r.channel.ID, "Severity changed to "+warroom.Severity(3-i).String())
		wait(t, 5*time.Second, "the canvas recorded again", func() bool {
			c, _ := h.st.Canvas(h.ctx, rec.ID)
			return c.State == store.CanvasReady && c.CanvasID == first.ID
		})
	}
	if n := h.canvasCreates(); n != 2 {
		t.Errorf("%d canvas creates, want 2 (the first, and the one answered channel_canvas_already_exists)", n)
	}
}

// A workspace without canvases loses only the canvas: it is tried once,
// and the war room goes on without it.
func TestAWorkspaceWithoutCanvases(t *testing.T) {
	h := newHarness(t)
	h.slack.SetCanvasesAllowed(false)
	rec := h.declare(t, "No canvases here")
	h.built(t, rec)
	wait(t, 5*time.Second, "the canvas recorded unavailable", func() bool {
		c, _ := h.st.Canvas(h.ctx, rec.ID)
		return c.State == store.CanvasUnavailable && c.Note == "team_tier_cannot_create_channel_canvases"
	})
	h.st.SetSeverity(h.ctx, rec.ID, warroom.SEV1)
	h.kick()
	wait(t, 5*time.Second, "the pinned message to say SEV1", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "SEV1")
	})
	if n := h.canvasCreates(); n != 1 {
		t.Errorf("%d canvas creates, want 1", n)
	}
}
