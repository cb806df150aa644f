// Package metrics is warroom's Prometheus instrumentation: one registry per
// process, served on /metrics, with what an operator needs to tell whether
// incidents are being handled — how fast envelopes are acked, what Slack
// and Zoom answer, how much durable work is waiting and for how long, and
// whether Zoom tokens are dying.
//
// It imports nothing else of warroom. The program feeds it from outside:
// ObserveAck from the bot's ack observer, Transport around the HTTP client
// that reaches Slack and Zoom, TokenRefreshFailed from the Zoom pool, and
// SetState with a function that reads the database and the socket on each
// scrape. Nothing here keeps a copy of state that lives in the database,
// so the numbers survive restarts and never drift from it.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warroom-dev/warroom/jobtype"
)

// ackBuckets cover a local write (milliseconds) up to Slack's 3 s deadline,
// past which a slash command shows the user operation_timeout.
var ackBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5}

// callBuckets cover a Web API call, from a fast answer to a client timeout.
var callBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Metrics holds warroom's collectors and the registry that serves them.
// Its methods are safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	replicaSet atomic.Bool

	ackSeconds           *prometheus.HistogramVec
	envelopes            *prometheus.CounterVec
	slackCalls           *prometheus.CounterVec
	slackSeconds         *prometheus.HistogramVec
	zoomCalls            *prometheus.CounterVec
	zoomSeconds          *prometheus.HistogramVec
	rateLimited          *prometheus.CounterVec
	tokenRefreshFailures prometheus.Counter
	jobRuns              *prometheus.CounterVec
	jobSeconds           *prometheus.HistogramVec

	state *stateCollector
}

// New returns warroom's metrics, registered in a registry of their own
// together with the Go runtime and process collectors and a build_info
// gauge carrying version.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		ackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warroom_ack_duration_seconds",
			Help:    "Time from a Socket Mode envelope's arrival to its ack, by envelope type. Slack gives up after 3 s.",
			Buckets: ackBuckets,
		}, []string{"type"}),
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warroom_envelopes_total",
			Help: "Socket Mode envelopes acked, by envelope type (slash_commands, interactive, events_api).",
		}, []string{"type"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warroom_slack_api_calls_total",
			Help: `Slack Web API calls by method and outcome: "ok", Slack's error code when it answered ok:false, the HTTP status otherwise, or "error" when no answer came.`,
		}, []string{"method", "outcome"}),
		slackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warroom_slack_api_call_duration_seconds",
			Help:    "Time Slack took to answer a Web API call, by method.",
			Buckets: callBuckets,
		}, []string{"method"}),
		zoomCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warroom_zoom_api_calls_total",
			Help: `Zoom API and OAuth calls by operation ("POST /users/{user}/meetings") and outcome: "ok" for 2xx, the HTTP status otherwise, or "error" when no answer came.`,
		}, []string{"operation", "outcome"}),
		zoomSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warroom_zoom_api_call_duration_seconds",
			Help:    "Time Zoom took to answer, by operation.",
			Buckets: callBuckets,
		}, []string{"operation"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warroom_rate_limited_total",
			Help: "HTTP 429 answers, by service (slack, zoom) and method or operation.",
		}, []string{"service", "method"}),
		tokenRefreshFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warroom_zoom_token_refresh_failures_total",
			Help: "Zoom accounts whose refresh token stopped working; each needs an admin to reconnect it (/incident zoom connect).",
		}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warroom_job_runs_total",
			Help: `Job runs by kind and outcome: "done", "retry" (failed, backing off), "dead" (given up on: a permanent error, or failing too long), "snoozed" (waiting for its time), "lease_lost", "released" (shutdown).`,
		}, []string{"kind", "outcome"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warroom_job_run_duration_seconds",
			Help:    "How long one run of a job took, by kind.",
			Buckets: callBuckets,
		}, []string{"kind"}),
		state: newStateCollector(),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "warroom_build_info",
		Help:        "Always 1; the labels say which warroom is running.",
		ConstLabels: prometheus.Labels{"version": version, "go_version": runtime.Version()},
	})
	build.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build,
		m.ackSeconds, m.envelopes,
		m.slackCalls, m.slackSeconds, m.zoomCalls, m.zoomSeconds, m.rateLimited,
		m.tokenRefreshFailures, m.jobRuns, m.jobSeconds,
		m.state,
	)
	return m
}

// SetReplica adds warroom_replica_info{replica="name"} 1, so dashboards
// can tell the replicas of one installation apart.
// A second call (a Main run again) keeps the first name.
func (m *Metrics) SetReplica(name string) {
	if !m.replicaSet.CompareAndSwap(false, true) {
		return
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "warroom_replica_info",
		Help:        "Always 1; the label names this replica (WARROOM_REPLICA).",
		ConstLabels: prometheus.Labels{"replica": name},
	})
	g.Set(1)
	m.reg.MustRegister(g)
}

// Registry is where the metrics live (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.reg,
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       10 * time.Second,
	})
}

// ObserveAck records one acked envelope and how long its ack took. Its
// signature is bot.AckObserver's.
func (m *Metrics) ObserveAck(envelopeType string, latency time.Duration) {
	if envelopeType == "" {
		envelopeType = "unknown"
	}
	m.envelopes.WithLabelValues(envelopeType).Inc()
	m.ackSeconds.WithLabelValues(envelopeType).Observe(latency.Seconds())
}

