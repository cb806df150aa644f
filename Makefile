# warroom — see README.md. Every target but docker installs what it needs through the
# Go toolchain; nothing else is required on the machine.
GO      ?= go
BIN     ?= bin/warroom
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build test lint run demo bench fuzz soak docker clean chart chart-tools alertmanager-tool

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/warroom

# A loaded machine runs cmd/warroom's end-to-end tests well past go test's
# default ten minutes; the limit is for a hang, not for a slow machine.
test: lint chart-tools alertmanager-tool
	WARROOM_ALERTMANAGER=$(ALERTMANAGER) CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 45m ./...
	$(MAKE) fuzz FUZZTIME=500x

# lint also refuses tracked files over 1 MB: a built binary or a data dump
# committed by mistake would bloat every clone for good.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@big=$$(git ls-files -z 2>/dev/null | xargs -0 -r stat -c '%s %n' 2>/dev/null | awk '$$1 > 1048576 {print $$2 " (" $$1 " bytes)"}'); \
	  if [ -n "$$big" ]; then echo "tracked files over 1 MB (build output? data that belongs elsewhere?):"; echo "$$big"; exit 1; fi
	$(GO) vet ./...

# The Helm chart, checked with no cluster: helm lint --strict and helm
# template over several value sets, value sets the schema must refuse, and
# every object decoded strictly against Kubernetes 1.35, 1.36 and 1.37
# (deploy/helm/chart_test.go, which go test ./... runs). chart-tools builds
# the pinned helm and the three checkers first, outside the test's
# timeout; the Go build cache keeps them, so later runs take seconds. It
# fails if they cannot be built.
# The same helm as helmCommand in deploy/helm/chart_test.go.
HELM_MODULE := helm.sh/helm/v4/cmd/helm@v4.3.2
CHECK_ENV := GOWORK=off GOFLAGS=-mod=readonly
chart-tools:
	$(GO) run $(HELM_MODULE) version --short
	cd deploy/helm/check && $(CHECK_ENV) $(GO) run -modfile=go.k8s-1.35.mod .
	cd deploy/helm/check && $(CHECK_ENV) $(GO) run -modfile=go.k8s-1.36.mod .
	cd deploy/helm/check && $(CHECK_ENV) $(GO) run -tags crds .

# The real Alertmanager, which alerts/alertmanager_test.go runs against
# warroom's receiver. v0.28.1 is the newest tag that builds from the
# module proxy (later ones embed UI assets the module lacks). The test
# looks for it here (the user's cache directory) or in
# $WARROOM_ALERTMANAGER, and skips without it unless
# WARROOM_REQUIRE_ALERTMANAGER=1.
ALERTMANAGER_MODULE := github.com/prometheus/alertmanager/cmd/alertmanager@v0.28.1
ALERTMANAGER_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/warroom
ALERTMANAGER := $(ALERTMANAGER_DIR)/alertmanager
alertmanager-tool:
	GOBIN=$(ALERTMANAGER_DIR) GOFLAGS= $(GO) install $(ALERTMANAGER_MODULE)

chart: chart-tools
	$(GO) test -count=1 -v -run '^(TestChart|TestSettingsDocumented)$$' ./deploy/helm

run: build
	$(BIN) run

demo: build
	$(BIN) demo

# The declare path's latency (20 declares) on SQLite and on PostgreSQL (a
# throwaway cluster the benchmark starts), then CPU and memory per incident
# of the real binary over COST_INCIDENTS declares.
COST_INCIDENTS ?= 1000
bench:
	$(GO) test -run '^$$' -bench '^BenchmarkDeclare$$/' -benchtime 20x -count 1 ./cmd/warroom
	$(GO) test -run '^$$' -bench '^BenchmarkDoors$$/' -benchtime 20x -count 1 ./cmd/warroom
	WARROOM_COST_INCIDENTS=$(COST_INCIDENTS) $(GO) test -run '^$$' -bench '^BenchmarkCostPerIncident$$' -benchtime 1x -count 1 -timeout 30m ./cmd/warroom

# make test fuzzes each target for a count of inputs, not a time: go1.26's
# fuzzing coordinator can report "context deadline exceeded" when a time
# budget ends on a loaded machine (golang/go#75804, fixed in go1.27).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./commands
	$(GO) test -run '^$$' -fuzz '^FuzzParseWhen$$' -fuzztime $(FUZZTIME) ./commands
	$(GO) test -run '^$$' -fuzz '^FuzzZoomLink$$' -fuzztime $(FUZZTIME) ./commands
	$(GO) test -run '^$$' -fuzz '^FuzzChannelName$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzIncidentMessage$$' -fuzztime $(FUZZTIME) ./blocks
	$(GO) test -run '^$$' -fuzz '^FuzzFollowupMessages$$' -fuzztime $(FUZZTIME) ./blocks
	$(GO) test -run '^$$' -fuzz '^FuzzAdoptValue$$' -fuzztime $(FUZZTIME) ./blocks
	$(GO) test -run '^$$' -fuzz '^FuzzMeetingTemplates$$' -fuzztime $(FUZZTIME) ./blocks
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyWebhook$$' -fuzztime $(FUZZTIME) ./zoom

# The long fault suite: the 50-incident storm on both engines, three
# replicas on PostgreSQL with one killed mid-storm and a rolling restart,
# the database cut, partitioned and its clocks skewed (each outage three
# times), the store's own fault tests repeated, and longer fuzzing.
soak:
	WARROOM_SOAK=1 $(GO) test -count=1 -v -run 'TestIncidentStorm|TestKilled|TestSIGTERM|TestReplica|TestRollingRestart|TestDeclaresThrough|TestShutdownDuring|TestSkewed|TestThreeReplicas|DuringAnOutage|DuringABlip' -timeout 40m ./cmd/warroom
	WARROOM_REQUIRE_POSTGRES=1 $(GO) test -count=5 -run 'Together|Partition|Cut|Blip' ./store ./meetings
	$(MAKE) fuzz FUZZTIME=2m

docker:
	docker build --build-arg VERSION=$(VERSION) -t warroom:$(VERSION) .

clean:
	rm -rf bin
