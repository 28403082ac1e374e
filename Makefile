# PseudoDNS: `make demo` runs the whole system locally, `make test` runs every test.
SWIFT ?= swift
PREFIX ?= /usr/local
CONFIG ?= debug
# One release build for the demo, the benchmarks, install and dist: the Swift runtime and Foundation linked in,
# so the binaries run where no Swift is installed (see docs/ARCHITECTURE.md, "Platforms and packages").
RELEASE_FLAGS = -c release --static-swift-stdlib

.PHONY: deps build-deps version build release test fuzz lint demo bench install dist package-test clean

# Everything the tests, the demo and the benchmarks need (apt packages and moto from PyPI).
deps:
	@scripts/install-deps.sh

# What building needs, and nothing from PyPI: make build, release and install stay free of test tools.
build-deps:
	@scripts/install-deps.sh --build

# Stamps scripts/version.sh's version (git tag, else VERSION+commits.gHASH) into the build for --version;
# the header is rewritten only when the version changes, so an unchanged one rebuilds nothing.
version:
	@scripts/version.sh --header Sources/CBuildVersion/version.generated.h >/dev/null

build: build-deps version
	$(SWIFT) build

release: build-deps version
	$(SWIFT) build $(RELEASE_FLAGS)

lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests bench

test: deps version
	$(SWIFT) build --build-tests
	$(MAKE) lint
	# Three runs: the client tests block the cooperative pool (one thread per core) on the processes they run, for
	# seconds at a time. The server tests' in-process servers and the generator's async tests need that pool: run
	# beside the client tests, an in-process server missed its client's deadline and a credential_process
	# deadline of 1 s was seen returning after 16.7 s.
	$(SWIFT) test --disable-xctest --filter 'ServerTests\.'
	$(SWIFT) test --disable-xctest --filter 'ClientTests\.'
	$(SWIFT) test --disable-xctest --skip 'ServerTests\.' --skip 'ClientTests\.'

# The server's differential test (fast path against the full stack) with many more seeded cases than `make test`
# runs: FUZZ_CASES=N (default 5000); FUZZ_SEED=S replays the seed a run printed.
FUZZ_CASES ?= 5000
fuzz: deps version
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
BIN = $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)

# Binaries, shell completions and man pages under $(DESTDIR)$(PREFIX), all generated from the argument parsers,
# and the docs the units point at. The units themselves: see deploy/systemd (or use the packages, make dist).
install: release
	for p in $(PROGRAMS); do scripts/install-program.sh "$(BIN)" $$p "$(DESTDIR)" "$(PREFIX)" || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/share/doc/pseudodns
	install -m 644 README.md docs/ARCHITECTURE.md $(DESTDIR)$(PREFIX)/share/doc/pseudodns/

# dist/: per program a tarball (stripped binary, completions, man pages, units) and a Debian package, and
# SHA256SUMS. Nothing from the network.
dist: release
	scripts/dist.sh "$(BIN)"

# The packages on a Debian root without Swift (debootstrap, cached in $(PKGTEST_CACHE)): install, then the story.
PKGTEST_CACHE ?= .build-pkgtest/cache
package-test: dist
	PKGTEST_CACHE="$(PKGTEST_CACHE)" scripts/package-test.sh

clean:
	rm -rf .build
