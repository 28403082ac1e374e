# PseudoDNS: `make demo` runs the whole system locally, `make test` runs every test.
SWIFT ?= swift
PREFIX ?= /usr/local
CONFIG ?= debug

.PHONY: deps build-deps build release test fuzz lint demo bench install clean

# Everything the tests, the demo and the benchmarks need (apt packages and moto from PyPI).
deps:
	@scripts/install-deps.sh

# What building needs, and nothing from PyPI: make build, release and install stay free of test tools.
build-deps:
	@scripts/install-deps.sh --build

build: build-deps
	$(SWIFT) build

release: build-deps
	$(SWIFT) build -c release

lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests bench

test: deps
	$(SWIFT) build --build-tests
	$(MAKE) lint
	# Two runs: the server tests' in-process servers answer on the cooperative pool, which the client tests (they
	# block on the processes they run) can fill for seconds; together, an in-process server misses its client's
	# deadline.
	$(SWIFT) test --disable-xctest --filter 'ServerTests\.'
	$(SWIFT) test --disable-xctest --skip 'ServerTests\.'

# The server's differential test (fast path against the full stack) with many more seeded cases than `make test`
# runs: FUZZ_CASES=N (default 5000); FUZZ_SEED=S replays the seed a run printed.
FUZZ_CASES ?= 5000
fuzz: deps
	$(SWIFT) build --build-tests
	PSEUDODNS_DIFFERENTIAL_CASES=$(FUZZ_CASES) $(if $(FUZZ_SEED),PSEUDODNS_DIFFERENTIAL_SEED=$(FUZZ_SEED)) \
		$(SWIFT) test --skip-build --disable-xctest --filter 'ServerTests\.DifferentialTests'

demo: deps release
	scripts/demo.sh

# Each prints its numbers beside its peer's (python-hosts, boto3, nginx, a curl+awk script).
bench: deps release
	bench/hostscore/run.sh
	bench/generator/run.sh
	bench/server/run.sh
	bench/client/run.sh

PROGRAMS = hosts-generator hosts-server hosts-client
BIN = $(shell $(SWIFT) build -c release --show-bin-path)

# Binaries, shell completions and man pages under $(DESTDIR)$(PREFIX), all generated from the argument parsers.
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	for p in $(PROGRAMS); do \
		install -m 755 "$(BIN)/$$p" $(DESTDIR)$(PREFIX)/bin/ && \
		"$(BIN)/$$p" --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p && \
		"$(BIN)/$$p" --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p && \
		"$(BIN)/$$p" --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish && \
		python3 scripts/gen-man.py "$(BIN)/$$p" $(DESTDIR)$(PREFIX)/share/man/man1 || exit 1; \
	done

clean:
	rm -rf .build
