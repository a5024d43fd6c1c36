# elb-otel: `make test` is the check CI runs; `make help` lists the targets.
SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := check

GO          ?= go
CDK         := npx --no-install cdk
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BUILD_FLAGS := -trimpath -buildvcs=false -ldflags='-s -w'
BIN         := bin
CDK_ARGS    ?=

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20


.PHONY: help check deps build fmt lint test bench golden synth deploy destroy tidy clean mutate mutate-report

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

check: lint test ## lint and test

deps: node_modules/.package-lock.json ## install Go modules and the pinned CDK CLI
	$(GO) mod download

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: ## build the Lambda bootstrap (linux/arm64) and the elb-otel CLI into bin/
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(BUILD_FLAGS) -tags lambda.norpc -o $(BIN)/lambda-arm64/bootstrap ./lambda/cmd/bootstrap
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o $(BIN)/elb-otel ./lambda/cmd/elb-otel

fmt: ## format the code
	gofmt -w $$($(GO) list -f '{{.Dir}}' ./...)

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

test: deps otelcol yace ## unit, construct, snapshot, cdk-nag and cfn-lint tests (the CI check)
	$(GO) test -race ./lambda/... ./internal/...
	@# Allocation counts, which the race detector perturbs (its sync.Pool drops at random): without -race.
	@pkgs=$$(grep -rl --include='*_test.go' '^func TestAllocs_' lambda internal | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); \
	  test -n "$$pkgs" || { echo "no TestAllocs_ tests found"; exit 1; }; \
	  echo "$(GO) test -run '^TestAllocs_' $$pkgs"; $(GO) test -run '^TestAllocs_' $$pkgs
	$(GO) test ./constructs/... ./infra/... $$($(GO) list ./test/... | grep -v '/test/consumer$$')
	@# A module outside this one builds against the build cache the packages above left warm.
	$(GO) test ./test/consumer/
	$(MAKE) e2e

bench: ## benchmarks (see the README for the figures)
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=200ms ./lambda/...
	$(GO) run ./lambda/internal/benchreport

# Mutation testing of the data path (see the README): gremlins, pinned and run with `go run` (nothing in
# go.mod), one package at a time with MUTATE_WORKERS workers; then mutreport prints each package's
# efficacy and coverage and the survivors that are not on internal/mutreport/equivalent.txt.
# gremlins times each mutant out at MUTATE_TIMEOUT times its first (coverage) run of the package's tests;
# GOFLAGS=-count=1 keeps that first run out of the test cache, or a cached 0.8 s run would time out every
# mutant (each of which compiles and links its package's tests again).
GREMLINS       := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_PKGS    ?= elblog logrecord event pipeline otlpexport handler app config metricstream
MUTATE_TIMEOUT ?= 10
MUTATE_DIR     ?= /tmp/elb-otel-mutate
MUTATE_WORKERS ?= 1
MUTATE_MIN     ?= 95

mutate: ## mutation testing of the data-path packages (slow: minutes per package, see the README)
	@mkdir -p $(MUTATE_DIR)
	@for p in $(MUTATE_PKGS); do \
	  start=$$(date +%s); \
	  GOFLAGS=-count=1 $(GO) run $(GREMLINS) unleash --workers $(MUTATE_WORKERS) \
	    --timeout-coefficient $(MUTATE_TIMEOUT) -o $(MUTATE_DIR)/$$p.json ./lambda/internal/$$p \
	    > $(MUTATE_DIR)/$$p.log 2>&1 || { tail -20 $(MUTATE_DIR)/$$p.log; exit 1; }; \
	  echo "gremlins: lambda/internal/$$p in $$(( $$(date +%s) - start )) s (log: $(MUTATE_DIR)/$$p.log)"; \
	done
	@$(MAKE) --no-print-directory mutate-report

mutate-report: ## the report of the last `make mutate` against the reviewed equivalent mutants
	$(GO) run ./internal/mutreport -min $(MUTATE_MIN) $(foreach p,$(MUTATE_PKGS),lambda/internal/$(p)=$(MUTATE_DIR)/$(p).json)

golden: ## rewrite golden files (review the diff)
	$(GO) test ./lambda/internal/logrecord/ ./constructs/elbmetrics/ ./test/ -update

