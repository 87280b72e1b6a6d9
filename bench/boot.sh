#!/bin/bash
# Boot benchmark (bench/boot.bench.ts): the e2e selfmx-like stack's fresh first boot (from the
# base image) against a boot from a golden disk made from it (packages and images pre-installed),
# each broken down by firstboot step from /var/lib/firstboot/status.json. Rewrites the `## Boot`
# section of BENCHMARKS.md. Needs root (base image, registry, buildah) and about 15 minutes under
# TCG. Takes /tmp/firstboot-vm.lock itself (one VM job at a time on this host).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
export FIRSTBOOT_SECRET_APP_TOKEN=bench FIRSTBOOT_SECRET_BACKUP_KEY=unused-at-boot
FIRSTBOOT_SECRET_RESTORE_IDENTITY="$(grep '^AGE-SECRET-KEY-' examples/demo-identity.txt)"
export FIRSTBOOT_SECRET_RESTORE_IDENTITY
BENCH_WRITE=1 flock /tmp/firstboot-vm.lock npx vitest run -c bench/boot.config.ts
