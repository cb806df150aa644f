package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	zlog "github.com/rs/zerolog/log"
)

// quietToxics silences the trace lines some toxics (bandwidth) write to
// zerolog's global logger: they would flood the test output.
var quietToxics sync.Once

// Faulty is a PostgreSQL database reached through a Toxiproxy proxy, run
// in the test's own process: the test cuts, partitions and slows the
// network between warroom and its database the way an outage does, and
// every fault checks that it took effect before the test relies on it.
type Faulty struct {
	// URL reaches the database through the proxy: give it to warroom.
	URL string
	// Direct reaches the same database around the proxy: the test's own
	// look at what was recorded.
	Direct string

	tb     testing.TB
	mu     sync.Mutex
	proxy  *toxiproxy.Proxy
	toxics []string
	log    []string // what was done, when: printed if the test fails
}

// NewFaulty returns a fresh database behind a proxy, removed with the
// test. It skips (or fails, see Required) like URL when there is no
// server.
func NewFaulty(tb testing.TB) *Faulty {
	tb.Helper()
	quietToxics.Do(func() { zlog.Logger = zerolog.Nop() })
	direct := URL(tb)
	u, err := url.Parse(direct)
	if err != nil {
		tb.Fatal(err)
	}
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(server, "postgres", "127.0.0.1:0", u.Host)
	if err := p.Start(); err != nil {
		tb.Fatalf("start the fault proxy: %v", err)
	}
	f := &Faulty{Direct: direct, tb: tb, proxy: p}
	u.Host = p.Listen
	f.URL = u.String()
	tb.Cleanup(func() {
		if tb.Failed() && len(f.log) > 0 {
			tb.Logf("faults injected: %s", strings.Join(f.log, "; "))
		}
		p.Stop()
	})
	return f
}

func (f *Faulty) note(what string) {
	f.log = append(f.log, time.Now().Format("15:04:05.000")+" "+what)
}

// Cut closes every connection through the proxy and refuses new ones: the
// database restarting, or its host gone. It returns once a probe is
// refused.
func (f *Faulty) Cut() {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proxy.Stop()
	f.note("cut")
	if err := f.probe(time.Second); err == nil {
		f.tb.Fatal("fault did not take: the database still answers through the cut proxy")
	}
}

// Restore ends a Cut: connections are accepted again, and a probe gets
// through.
func (f *Faulty) Restore() {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.proxy.Start(); err != nil {
		f.tb.Fatalf("restore the fault proxy: %v", err)
	}
	f.note("restored")
	f.mustAnswer()
}

// Partition drops everything in both directions while every connection
// stays open and new ones are accepted: packets lost, nothing refused,
// the fault that makes a client without deadlines wait forever. It
// returns once a probe goes unanswered.
func (f *Faulty) Partition() {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, dir := range []string{"upstream", "downstream"} {
		f.add(`{"name":"partition_`+dir+`","type":"timeout","stream":"`+dir+`","attributes":{"timeout":0}}`, "partition_"+dir)
	}
	f.note("partitioned")
	if err := f.probe(time.Second); err == nil {
		f.tb.Fatal("fault did not take: the database still answers through the partition")
	}
}

// Latency delays every packet by d (and a jitter of d/10) both ways. It
// returns once a probe has taken at least d.
func (f *Faulty) Latency(d time.Duration) {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	ms := d.Milliseconds()
	for _, dir := range []string{"upstream", "downstream"} {
		f.add(fmt.Sprintf(`{"name":"latency_%s","type":"latency","stream":"%s","attributes":{"latency":%d,"jitter":%d}}`,
			dir, dir, ms/2, ms/20), "latency_"+dir)
	}
	f.note("latency " + d.String())
	start := time.Now()
	if err := f.probe(10*d + 5*time.Second); err != nil || time.Since(start) < d {
		f.tb.Fatalf("fault did not take: a probe took %s (%v), want at least %s", time.Since(start), err, d)
	}
}

// Bandwidth limits the proxy to kbps kilobytes a second each way. It
// returns once an answer of 2×kbps kilobytes has taken over a second.
func (f *Faulty) Bandwidth(kbps int) {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, dir := range []string{"upstream", "downstream"} {
		f.add(fmt.Sprintf(`{"name":"bandwidth_%s","type":"bandwidth","stream":"%s","attributes":{"rate":%d}}`, dir, dir, kbps),
			"bandwidth_"+dir)
	}
	f.note(fmt.Sprintf("bandwidth %d KB/s", kbps))
	start := time.Now()
	if err := f.probeQuery(30*time.Second, fmt.Sprintf(`SELECT repeat('x', %d)`, 2*kbps*1024)); err != nil || time.Since(start) < time.Second {
		f.tb.Fatalf("fault did not take: a %d KB answer took %s (%v)", 2*kbps, time.Since(start), err)
	}
}

// Heal removes every toxic (partition, latency, bandwidth) and returns
// once a probe gets through. Connections a partition dropped data on are
// broken for good: the server and warroom find out and open new ones.
func (f *Faulty) Heal() {
	f.tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range f.toxics {
		if err := f.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
			f.tb.Fatalf("heal: %v", err)
		}
	}
	f.toxics = nil
	f.note("healed")
	f.mustAnswer()
}

func (f *Faulty) add(spec, name string) {
	f.tb.Helper()
	if _, err := f.proxy.Toxics.AddToxicJson(strings.NewReader(spec)); err != nil {
		f.tb.Fatalf("add toxic %s: %v", name, err)
	}
	f.toxics = append(f.toxics, name)
}

// probe opens a new connection through the proxy and asks for a row.
func (f *Faulty) probe(within time.Duration) error {
	return f.probeQuery(within, `SELECT 1`)
}

// probeQuery opens a new connection through the proxy and runs query,
// which answers one value.
func (f *Faulty) probeQuery(within time.Duration, query string) error {
	db, err := sql.Open("pgx", f.URL)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var v any
	return db.QueryRowContext(ctx, query).Scan(&v)
}

// mustAnswer waits until a probe gets through.
func (f *Faulty) mustAnswer() {
	f.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f.probe(2 * time.Second)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			f.tb.Fatalf("the database does not answer through the proxy after the fault ended: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
