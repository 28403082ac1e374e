# PseudoDNS: `make demo` runs the whole system locally, `make test` runs every test.
SWIFT ?= swift
PREFIX ?= /usr/local
CONFIG ?= debug

.PHONY: deps build release test lint demo bench install clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests bench

test: deps
	$(SWIFT) build --build-tests
	$(MAKE) lint
	$(SWIFT) test --disable-xctest

demo: release
	scripts/demo.sh

bench: release
	bench/hostscore/run.sh

clean:
	rm -rf .build
