package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobtype"
)

// Disconnecting a Zoom account, or Zoom telling warroom the account removed
// the app, deletes every piece of that account's Zoom data in every table,
// from the database files too (the write-ahead log included), and ends the
// work pending on it with a note where people look.
func TestRemovedAccountLeavesNoZoomDataBehind(t *testing.T) {
	for _, how := range []string{"disconnect", "deauthorization"} {
		t.Run(how, func(t *testing.T) {
			e := MustRunConnect(t, nil)
			if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
				t.Fatal("connect failed")
			}
			declare(t, e.w, "U1", "declare Hosted then removed")
			name := todayName("Hosted then removed", 1)
			r := MustWaitRoom(t, e.w, name)
			command(t, e.w, "U1", r.Channel.ID, "followup tomorrow 10:00")
			command(t, e.w, "U1", r.Channel.ID, "call new")
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			// Two meetings live at Zoom (the new bridge and the follow-up),
			// a follow-up post with its Join button, a recording awaited.
			if err := waitFor(ctx, func() bool {
				r, _ = e.w.room(name)
				return len(e.w.Zoom.Meetings()) == 2 && postWithJoin(r) && r.JoinURL() != ""
			}); err != nil {
				t.Fatalf("never two meetings and a follow-up post: %d meetings, post %v, Join Call %q", len(e.w.Zoom.Meetings()), postWithJoin(r), r.JoinURL())
			}
			t.Logf("two meetings at %s", time.Now().Format(time.StampMilli))
			command(t, e.w, "U1", r.Channel.ID, "resolve fixed")
			if err := waitFor(ctx, func() bool {
				p, _ := e.run.Main.store.PendingJobs(ctx)
				return hasKind(p, jobtype.KindRecording)
			}); err != nil {
				t.Fatal("resolving awaits no recording")
			}
			var secrets []string
			for _, m := range e.w.Zoom.Meetings() {
				secrets = append(secrets, m.JoinURL, m.Password)
			}
			secrets = append(secrets, e.w.Zoom.IssuedTokens()...)

			switch how {
			case "disconnect":
				if ans := e.slash(t, connectAdmin, "zoom disconnect "+robotEmail).Text; !strings.Contains(ans, "Disconnected") {
					t.Fatalf("disconnect answered %q\n%s", ans, e.run.Log.String())
				}
			case "deauthorization":
				if err := e.w.Zoom.Deauthorize(robotEmail); err != nil {
					t.Fatal(err)
				}
			}
			// The follow-up's post no longer offers the dead link, and the
			// work on the account ends.
			t.Logf("removed at %s", time.Now().Format(time.StampMilli))
			ctx, cancel = context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			err := waitFor(ctx, func() bool {
				r, _ = e.w.room(name)
				p, _ := e.run.Main.store.PendingJobs(ctx)
				// A follow-up that never had a meeting there waits for a
				// Zoom account, as any would; the removed one's job ends.
				return !postWithJoin(r) && !hasKind(p, jobtype.KindRecording) && !hasKind(p, jobtype.KindIncidentSync)
			})
			if err != nil {
				p, _ := e.run.Main.store.PendingJobs(ctx)
				t.Fatalf("after the removal: follow-up post with Join %v, jobs pending %+v\n%s", postWithJoin(r), p, e.run.Log.String())
			}
			list, _ := command(t, e.w, "U1", r.Channel.ID, "followup list")
			if !strings.Contains(list, "removed") || strings.Contains(list, "zoom.us") {
				t.Errorf("/incident followup list still shows the account's meetings:\n%s", list)
			}
			for _, suffix := range []string{"", "-wal", "-shm"} {
				raw, err := os.ReadFile(e.config().DB + suffix)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				for _, s := range secrets {
					if len(s) >= 6 && bytes.Contains(raw, []byte(s)) {
						t.Errorf("%s still holds %.12s… of the removed account (%s)", "warroom.db"+suffix, s, whereIs(t, e, s))
					}
				}
			}
		})
	}
}

func postWithJoin(r room) bool {
	for _, m := range r.Messages {
		if buttonURL(m.Blocks, blocks.ActionJoinFollowup) != "" {
			return true
		}
	}
	return false
}

func hasKind(jobs []jobtype.Job, kind string) bool {
	for _, j := range jobs {
		if j.Kind == kind {
			return true
		}
	}
	return false
}

// whereIs names the tables whose rows hold s.
func whereIs(tb testing.TB, e *connectEnv, s string) string {
	db := e.run.Main.store.DB()
	var found []string
	for _, table := range []string{"incidents", "followups", "recordings", "retired_meetings", "zoom_hosts", "zoom_usage", "jobs", "settings", "oauth_states"} {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			continue
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				if b, ok := v.([]byte); ok && bytes.Contains(b, []byte(s)) || fmt.Sprint(v) != "" && strings.Contains(fmt.Sprint(v), s) {
					found = append(found, table+"."+cols[i])
				}
			}
		}
		rows.Close()
	}
	return strings.Join(found, ", ")
}
