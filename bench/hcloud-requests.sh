#!/usr/bin/env bash
# Counts the Hetzner API requests of one build-image (fake API, virtual clock) and writes the
# `## Hetzner API requests` section of BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_WRITE=1 npx vitest run -c bench/hcloud-requests.config.ts --reporter=dot
sed -n '/^## Hetzner API requests/,/^## [^H]/p' BENCHMARKS.md
