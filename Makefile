# firstboot: `make demo` renders and checks the bundled example; `make test` runs every test.
SHELL := /bin/bash
EXAMPLE ?= examples/selfmx/firstboot.yaml
# The bundled examples' secrets are encrypted to this demo identity (never use it for real).
export FIRSTBOOT_IDENTITY ?= $(CURDIR)/examples/demo-identity.txt
FB := node bin/firstboot.js

.PHONY: all deps build demo test lint format e2e e2e-boot e2e-cloud bench clean faults

all: build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json
	./scripts/install-deps.sh

# The CLI as an esbuild bundle (scripts/build.mjs); `make lint` type-checks.
build: node_modules/.package-lock.json
	node scripts/build.mjs

demo: build
	$(FB) validate $(EXAMPLE)
	mkdir -p out
	$(FB) render $(EXAMPLE) -o out/user-data.yaml
	$(FB) size $(EXAMPLE)
	node scripts/check-user-data.mjs out/user-data.yaml
	@echo "demo: out/user-data.yaml is ready to paste into the Hetzner console (user data)"

test: deps build lint
	FIRSTBOOT_BUILT=1 npx vitest run

# The whole fault-injection matrix (test/deploy/faults: every request, SSH command and step of
# build-image, up, replace, rollback and gc failed or killed; about 800 scenarios, 1-2 min).
# `make test` runs its slice (test/deploy/faults/slice.ts). It needs no dist/ (FIRSTBOOT_BUILT skips the build).
faults: node_modules/.package-lock.json
	FIRSTBOOT_FAULTS=full FIRSTBOOT_BUILT=1 npx vitest run test/deploy/faults/faults.test.ts

PRETTIER_FILES := "src/**/*.ts" "test/**/*.ts" "bench/**/*.ts" "scripts/**/*.mjs" "*.ts" "*.js"

lint: node_modules/.package-lock.json
	npx tsc -p tsconfig.test.json
	npx prettier --check $(PRETTIER_FILES)
	npx eslint --max-warnings 0 src test bench scripts *.ts *.js
	shellcheck scripts/*.sh bench/*.sh .ci/run

format: node_modules/.package-lock.json
	npx prettier --write $(PRETTIER_FILES)

bench: build
	./bench/render.sh
	bash bench/hcloud-requests.sh
	./bench/diagnostics.sh
	./bench/backup.sh

clean:
	rm -rf dist out

# The VM end-to-end tests (qemu; TCG where KVM is not real), from the cached trixie base image
# (built by the tool itself on first use), one file after the other. `e2e` (CI runs it): real
# first boots of the selfmx-like and Postgres stacks (about 25 min under TCG), then build-image,
# up and replace against the local cloud (about 25 min). `e2e-boot` and `e2e-cloud`: one of them.
e2e: deps build
	npx vitest run --config test/e2e/vitest.config.ts test/e2e/first-boot.e2e.ts test/e2e/local-cloud.e2e.ts

e2e-boot: deps build
	npx vitest run --config test/e2e/vitest.config.ts test/e2e/first-boot.e2e.ts

e2e-cloud: deps build
	npx vitest run --config test/e2e/vitest.config.ts test/e2e/local-cloud.e2e.ts

# The Debian 13 base image `firstboot preview` boots (cached under ~/.cache/firstboot/base).
.PHONY: base-image
base-image: build
	node bin/firstboot.js preview build-base --release trixie
