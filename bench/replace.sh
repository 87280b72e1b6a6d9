#!/usr/bin/env bash
# Replace benchmark in the local cloud (bench/replace.bench.ts): downtime through the Floating IP
# during `firstboot replace` (a write every 100 ms; first/last failed request, failures) with a
# 100 MB database, fresh boot vs boot from the snapshot, and API requests per command. Rewrites
# the `## Replace` section of BENCHMARKS.md. Needs root (base image, registry, buildah) and about
# 35 minutes under TCG. Takes /tmp/firstboot-vm.lock itself (one VM job at a time on this host).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
BENCH_WRITE=1 flock /tmp/firstboot-vm.lock npx vitest run -c bench/replace.config.ts
sed -n '/^## Replace/,/^## [^R]/p' BENCHMARKS.md
