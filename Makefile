# The terminal's build. `make run` and `make test` work on a fresh Debian
# machine as root: they install what is missing first (.ci/install-deps).

GO       ?= go
GOBIN    := $(shell $(GO) env GOPATH)/bin
VERSION  ?= $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILDNO  := $(shell sed -n 's/^Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
LDFLAGS  := -X main.version=$(VERSION)+$(BUILDNO)
RUN_ARGS ?=

# pos leaves out Fyne's 4 MB colour emoji font (build tag no_emoji): the
# terminal draws no emoji, and Fyne parses its fonts once per text style.
# Exported, so the installers' builds and the tests get it too.
export GOFLAGS := $(strip $(GOFLAGS) -tags=no_emoji)

.PHONY: all build run test vet staticcheck bench fuzz deps clean measure uifont

all: build

deps:
	@.ci/install-deps

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/pos ./cmd/pos
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/pos-cli ./cmd/pos-cli
	@mkdir -p bin/fonts && [ bin/fonts/DroidSansFallbackFull.ttf -nt assets/fonts/DroidSansFallbackFull.ttf.gz ] || \
		gunzip -c assets/fonts/DroidSansFallbackFull.ttf.gz >bin/fonts/DroidSansFallbackFull.ttf

# The terminal in demo mode: built-in provider sandbox, virtual scanner and
# printer, no credentials. With no display it runs under Xvfb (headless).
run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		bin/pos run --demo $(RUN_ARGS); \
	else \
		echo "no DISPLAY: running under Xvfb (headless)"; \
		xvfb-run -a -s "-screen 0 1920x1080x24" bin/pos run --demo $(RUN_ARGS); \
	fi

vet:
	$(GO) vet ./...

staticcheck: deps
	$(GOBIN)/staticcheck ./...

test: deps
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
		if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) package-test

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# A short run of every fuzz target (FUZZTIME each).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin dist build

# The terminal's footprint beside a bare Fyne window's, in one run under Xvfb
# (not part of `make test`; about 4 minutes): binary sizes, idle resident
# memory and Go heap, 1,000 demo sales through the local API, start to the
# first painted frame over 10 warm starts. MEASURE_ARGS: e.g. -profile DIR
# (CPU and heap profiles of a start, GC trace), -starts N, -sales N.
MEASURE_ARGS ?=
measure: deps
	$(GO) run ./internal/measure $(MEASURE_ARGS)

# Cuts the screen font's subset again (assets/internal/mkuifont) after a
# text gains a Chinese character it lacks (TestUIFontCoversTexts says so);
# needs Debian's fonttools, installed here when missing.
uifont:
	@command -v pyftsubset >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonttools >/dev/null; }
	$(GO) run ./assets/internal/mkuifont

# Installers (`make package`, `make package-test`): see assets/packaging/.
-include assets/packaging/package.mk

# The crash soak (not part of `make test`; about 15 minutes on 2 cores):
# 1,000 kills of pos charge, refund and reconcile at random and chosen
# points, wallets that cannot be closed, and 10,000 checkouts and refunds in
# process under random provider faults, each checked against the sandbox.
# Prints "N passed, N failed"; fails if any failed. SOAK_KILLS and SOAK_OPS
# shorten it; POS_CRASH_SEED replays a run.
.PHONY: soak
soak:
	$(GO) test -c -tags soak -o bin/soak.test ./cli
	bin/soak.test -test.run '^TestSoak$$' -test.count 1 -test.timeout 120m

# Head office at a chain's scale (not part of `make test`; about 20
# minutes): 1,000 terminals upload a day of 500 sales each into a durable
# PostgreSQL, the day is copied over 30 days of history, and the script
# prints the ingest rate, the sizes (and a year's), and the times of the
# chain-wide day report and of order lookups. HQ_SCALE_TERMINALS,
# HQ_SCALE_SALES and HQ_SCALE_DAYS change the chain.
.PHONY: hq-scale
hq-scale: deps
	PGTEST_DURABLE=1 $(GO) test -tags scale -run '^TestChainScale$$' -count 1 -timeout 120m -v ./hq/store | grep -v '^=== RUN'
