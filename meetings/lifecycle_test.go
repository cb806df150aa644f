package meetings_test

import (
	"errors"
	"testing"

	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// A meeting warroom no longer uses is deleted unless people are in it;
// ending and deleting what is already gone is no error.
func TestRetireEndAndDeleteReadZoomsAnswers(t *testing.T) {
	f := newFixture(t, true)
	const host = "business@example.com"
	client, _, err := f.pool.Client(f.ctx, host)
	if err != nil {
		t.Fatal(err)
	}
	newMeeting := func() int64 {
		t.Helper()
		m, err := client.CreateMeeting(f.ctx, host, zoom.CreateMeetingRequest{Topic: "bridge", Type: zoom.MeetingRecurringNoFixed})
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}

	idle := newMeeting()
	if got, err := f.pool.Retire(f.ctx, host, idle); err != nil || got != meetings.RetiredGone {
		t.Fatalf("retire an idle meeting = %v, %v; want gone", got, err)
	}
	if _, ok := f.zf.Meeting(idle); ok {
		t.Fatal("the idle meeting is still at Zoom after retiring it")
	}
	if got, err := f.pool.Retire(f.ctx, host, idle); err != nil || got != meetings.RetiredGone {
		t.Fatalf("retire it again = %v, %v; want gone", got, err)
	}

	busy := newMeeting()
	if err := f.zf.StartMeeting(f.ctx, busy); err != nil {
		t.Fatal(err)
	}
	if got, err := f.pool.Retire(f.ctx, host, busy); err != nil || got != meetings.RetiredRunning {
		t.Fatalf("retire a started meeting = %v, %v; want left running", got, err)
	}
	if m, ok := f.zf.Meeting(busy); !ok || m.Status != zoomfake.StatusStarted {
		t.Fatalf("the started meeting was touched: %+v, exists %v", m, ok)
	}
	if s, err := f.pool.MeetingStatus(f.ctx, host, busy); err != nil || s != "started" {
		t.Fatalf("status = %q, %v; want started", s, err)
	}
	if err := f.pool.End(f.ctx, host, busy); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.zf.Meeting(busy); m.Status == zoomfake.StatusStarted {
		t.Fatal("End left the meeting running")
	}
	if err := f.pool.End(f.ctx, host, busy); err != nil {
		t.Fatalf("ending a meeting that is over: %v; want nothing to do", err)
	}

	later := newMeeting()
	if err := f.pool.Delete(f.ctx, host, later); err != nil {
		t.Fatal(err)
	}
	if err := f.pool.Delete(f.ctx, host, later); err != nil {
		t.Fatalf("deleting a deleted meeting: %v", err)
	}
	if _, ok := f.zf.Meeting(later); ok {
		t.Fatal("Delete left the meeting at Zoom")
	}

	if got, err := f.pool.Retire(f.ctx, "nobody@example.com", 1); err != nil || got != meetings.RetiredUnreachable {
		t.Fatalf("retire on an unknown host = %v, %v; want unreachable", got, err)
	}
	if err := f.pool.Delete(f.ctx, "nobody@example.com", 1); !errors.Is(err, meetings.ErrHostUnreachable) {
		t.Fatalf("delete on an unknown host = %v; want ErrHostUnreachable", err)
	}
}