// ObserveJob records one job run. Its signature is jobs.Observer's.
func (m *Metrics) ObserveJob(kind, outcome string, took time.Duration) {
	m.jobRuns.WithLabelValues(kind, outcome).Inc()
	m.jobSeconds.WithLabelValues(kind).Observe(took.Seconds())
}

// TokenRefreshFailed counts a Zoom account whose refresh token died.
func (m *Metrics) TokenRefreshFailed() { m.tokenRefreshFailures.Inc() }

// State is what the database and the Slack connection look like at a
// scrape.
type State struct {
	// Declared counts every incident ever declared, by severity ("SEV1").
	Declared map[string]int
	// Incidents counts incidents by status ("active", "resolved").
	Incidents map[string]int
	// PendingJobs counts unfinished jobs by kind: the job queue's depth.
	PendingJobs map[string]int
	// OldestDue is how long the oldest job that should already have run
	// (its run_at has passed, it is not done) has been waiting; 0 if none.
	// A value that keeps growing means work is stuck.
	OldestDue time.Duration
	// OldestFailing is how long the longest-failing unfinished job has
	// been failing (it waits in backoff, so OldestDue does not see it).
	OldestFailing time.Duration
	// DeadJobs counts, by kind, the jobs given up on in the last day that
	// still stand (no later job of theirs has run): each needs a look.
	DeadJobs map[string]int
	// ZoomHosts counts the pool's hosts by status ("ok", "needs_reconnect").
	ZoomHosts map[string]int
	// SocketConnected: the Socket Mode connection is up.
	SocketConnected bool
}

// SetState makes every scrape call read for the current State. read is
// called with a deadline; when it fails, warroom_db_up is 0 and the
// database-backed series are left out of that scrape.
func (m *Metrics) SetState(read func(ctx context.Context) (State, error)) {
	m.state.set(read)
}

// stateCollector turns a State read at scrape time into metrics.
type stateCollector struct {
	mu   sync.Mutex
	read func(ctx context.Context) (State, error)

	declared, incidents, jobs, oldest, failing, dead, hosts, connected, dbUp *prometheus.Desc
}

func newStateCollector() *stateCollector {
	return &stateCollector{
		declared: prometheus.NewDesc("warroom_incidents_declared_total",
			"Incidents declared, by severity; read from the database, so it survives restarts.", []string{"severity"}, nil),
		incidents: prometheus.NewDesc("warroom_incidents",
			"Incidents in the database, by status.", []string{"status"}, nil),
		jobs: prometheus.NewDesc("warroom_jobs_pending",
			"Unfinished durable jobs, by kind: the job queue's depth.", []string{"kind"}, nil),
		oldest: prometheus.NewDesc("warroom_jobs_oldest_due_seconds",
			"How long the oldest job whose time has come has been waiting to finish; 0 when none is due.", nil, nil),
		failing: prometheus.NewDesc("warroom_jobs_oldest_failing_seconds",
			"How long the longest-failing unfinished job has been failing (retrying in backoff); 0 when none fails.", nil, nil),
		dead: prometheus.NewDesc("warroom_jobs_dead",
			"Jobs given up on in the last 24 h (a permanent error such as an archived channel, or failing too long) that no later run has replaced, by kind; /incident status and warroom doctor say which. Alert when above 0.",
			[]string{"kind"}, nil),
		hosts: prometheus.NewDesc("warroom_zoom_hosts",
			"Zoom hosts in the pool, by status (ok, needs_reconnect, error).", []string{"status"}, nil),
		connected: prometheus.NewDesc("warroom_socket_connected",
			"1 while the Slack Socket Mode connection is up.", nil, nil),
		dbUp: prometheus.NewDesc("warroom_db_up",
			"1 when the last scrape could read the database.", nil, nil),
	}
}

func (c *stateCollector) set(read func(ctx context.Context) (State, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = read
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.declared, c.incidents, c.jobs, c.oldest, c.failing, c.dead, c.hosts, c.connected, c.dbUp} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	read := c.read
	c.mu.Unlock()
	if read == nil {
		return // not running yet
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.dbUp, prometheus.GaugeValue, 0)
		ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, boolFloat(s.SocketConnected))
		return
	}
	ch <- prometheus.MustNewConstMetric(c.dbUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, boolFloat(s.SocketConnected))
	// Every severity and status appears, at 0 if need be: a series that
	// only springs into being at the first SEV1 makes increase() miss it.
	emit(ch, c.declared, prometheus.CounterValue, withKeys(s.Declared, "SEV1", "SEV2", "SEV3", "SEV4"))
	emit(ch, c.incidents, prometheus.GaugeValue, withKeys(s.Incidents, "active", "resolved"))
	emit(ch, c.jobs, prometheus.GaugeValue, s.PendingJobs)
	emit(ch, c.hosts, prometheus.GaugeValue, s.ZoomHosts)
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, s.OldestDue.Seconds())
	ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, s.OldestFailing.Seconds())
	emit(ch, c.dead, prometheus.GaugeValue, withKeys(s.DeadJobs, jobtype.Kinds()...))
}

func emit(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, values map[string]int) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ch <- prometheus.MustNewConstMetric(d, t, float64(values[k]), k)
	}
}

// withKeys returns values with every key in keys present.
func withKeys(values map[string]int, keys ...string) map[string]int {
	out := make(map[string]int, len(values)+len(keys))
	for _, k := range keys {
		out[k] = 0
	}
	for k, v := range values {
		out[k] += v
	}
	return out
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
