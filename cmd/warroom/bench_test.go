package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// The latencies the fakes add, as the declare benchmark's issue sets them.
const (
	benchSlackLatency = 50 * time.Millisecond
	benchZoomLatency  = 80 * time.Millisecond
)

// BenchmarkDeclare measures, for one declare at a time against fakes that
// add 50 ms to every Slack call and 80 ms to every Zoom call:
//   - ack-ms: slash command sent → ack received (the "Declaring…" reply);
//   - join-ms: slash command sent → the channel shows a pinned message
//     with a Join Call button;
//   - ratio: join-ms ÷ the lower bound max(Slack, Zoom) + 2×Slack = 180 ms
//     (channel ‖ meeting, then post, then pin).
//
// Medians are reported, since one slow GC pause should not move the figure.
//
// It runs on both engines: SQLite, then PostgreSQL.
func BenchmarkDeclare(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchDeclare(b, "") })
	b.Run("postgres", func(b *testing.B) { benchDeclare(b, pgtest.URL(b)) })
}

// benchDeclare is BenchmarkDeclare on the database at dsn ("": a SQLite
// file).
func benchDeclare(b *testing.B, dsn string) {
	w, _ := startBench(b, func(cfg *config.Config) {
		if dsn != "" {
			cfg.DB = dsn
		}
	})
	var acks, joins []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ack, join := benchDeclareOnce(b, w, fmt.Sprintf("bench incident %d", i))
		acks = append(acks, ack)
		joins = append(joins, join)
	}
	b.StopTimer()
	bound := max(benchSlackLatency, benchZoomLatency) + 2*benchSlackLatency
	ackMed, joinMed := median(acks), median(joins)
	b.ReportMetric(float64(ackMed.Microseconds())/1000, "ack-ms")
	b.ReportMetric(float64(joinMed.Microseconds())/1000, "join-ms")
	b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
	b.ReportMetric(float64(joinMed)/float64(bound), "ratio")
	b.Logf("median ack %s; median slash command → pinned Join Call %s; lower bound %s; ratio %.2f (target ≤ 1.1)",
		ackMed.Round(10*time.Microsecond), joinMed.Round(100*time.Microsecond), bound, float64(joinMed)/float64(bound))
}

// startBench runs warroom (its configuration changed by set) against
// fakes whose latencies are benchSlackLatency and benchZoomLatency, after
// one declare without them to warm up connections and the Zoom token.
func startBench(b *testing.B, set func(*config.Config)) (*world, *Main) {
	w, err := startWorld(slackfake.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	cfg := w.config(b.TempDir())
	// Latency against a Slack that limits nothing: the pace Slack's tiers
	// impose is TestIncidentStorm's to show.
	cfg.SlackPacing = "off"
	set(&cfg)
	m := NewMain(cfg, io.Discard)
	m.Tune = func(c *Tuning) {
		c.Jobs.RetryBase, c.Workflow.MeetingRetryBase = 50*time.Millisecond, 50*time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; m.Close() })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := w.Slack.WaitConnected(wctx); err != nil {
		b.Fatal(err)
	}
	w.Slack.SetLatency(0)
	w.Zoom.SetLatency(0)
	benchDeclareOnce(b, w, "warm up")
	w.Slack.SetLatency(benchSlackLatency)
	w.Zoom.SetLatency(benchZoomLatency)
	return w, m
}

func benchDeclareOnce(b *testing.B, w *world, title string) (ack, join time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	d, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident", Text: "declare " + title})
	if err != nil {
		b.Fatal(err)
	}
	a, err := w.Slack.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		b.Fatal(err)
	}
	name := todayName(title, 1)
	err = waitFor(ctx, func() bool {
		r, ok := w.room(name)
		return ok && r.JoinURL() != ""
	})
	if err != nil {
		b.Fatalf("%s never got a pinned Join Call", name)
	}
	join = time.Since(start)
	// Let the topic and bookmark finish so they don't overlap the next run.
	waitFor(ctx, func() bool { r, _ := w.room(name); return len(r.Bookmarks) > 0 && r.Channel.Topic != "" })
	return a.Latency, join
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
