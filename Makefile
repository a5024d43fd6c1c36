# elb-otel: `make test` is the check CI runs; `make help` lists the targets.
SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := check

GO          ?= go
CDK         := npx --no-install cdk
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BUILD_FLAGS := -trimpath -buildvcs=false -ldflags='-s -w'
BIN         := bin

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20


.PHONY: help check deps build fmt lint test test-lambda test-cdk bench golden synth deploy destroy tidy clean

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

test: deps ## unit, construct, snapshot, cdk-nag and cfn-lint tests (the CI check)
	$(GO) test -race ./lambda/...
	$(GO) test ./constructs/... ./infra/... ./test/...

bench: ## benchmarks (see the README for the figures)
	$(GO) test -run='^$$' -bench=. -benchmem ./lambda/...

golden: ## rewrite golden files (review the diff)
	$(GO) test ./lambda/internal/logrecord/ ./test/ -update

synth: deps ## write the CloudFormation template to cdk.out/ (offline)
	$(CDK) synth --quiet

deploy: deps ## deploy to the account of your AWS credentials
	$(CDK) deploy --all --require-approval broadening

destroy: deps ## remove the stacks (a new log bucket is kept: RemovalPolicy RETAIN)
	$(CDK) destroy --all --force

tidy: ## tidy go.mod
	$(GO) mod tidy

clean: ## remove build output
	rm -rf $(BIN) cdk.out test/cdk.out
