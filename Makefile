# Cadre's task runner.  The build itself is meson + ninja (scripts/build);
# every target first installs what is missing (scripts/install-deps), so a
# fresh Debian 12 machine needs only `make run` and `make test`.
.PHONY: all deps build run demo-reset test fuzz bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@scripts/build release

run: build
	@scripts/run

# Remove ./cadre.db and build it again: schema, reference data, ics demo.
demo-reset: build
	@scripts/run --reset --no-serve

test: deps
	@scripts/test

# FUZZ_SECONDS per target (default 60); new crashes land in tests/fuzz/crashes/.
fuzz: deps
	@scripts/fuzz

bench: deps
	@scripts/bench

clean:
	rm -rf build build-san build-fuzz test-reports bench/out
