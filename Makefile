# Poststelle — build, run, test.
#   make run    install what is missing (Debian, as root), build, run the engine on the embedded default config
#   make test   install what is missing, run all tests
#   make desk   build the verification desk (bin/poststelle-desk)
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
DATA ?= poststelle-data
CORPUS ?= $(abspath ../shared/corpus)
export POSTSTELLE_CORPUS ?= $(CORPUS)
export PATH := $(PATH):/usr/local/go/bin

.PHONY: all deps build bench-build desk run test test-short fuzz bench bench-smoke fmt vet clean

all: build

deps:
	@bash .ci/install-deps

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/poststelle ./cmd/poststelle

# The verification desk (Fyne; the first build compiles the GUI toolkit and takes a few minutes).
desk: deps
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/poststelle-desk ./cmd/poststelle-desk

run: deps build
	./bin/poststelle serve --data-dir $(DATA)

test: deps
	$(GO) vet ./...
	$(GO) run ./cmd/internal/codeshape
	$(GO) test -count=1 -timeout 40m ./...

test-short:
	$(GO) test -short -count=1 ./...

# Every fuzz target briefly (FUZZTIME each, default 5s) from its corpus in testdata/fuzz.
fuzz:
	bash .ci/fuzz

# The benchmarks (cmd/poststelle-bench; not part of the packages). They want the CPU to themselves.
bench-build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/poststelle-bench ./cmd/poststelle-bench

bench: bench-build
	./bin/poststelle-bench ocr
	./bin/poststelle-bench ocr -turned
	./bin/poststelle-bench barcodes
	./bin/poststelle-bench splits

# The 2-page smoke run of `poststelle-bench ocr` (all four systems, one worker); `make test` runs it as well.
bench-smoke:
	$(GO) test -count=1 -run 'OCRBenchSmoke|TurnedPDF' ./cmd/poststelle-bench

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin dist

-include packaging/package.mk
