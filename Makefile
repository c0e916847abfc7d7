# Dockhand — see README.md. The first two targets are the whole set-up:
#   make demo    run the system with virtual devices and play the inbound story
#   make test    vet + all tests with the race detector
GO        ?= go
BIN       ?= bin
STATICCHECK_VERSION ?= v0.8.2
# The version gatewayd reports (--version, its birth message, the page).
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
PI_LDFLAGS := -s -w $(LDFLAGS)

.PHONY: demo demo-once test build build-pi lint bench fuzz clean screenshots

demo: build
	./$(BIN)/devsim demo

demo-once: build
	./$(BIN)/devsim demo --once

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

# Raspberry Pi builds: 64-bit (Pi 3/4/5, Pi OS 64-bit) and 32-bit ARMv7.
build-pi:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(PI_LDFLAGS)' -o $(BIN)/linux-arm64/ ./cmd/...
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(PI_LDFLAGS)' -o $(BIN)/linux-armv7/ ./cmd/...
	@echo "binary sizes:"; ls -l $(BIN)/linux-arm64/* $(BIN)/linux-armv7/* | awk '{printf "  %-32s %6.1f MB\n", $$9, $$5/1048576}'

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Re-take the technician page's screenshots in docs/screenshots (needs chromium).
screenshots:
	DOCKHAND_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run TestTechnicianPageInABrowser ./gateway/web/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN) demo-data