synth: deps ## write the CloudFormation template to cdk.out/ (offline)
	$(CDK) synth --quiet $(CDK_ARGS)

deploy: deps ## deploy to the account of your AWS credentials
	$(CDK) deploy --all --require-approval broadening $(CDK_ARGS)

destroy: deps ## remove the stacks (a new log bucket is kept: RemovalPolicy RETAIN)
	$(CDK) destroy --all --force $(CDK_ARGS)

tidy: ## tidy go.mod
	$(GO) mod tidy

clean: ## remove build output
	rm -rf $(BIN) cdk.out test/cdk.out

# The OpenTelemetry Collector the metrics tests run (test/otelcol): exactly the components of the task's
# collector config, built once from the Go module proxy by the collector builder and cached under a
# directory named by the sha256 of its manifest, so editing the manifest rebuilds and nothing else does.
# The builder generates its own Go module in that directory: none of its modules enter this go.mod.
# Exported so `go test ./test/...` finds the binary.
export ELB_OTEL_OTELCOL := $(HOME)/.cache/elb-otel/otelcol-$(firstword $(shell sha256sum test/otelcol/builder-config.yaml))/otelcol-elb

.PHONY: otelcol
otelcol: $(ELB_OTEL_OTELCOL) ## build the test collector once into ~/.cache/elb-otel (cold: 8-12 min, 3.4 GB)

$(ELB_OTEL_OTELCOL):
	@mkdir -p $(@D)
	sed 's|^\(  output_path:\).*|\1 $(@D)|' test/otelcol/builder-config.yaml > $(@D)/builder-config.yaml
	@echo "building $@ (cold: 8-12 minutes and 3.4 GB on 2 cores)"
	@start=$$(date +%s); \
	$(GO) run go.opentelemetry.io/collector/cmd/builder@v0.159.0 --config $(@D)/builder-config.yaml; \
	echo "otelcol: built in $$(( $$(date +%s) - start )) s, $$(du -h $@ | cut -f1)"

# YACE, the metrics task's Go exporter option, at the version the construct pins its image to
# (elbmetrics.YACEVersion), built once and cached under ~/.cache/elb-otel/yace-<version>/. It is built
# inside YACE's own module as the Go module proxy serves it, so YACE's go.sum pins every dependency
# (a throwaway module resolving them anew cannot verify some against the checksum database here);
# GONOSUMDB covers only YACE's own module. None of its modules enter this go.mod.
YACE_VERSION := $(shell sed -n 's/^const YACEVersion = "\(.*\)"$$/\1/p' constructs/elbmetrics/yace.go)
export ELB_OTEL_YACE := $(HOME)/.cache/elb-otel/yace-$(YACE_VERSION)/yace

.PHONY: yace
yace: $(ELB_OTEL_YACE) ## build YACE once into ~/.cache/elb-otel (cold: about 4 min)

$(ELB_OTEL_YACE):
	@mkdir -p $(@D)
	@start=$$(date +%s); \
	dir=$$(GONOSUMDB=github.com/prometheus-community GOFLAGS= $(GO) mod download -json \
		github.com/prometheus-community/yet-another-cloudwatch-exporter@$(YACE_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	test -n "$$dir"; \
	cd "$$dir" && GOWORK=off GOFLAGS=-mod=readonly $(GO) build -trimpath -ldflags='-s -w' -o $@.tmp ./cmd/yace; \
	mv $@.tmp $@; \
	echo "yace $(YACE_VERSION): built in $$(( $$(date +%s) - start )) s, $$(du -h $@ | cut -f1)"

# End to end against a local AWS API (moto_server) and the demo: see the README. No Docker, no AWS account.
.PHONY: e2e demo
e2e: deps otelcol yace ## logs: deploy -> ship -> DLQ -> destroy; metrics: deploy -> play the task -> check every period (~6 min)
	$(GO) test -count=1 ./internal/localaws/ ./internal/lambdart/
	$(GO) test -tags e2e -count=1 -timeout 20m ./test/e2e/ -v

demo: deps otelcol yace ## a local AWS (moto): logs deployed and shipped, then metrics deployed and played (< 6 min)
	$(GO) run ./test/demo
